/// <reference types="node" />
/**
 * Both forms of the key-seed export validate against RFC 6030's XSD (test/fixtures/cpix/xsd/2.3/pskc.xsd, the
 * copy CPIX imports) with libxml2 (xmllint-wasm); so does RFC 6030 Figure 7; a broken document does not.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { writePskcCertificatePackage, writePskcPasswordPackage } from "../../src/pskc/writer";
import { describeSeedExportCertificateProblem } from "../../src/x509/certificate-failure";
import { validatePskcXml } from "./pskc-tools";

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), "../fixtures/pskc");
const seeds = [
  { id: "0f2a1e4c-6b7d-4c8e-9a1b-2c3d4e5f6a7b", name: "Main <live> & VOD", value: crypto.getRandomValues(new Uint8Array(30)) },
  { id: "1b3c5d7e-9f01-4234-8567-89abcdef0123", name: "Backup", value: crypto.getRandomValues(new Uint8Array(30)) },
];
const certificateDer = new Uint8Array(
  Buffer.from(readFileSync(join(FIXTURES, "recipient-rsa2048.cert.pem"), "utf8").replace(/-----[A-Z ]+-----|\s/g, ""), "base64"),
);

describe("PSKC export against pskc.xsd", () => {
  it("the password form (§6.2) is valid", async () => {
    const xml = await writePskcPasswordPackage(seeds, "correct horse battery staple", { issuer: "edge-key-service" });
    expect(await validatePskcXml(xml)).toEqual({ valid: true, errors: [] });
  });

  it("the certificate form (§6.3, xenc:EncryptedKey in pskc:EncryptionKey) is valid", async () => {
    const written = await writePskcCertificatePackage(seeds, certificateDer, { now: new Date("2030-01-01T00:00:00Z") });
    if (!written.ok) throw new Error(describeSeedExportCertificateProblem(written.problem));
    expect(await validatePskcXml(written.xml)).toEqual({ valid: true, errors: [] });
    // The EncryptedKey is checked against the XML Encryption schema, not skipped: without CipherData it fails.
    const withoutCipherData = written.xml.replace(/(<xenc:EncryptedKey>[\s\S]*?)<xenc:CipherData>[\s\S]*?<\/xenc:CipherData>/, "$1");
    expect((await validatePskcXml(withoutCipherData)).valid).toBe(false);
  });

  it("RFC 6030 Figure 7 is valid, and a Key without its Id is not (the validator really checks)", async () => {
    const figure7 = readFileSync(join(FIXTURES, "rfc6030-figure7.pskcxml"), "utf8");
    expect(await validatePskcXml(figure7)).toEqual({ valid: true, errors: [] });
    const broken = await validatePskcXml(figure7.replace(' Id="123456"', ""));
    expect(broken.valid).toBe(false);
    expect(broken.errors.join("\n")).toMatch(/attribute 'Id' is required/);
  });
});
