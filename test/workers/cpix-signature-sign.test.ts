/**
 * Signing CPIX answers (src/cpix/security/xml-signature.ts): what we sign verifies with our verifier, for both
 * hashes and both writer layouts, after encryption; any change breaks it; refused signers are named.
 * xmlsec1 and xml-crypto verify the same output in test/interop/cpix-signature-tools.test.ts.
 */
import { describe, expect, it } from "vitest";
import { randomBytes } from "../../src/runtime/random";
import { contentKeyFromBytes } from "../../src/domain/content-key";
import { KeyId } from "../../src/domain/key-id";
import type { CpixDocument } from "../../src/cpix/model";
import { writeCpix } from "../../src/cpix/writer";
import { parseCertificate, type X509Certificate } from "../../src/x509/certificate";
import { acceptRecipients, encryptContentKeys } from "../../src/cpix/security/delivery-encryption";
import { signCpixDocument, verifyCpixSignatures } from "../../src/cpix/security/xml-signature";
import { makeTestCertificate, type TestCertificate } from "./support/make-certificate";

const NOW = new Date();

function certificateOf(made: TestCertificate): X509Certificate {
  const parsed = parseCertificate(made.der);
  if (!parsed.ok) throw new Error(parsed.problem.detail);
  return parsed.certificate;
}

async function encryptedAnswer(): Promise<CpixDocument> {
  const recipient = await makeTestCertificate();
  const accepted = await acceptRecipients([{ id: "r1", deliveryKey: { x509Certificates: [recipient.der] }, documentKeys: [] }], NOW);
  if (!accepted.ok) throw new Error("recipient refused");
  const keys = [{ kid: KeyId.require("11111111-2222-4333-8444-555555555555"), value: contentKeyFromBytes(randomBytes(16)) }];
  const encrypted = await encryptContentKeys(accepted.recipients, keys, { macKeyShape: "aws" });
  return {
    contentId: "movie-1",
    version: "2.3",
    deliveryDataList: { items: encrypted.deliveryData },
    contentKeyList: { id: "keys", items: encrypted.contentKeys },
  };
}

describe("signCpixDocument", () => {
  it.each([
    ["SHA-512", true],
    ["SHA-256", true],
    ["SHA-512", false],
  ] as const)("an encrypted answer signed with RSA-%s (pretty %s) verifies, signed by our certificate", async (hash, pretty) => {
    const signer = await makeTestCertificate({ commonName: "tenant signer" });
    const xml = writeCpix(await encryptedAnswer(), { pretty });
    const signed = await signCpixDocument(xml, { privateKey: await signer.signingKey(hash), certificate: certificateOf(signer) }, NOW);
    if (!signed.ok) throw new Error(JSON.stringify(signed.failure));
    expect(signed.xml).toContain(`xmldsig-more#rsa-${hash.toLowerCase().replace("-", "")}`);
    expect(signed.xml.trimEnd()).toMatch(/<\/ds:Signature>\s*<\/cpix:CPIX>$/);
    const verified = await verifyCpixSignatures(signed.xml, NOW);
    if (!verified.ok) throw new Error(JSON.stringify(verified.failure));
    expect(verified.signatures).toHaveLength(1);
    expect(verified.signatures[0]!.references).toEqual([{ uri: "", element: "CPIX" }]);
    expect(verified.signatures[0]!.signer.subject).toBe("CN=tenant signer");
  });

  it("signs a document whose root has no children", async () => {
    const signer = await makeTestCertificate();
    const signed = await signCpixDocument(
      writeCpix({}),
      { privateKey: await signer.signingKey("SHA-512"), certificate: certificateOf(signer) },
      NOW,
    );
    if (!signed.ok) throw new Error(JSON.stringify(signed.failure));
    expect((await verifyCpixSignatures(signed.xml, NOW)).ok).toBe(true);
  });

  it.each([
    ["a changed attribute", (xml: string) => xml.replace('contentId="movie-1"', 'contentId="movie-2"')],
    ["a removed list id", (xml: string) => xml.replace(' id="keys"', "")],
    [
      "a changed CipherValue",
      (xml: string) => xml.replace(/<enc:CipherValue>(.)/, (_all, c: string) => `<enc:CipherValue>${c === "A" ? "B" : "A"}`),
    ],
  ])("%s fails the document digest", async (_change, tamper) => {
    const signer = await makeTestCertificate();
    const signed = await signCpixDocument(
      writeCpix(await encryptedAnswer()),
      { privateKey: await signer.signingKey("SHA-512"), certificate: certificateOf(signer) },
      NOW,
    );
    if (!signed.ok) throw new Error(JSON.stringify(signed.failure));
    const tampered = tamper(signed.xml);
    expect(tampered).not.toBe(signed.xml);
    expect(await verifyCpixSignatures(tampered, NOW)).toEqual({ ok: false, failure: { reason: "digest-mismatch", signature: 1, uri: "" } });
  });
});

