/**
 * The recipient of a certificate-protected export (RFC 6030 §6.3): an X.509 certificate (RFC 5280) whose RSA key
 * receives the document's transport key. Parsed by the service's one certificate reader (src/cpix/security/); the
 * service's RSA key policy applies, and a keyUsage, when present, must allow keyEncipherment.
 */
import { toHex } from "../domain/bytes";
import { rsaKeyProblem } from "../domain/rsa-key-policy";
import { parseCertificate } from "../x509/certificate";
import { RSA_ENCRYPTION_OID } from "../x509/certificate-policy";
import { importRecipientKey } from "./pskc-crypto";

/** A certificate that passed every check, with its key ready for RSA-OAEP. */
export interface RecipientCertificate {
  readonly der: Uint8Array;
  readonly publicKey: CryptoKey;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** Lower-case hex SHA-256 of the DER: names the recipient in an audit record. */
  readonly sha256: string;
}

export type CertificateProblemReason = "unreadable" | "not-rsa" | "key-too-small" | "not-yet-valid" | "expired" | "key-usage";

/** Why a certificate is refused; `message` names the rule and never carries key material. */
export interface CertificateProblem {
  readonly reason: CertificateProblemReason;
  readonly message: string;
}

export type RecipientCertificateResult =
  { readonly ok: true; readonly certificate: RecipientCertificate } | { readonly ok: false; readonly problem: CertificateProblem };

/** keyEncipherment is bit 2 of KeyUsage: 0x20 in the first byte of its bits (RFC 5280 §4.2.1.3, X.690 §8.6.2). */
const KEY_ENCIPHERMENT_MASK = 0x20;

/**
 * Reads a recipient certificate and applies the checks of an export: an RSA key of at least 2048 bits
 * (src/domain/rsa-key-policy.ts), `now` within notBefore..notAfter (RFC 5280 §4.1.2.5), and, when the certificate
 * has a keyUsage extension, keyEncipherment among its bits (RFC 5280 §4.2.1.3).
 */
export async function readRecipientCertificate(der: Uint8Array, now: Date): Promise<RecipientCertificateResult> {
  const parsed = parseCertificate(der);
  if (!parsed.ok) {
    return refuse("unreadable", `Certificate must be one X.509 certificate (DER, or PEM "BEGIN CERTIFICATE"): ${parsed.problem.detail}`);
  }
  const certificate = parsed.certificate;
  if (certificate.publicKeyAlgorithm !== RSA_ENCRYPTION_OID) {
    return refuse("not-rsa", "Certificate must carry an RSA public key (rsaEncryption) for RSA-OAEP key transport");
  }
  let publicKey: CryptoKey;
  try {
    publicKey = await importRecipientKey(certificate.subjectPublicKeyInfo);
  } catch {
    return refuse("unreadable", "Certificate's RSA public key cannot be read");
  }
  const keyProblem = rsaKeyProblem(publicKey, "Certificate's RSA key");
  if (keyProblem) return refuse("key-too-small", keyProblem);
  const { notBefore, notAfter } = certificate;
  if (now < notBefore) return refuse("not-yet-valid", `Certificate is not valid before ${notBefore.toISOString()}`);
  if (now > notAfter) return refuse("expired", `Certificate expired at ${notAfter.toISOString()}`);
  if (certificate.keyUsage !== undefined && (certificate.keyUsage & KEY_ENCIPHERMENT_MASK) === 0) {
    return refuse("key-usage", "Certificate's keyUsage must include keyEncipherment (RFC 5280 §4.2.1.3) to receive a key");
  }
  const sha256 = toHex(new Uint8Array(await crypto.subtle.digest("SHA-256", der)));
  return { ok: true, certificate: { der, publicKey, notBefore, notAfter, sha256 } };
}

function refuse(reason: CertificateProblemReason, message: string): RecipientCertificateResult {
  return { ok: false, problem: { reason, message } };
}
