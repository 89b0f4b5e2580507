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
import { WITHIN_VALIDITY, pemToDer, recipientCertificatePem, sampleSeeds } from "./support/pskc";

const recipient = pemToDer(recipientCertificatePem);

describe("readRecipientCertificate", () => {
  it("accepts the 2048-bit RSA recipient and reads its validity (notBefore UTCTime, notAfter GeneralizedTime after 2049)", async () => {
    const read = await readRecipientCertificate(recipient, WITHIN_VALIDITY);
    if (!read.ok) throw new Error(read.problem.message);
    expect(read.certificate.notBefore.toISOString()).toBe("2026-11-26T02:06:29.000Z");
    expect(read.certificate.notAfter.toISOString()).toBe("2126-11-02T02:06:29.000Z");
    expect((read.certificate.publicKey.algorithm as CryptoKeyRsaKeyAlgorithm).modulusLength).toBe(2048);
  });

  it.each([
    [
      "a 1024-bit RSA key",
      rsa1024CertificatePem,
      WITHIN_VALIDITY,
      "key-too-small",
      "Certificate's RSA key must be at least 2048 bits, got 1024",
    ],
    [
      "an EC key",
      ecCertificatePem,
      WITHIN_VALIDITY,
      "not-rsa",
      "Certificate must carry an RSA public key (rsaEncryption) for RSA-OAEP key transport",
    ],
    [
      "a keyUsage without keyEncipherment",
      signingOnlyCertificatePem,
      WITHIN_VALIDITY,
      "key-usage",
      "Certificate's keyUsage must include keyEncipherment (RFC 5280 §4.2.1.3) to receive a key",
    ],
    [
      "an expired certificate",
      recipientCertificatePem,
      new Date("2127-01-01T00:00:00Z"),
      "expired",
      "Certificate expired at 2126-11-02T02:06:29.000Z",
    ],
    [
      "a certificate not valid yet",
      recipientCertificatePem,
      new Date("2026-01-01T00:00:00Z"),
      "not-yet-valid",
      "Certificate is not valid before 2026-11-26T02:06:29.000Z",
    ],
  ])("refuses %s, naming why", async (_, pem, now, reason, message) => {
    expect(await readRecipientCertificate(pemToDer(pem), now)).toEqual({ ok: false, problem: { reason, message } });
  });

  it.each([
    ["bytes that are not DER", new TextEncoder().encode("not a certificate")],
    ["a truncated certificate", recipient.subarray(0, recipient.length - 10)],
    ["a certificate followed by more bytes", concatBytes(recipient, new Uint8Array([0]))],
    ["an empty body", new Uint8Array(0)],
  ])("refuses %s as unreadable", async (_, der) => {
    const read = await readRecipientCertificate(der, WITHIN_VALIDITY);
    expect(read).toMatchObject({ ok: false, problem: { reason: "unreadable" } });
  });
});

describe("writePskcCertificatePackage", () => {
  it("writes nothing for a refused certificate and answers its problem", async () => {
    expect(await writePskcCertificatePackage(sampleSeeds(), pemToDer(rsa1024CertificatePem), { now: WITHIN_VALIDITY })).toEqual({
      ok: false,
      problem: { reason: "key-too-small", message: "Certificate's RSA key must be at least 2048 bits, got 1024" },
    });
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
