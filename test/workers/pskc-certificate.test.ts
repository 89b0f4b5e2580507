/**
 * The recipient certificate of a certificate-protected export (RFC 6030 §6.3): the RSA key policy (≥ 2048 bits),
 * validity dates (RFC 5280 §4.1.2.5, UTCTime and GeneralizedTime) and keyUsage, each refusal with its reason.
 */
import { describe, expect, it } from "vitest";
import ecCertificatePem from "../fixtures/pskc/ec-p256.cert.pem?raw";
import rsa1024CertificatePem from "../fixtures/pskc/rsa1024.cert.pem?raw";
import signingOnlyCertificatePem from "../fixtures/pskc/signing-only.cert.pem?raw";
import { concatBytes } from "../../src/domain/bytes";
import { readRecipientCertificate } from "../../src/pskc/recipient-certificate";
import { writePskcCertificatePackage } from "../../src/pskc/writer";
import { describeSeedExportCertificateProblem } from "../../src/x509/certificate-failure";
import type { CertificateProblem } from "../../src/x509/certificate-problem";
import { WITHIN_VALIDITY, pemToDer, recipientCertificatePem, sampleSeeds } from "./support/pskc";

const recipient = pemToDer(recipientCertificatePem);

describe("readRecipientCertificate", () => {
  it("accepts the 2048-bit RSA recipient and reads its validity (notBefore UTCTime, notAfter GeneralizedTime after 2049)", async () => {
    const read = await readRecipientCertificate(recipient, WITHIN_VALIDITY);
    if (!read.ok) throw new Error(describeSeedExportCertificateProblem(read.problem));
    expect(read.certificate.notBefore.toISOString()).toBe("2026-11-26T02:06:29.000Z");
    expect(read.certificate.notAfter.toISOString()).toBe("2126-11-02T02:06:29.000Z");
    expect((read.certificate.publicKey.algorithm as CryptoKeyRsaKeyAlgorithm).modulusLength).toBe(2048);
  });

  const refusals: [string, string, Date, CertificateProblem, string][] = [
    [
      "a 1024-bit RSA key",
      rsa1024CertificatePem,
      WITHIN_VALIDITY,
      { reason: "weak-key", bits: 1024, minimum: 2048 },
      "Certificate's RSA key must be at least 2048 bits, got 1024",
    ],
    [
      "an EC key",
      ecCertificatePem,
      WITHIN_VALIDITY,
      { reason: "unsupported-key-algorithm", algorithm: "EC (id-ecPublicKey)" },
      "Certificate must carry an RSA public key (rsaEncryption) for RSA-OAEP key transport",
    ],
    [
      "a keyUsage without keyEncipherment",
      signingOnlyCertificatePem,
      WITHIN_VALIDITY,
      { reason: "key-usage", required: "keyEncipherment" },
      "Certificate's keyUsage must include keyEncipherment (RFC 5280 §4.2.1.3) to receive a key",
    ],
    [
      "an expired certificate",
      recipientCertificatePem,
      new Date("2127-01-01T00:00:00Z"),
      { reason: "expired", notAfter: "2126-11-02T02:06:29.000Z" },
      "Certificate expired at 2126-11-02T02:06:29.000Z",
    ],
    [
      "a certificate not valid yet",
      recipientCertificatePem,
      new Date("2026-01-01T00:00:00Z"),
      { reason: "not-yet-valid", notBefore: "2026-11-26T02:06:29.000Z" },
      "Certificate is not valid before 2026-11-26T02:06:29.000Z",
    ],
  ];

  it.each(refusals)("refuses %s, naming why", async (_, pem, now, problem, message) => {
    expect(await readRecipientCertificate(pemToDer(pem), now)).toEqual({ ok: false, problem });
    expect(describeSeedExportCertificateProblem(problem)).toBe(message);
  });

  it.each([
    ["bytes that are not DER", new TextEncoder().encode("not a certificate")],
    ["a truncated certificate", recipient.subarray(0, recipient.length - 10)],
    ["a certificate followed by more bytes", concatBytes(recipient, new Uint8Array([0]))],
    ["an empty body", new Uint8Array(0)],
  ])("refuses %s as unreadable", async (_, der) => {
    const read = await readRecipientCertificate(der, WITHIN_VALIDITY);
    expect(read).toMatchObject({ ok: false, problem: { reason: "malformed-certificate" } });
    expect(!read.ok && describeSeedExportCertificateProblem(read.problem)).toMatch(
      /^Certificate must be one X\.509 certificate \(DER, or PEM "BEGIN CERTIFICATE"\): /,
    );
  });
});

describe("writePskcCertificatePackage", () => {
  it("writes nothing for a refused certificate and answers its problem", async () => {
    const written = await writePskcCertificatePackage(sampleSeeds(), pemToDer(rsa1024CertificatePem), { now: WITHIN_VALIDITY });
    expect(written).toEqual({ ok: false, problem: { reason: "weak-key", bits: 1024, minimum: 2048 } });
    expect(!written.ok && describeSeedExportCertificateProblem(written.problem)).toBe(
      "Certificate's RSA key must be at least 2048 bits, got 1024",
    );
  });

  it("refuses seeds that are not 30 bytes, duplicate ids and an empty list as programming errors", async () => {
    const [seed] = sampleSeeds();
    const options = { now: WITHIN_VALIDITY };
    await expect(writePskcCertificatePackage([{ ...seed!, value: new Uint8Array(32) }], recipient, options)).rejects.toThrow(
      /30 bytes, got 32/,
    );
    await expect(writePskcCertificatePackage([seed!, seed!], recipient, options)).rejects.toThrow(/unique/);
    await expect(writePskcCertificatePackage([], recipient, options)).rejects.toThrow(/at least one/);
  });
});