describe("exclusive C14N in our signatures", () => {
  it("ignores an unused namespace declaration added to the root (only namespaces in use are rendered, exc-c14n §3)", async () => {
    const signer = await makeTestCertificate();
    const signed = await signCpixDocument(
      writeCpix(await encryptedAnswer()),
      { privateKey: await signer.signingKey("SHA-512"), certificate: certificateOf(signer) },
      NOW,
    );
    if (!signed.ok) throw new Error(JSON.stringify(signed.failure));
    const redeclared = signed.xml.replace("<cpix:CPIX ", '<cpix:CPIX xmlns:x="urn:x" ');
    expect((await verifyCpixSignatures(redeclared, NOW)).ok).toBe(true);
  });
});

describe("signCpixDocument refusals", () => {
  const xml = writeCpix({ contentId: "c" });

  it("refuses a signer certificate that fails the policy, with its reason", async () => {
    const small = await makeTestCertificate({ key: 1024 });
    expect(
      await signCpixDocument(xml, { privateKey: await small.signingKey("SHA-256"), certificate: certificateOf(small) }, NOW),
    ).toMatchObject({
      ok: false,
      failure: { reason: "certificate-refused", problem: { reason: "weak-key", bits: 1024 } },
    });
    const expired = await makeTestCertificate({ notBefore: new Date("2020-01-01T00:00:00Z"), notAfter: new Date("2021-01-01T00:00:00Z") });
    expect(
      await signCpixDocument(xml, { privateKey: await expired.signingKey("SHA-256"), certificate: certificateOf(expired) }, NOW),
    ).toMatchObject({
      ok: false,
      failure: { reason: "certificate-refused", problem: { reason: "expired" } },
    });
  });

  it("refuses a private key that is not the certificate's", async () => {
    const [one, other] = await Promise.all([makeTestCertificate(), makeTestCertificate()]);
    expect(await signCpixDocument(xml, { privateKey: await one!.signingKey("SHA-512"), certificate: certificateOf(other!) }, NOW)).toEqual({
      ok: false,
      failure: { reason: "key-certificate-mismatch" },
    });
  });

  it("refuses a key of another algorithm or hash, naming it", async () => {
    const made = await makeTestCertificate();
    const pss = await crypto.subtle.importKey("pkcs8", made.pkcs8, { name: "RSA-PSS", hash: "SHA-256" }, false, ["sign"]);
    expect(await signCpixDocument(xml, { privateKey: pss, certificate: certificateOf(made) }, NOW)).toEqual({
      ok: false,
      failure: {
        reason: "unsupported-key",
        detail: "the signing key must be an RSASSA-PKCS1-v1_5 private key for sign, got RSA-PSS private",
      },
    });
    const sha1 = await crypto.subtle.importKey("pkcs8", made.pkcs8, { name: "RSASSA-PKCS1-v1_5", hash: "SHA-1" }, false, ["sign"]);
    expect(await signCpixDocument(xml, { privateKey: sha1, certificate: certificateOf(made) }, NOW)).toEqual({
      ok: false,
      failure: { reason: "unsupported-key", detail: "the signing key's hash must be SHA-256, SHA-384 or SHA-512, got SHA-1" },
    });
  });

  it("refuses text that is not CPIX or not XML", async () => {
    const made = await makeTestCertificate();
    const signer = { privateKey: await made.signingKey("SHA-256"), certificate: certificateOf(made) };
    expect(await signCpixDocument("<other/>", signer, NOW)).toEqual({ ok: false, failure: { reason: "not-cpix" } });
    expect(await signCpixDocument("<cpix:CPIX", signer, NOW)).toMatchObject({ ok: false, failure: { reason: "malformed-xml" } });
  });
});
