/// <reference types="node" />
/**
 * The key-seed export opened outside our code: Python 3 (xml.etree, hashlib.pbkdf2_hmac) and OpenSSL (`enc`,
 * `dgst -mac HMAC`, `pkeyutl -decrypt` with OAEP) recover exactly the seeds that went in, and every ValueMAC they
 * recompute equals the document's. The recipient certificate is made with openssl here; 1024-bit and expired ones
 * are refused. A missing tool fails these tests with its name.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { PBKDF2_ITERATIONS, PLAYREADY_KEY_SEED_ALGORITHM } from "../../src/pskc/pskc-uris";
import { writePskcCertificatePackage, writePskcPasswordPackage } from "../../src/pskc/writer";
import { describeSeedExportCertificateProblem } from "../../src/x509/certificate-failure";
import { opensslCertificate } from "./tools";
import { extractFields, opensslDecrypt, opensslHmacSha256, requireTools, tool, type PskcFields } from "./pskc-tools";

const PASSWORD = "Ünïcode passphrase, 12+ chars";
const seeds = ["Main", "Backup", "Archive"].map((name, index) => ({
  id: `0f2a1e4c-6b7d-4c8e-9a1b-2c3d4e5f6a7${index}`,
  name,
  value: crypto.getRandomValues(new Uint8Array(30)),
}));
let folder: string;

beforeAll(() => {
  folder = mkdtempSync(join(tmpdir(), "eks-pskc-"));
});

// Every test fails naming the missing tool; none is skipped.
beforeEach(requireTools);

afterAll(() => {
  if (folder) rmSync(folder, { recursive: true, force: true });
});

/** Writes the document to a file and has Python read its fields. */
function fieldsOf(xml: string, name: string): PskcFields {
  const path = join(folder, name);
  writeFileSync(path, xml);
  return extractFields(path);
}

/** With the document key (hex), OpenSSL opens the MAC key, checks every ValueMAC, then decrypts every seed. */
function openWithOpenssl(
  fields: PskcFields,
  documentKeyHex: string,
): { id: string; name: string | null; algorithm: string; value: Buffer }[] {
  expect(fields.macAlgorithm).toBe("http://www.w3.org/2001/04/xmldsig-more#hmac-sha256");
  const macKeyHex = opensslDecrypt(documentKeyHex, fields.macKey).toString("hex");
  expect(macKeyHex).toHaveLength(64);
  return fields.keys.map((key) => {
    expect(opensslHmacSha256(macKeyHex, key.cipherValue), `ValueMAC of ${key.id}`).toBe(key.valueMac);
    return { id: key.id, name: key.name, algorithm: key.algorithm, value: opensslDecrypt(documentKeyHex, key.cipherValue) };
  });
}

const expected = () => seeds.map((seed) => ({ ...seed, algorithm: PLAYREADY_KEY_SEED_ALGORITHM, value: Buffer.from(seed.value) }));

describe("the password form (RFC 6030 §6.2), opened with hashlib.pbkdf2_hmac and openssl", () => {
  it("gives back every seed, and every ValueMAC recomputed by openssl dgst equals the document's", async () => {
    const fields = fieldsOf(await writePskcPasswordPackage(seeds, PASSWORD), "password.pskcxml");
    expect([fields.iterations, fields.keyLength, fields.prf]).toEqual([
      PBKDF2_ITERATIONS,
      32,
      "http://www.w3.org/2001/04/xmldsig-more#hmac-sha512",
    ]);
    expect(Buffer.from(fields.salt!, "base64")).toHaveLength(16);
    const pbkdf2 =
      "import base64,hashlib,sys; print(hashlib.pbkdf2_hmac('sha512', sys.argv[1].encode(), base64.b64decode(sys.argv[2]), int(sys.argv[3]), 32).hex())";
    const keyHex = tool("python3", ["-c", pbkdf2, PASSWORD, fields.salt!, String(fields.iterations)])
      .toString()
      .trim();
    expect(openWithOpenssl(fields, keyHex)).toEqual(expected());
  });

  it("does not open with another password: openssl refuses the MAC key's padding, or its MACs differ", async () => {
    const fields = fieldsOf(await writePskcPasswordPackage(seeds, PASSWORD), "password-wrong.pskcxml");
    const pbkdf2 =
      "import base64,hashlib,sys; print(hashlib.pbkdf2_hmac('sha512', b'wrong password!', base64.b64decode(sys.argv[1]), int(sys.argv[2]), 32).hex())";
    const wrongKeyHex = tool("python3", ["-c", pbkdf2, fields.salt!, String(fields.iterations)])
      .toString()
      .trim();
    expect(() => openWithOpenssl(fields, wrongKeyHex)).toThrow();
  });
});

describe("the certificate form (RFC 6030 §6.3), opened with openssl pkeyutl (RSA-OAEP) and openssl enc", () => {
  /** A self-signed RSA certificate made by openssl in the test folder (test/interop/tools.ts). */
  async function rsaCertificate(name: string, bits: number, days: number): Promise<{ der: Uint8Array; keyPath: string }> {
    const made = await opensslCertificate(folder, name, `rsa:${bits}`, days);
    return { der: made.certDer, keyPath: made.keyPath };
  }

  it("gives back every seed: the transport key opened by openssl pkeyutl, the MACs checked by openssl dgst", async () => {
    const recipient = await rsaCertificate("recipient", 2048, 30);
    const written = await writePskcCertificatePackage(seeds, recipient.der, { now: new Date() });
    if (!written.ok) throw new Error(describeSeedExportCertificateProblem(written.problem));
    const fields = fieldsOf(written.xml, "certificate.pskcxml");
    expect(fields.encryptedKeyMethod).toBe("http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p");
    const args = ["pkeyutl", "-decrypt", "-inkey", recipient.keyPath, "-pkeyopt", "rsa_padding_mode:oaep", "-pkeyopt", "rsa_oaep_md:sha1"];
    const transportKey = tool("openssl", args, Buffer.from(fields.encryptedKey!, "base64"));
    expect(transportKey).toHaveLength(32);
    expect(openWithOpenssl(fields, transportKey.toString("hex"))).toEqual(expected());
    expect(readFileSync(join(folder, "certificate.pskcxml"), "utf8")).toContain(Buffer.from(recipient.der).toString("base64"));
  });

  it("refuses a 1024-bit certificate made by openssl, naming the key size", async () => {
    const weak = await rsaCertificate("weak", 1024, 30);
    const written = await writePskcCertificatePackage(seeds, weak.der, { now: new Date() });
    expect(written).toEqual({ ok: false, problem: { reason: "weak-key", bits: 1024, minimum: 2048 } });
    expect(!written.ok && describeSeedExportCertificateProblem(written.problem)).toBe(
      "Certificate's RSA key must be at least 2048 bits, got 1024",
    );
  });

  it("refuses a certificate made by openssl that has expired, naming when", async () => {
    const shortLived = await rsaCertificate("short-lived", 2048, 1);
    const notAfter = tool("openssl", ["x509", "-inform", "DER", "-noout", "-enddate"], shortLived.der)
      .toString()
      .trim()
      .replace("notAfter=", "");
    const later = new Date(Date.parse(notAfter) + 24 * 3600 * 1000);
    const written = await writePskcCertificatePackage(seeds, shortLived.der, { now: later });
    const expiredAt = new Date(Date.parse(notAfter)).toISOString();
    expect(written).toEqual({ ok: false, problem: { reason: "expired", notAfter: expiredAt } });
    expect(!written.ok && describeSeedExportCertificateProblem(written.problem)).toBe(`Certificate expired at ${expiredAt}`);
  });
});
