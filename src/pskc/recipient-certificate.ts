/**
 * The recipient of a certificate-protected export (RFC 6030 §6.3): an X.509 certificate (RFC 5280) whose RSA key
 * receives the document's transport key. Read with the narrow DER reader; the service's RSA key policy applies.
 */
import { toHex } from "../domain/bytes";
import { rsaKeyProblem } from "../domain/rsa-key-policy";
import { DER_TAG, DerError, derChild, derChildren, readDerDocument, sameBytes, type DerElement } from "./der";
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

/** rsaEncryption, 1.2.840.113549.1.1.1 (RFC 8017 Appendix C), as DER OID contents. */
const RSA_ENCRYPTION_OID = new Uint8Array([0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01]);
/** id-ce-keyUsage, 2.5.29.15 (RFC 5280 §4.2.1.3). */
const KEY_USAGE_OID = new Uint8Array([0x55, 0x1d, 0x0f]);
/** keyEncipherment is bit 2 of KeyUsage: 0x20 in the first content byte of the BIT STRING (X.690 §8.6.2). */
const KEY_ENCIPHERMENT_MASK = 0x20;

/**
 * Reads a recipient certificate and applies the checks of an export: an RSA key of at least 2048 bits
 * (src/domain/rsa-key-policy.ts), `now` within notBefore..notAfter (RFC 5280 §4.1.2.5), and, when the certificate
 * has a keyUsage extension, keyEncipherment among its bits (RFC 5280 §4.2.1.3).
 */
export async function readRecipientCertificate(der: Uint8Array, now: Date): Promise<RecipientCertificateResult> {
  let parts: ReturnType<typeof certificateParts>;
  try {
    parts = certificateParts(der);
  } catch (error) {
    if (!(error instanceof DerError)) throw error;
    return refuse("unreadable", `Certificate must be one X.509 certificate (DER, or PEM "BEGIN CERTIFICATE"): ${error.message}`);
  }
  if (!parts.rsa) return refuse("not-rsa", "Certificate must carry an RSA public key (rsaEncryption) for RSA-OAEP key transport");
  let publicKey: CryptoKey;
  try {
    publicKey = await importRecipientKey(parts.spki);
  } catch {
    return refuse("unreadable", "Certificate's RSA public key cannot be read");
  }
  const keyProblem = rsaKeyProblem(publicKey, "Certificate's RSA key");
  if (keyProblem) return refuse("key-too-small", keyProblem);
  if (now < parts.notBefore) return refuse("not-yet-valid", `Certificate is not valid before ${parts.notBefore.toISOString()}`);
  if (now > parts.notAfter) return refuse("expired", `Certificate expired at ${parts.notAfter.toISOString()}`);
  if (parts.keyUsage !== undefined && (parts.keyUsage & KEY_ENCIPHERMENT_MASK) === 0) {
    return refuse("key-usage", "Certificate's keyUsage must include keyEncipherment (RFC 5280 §4.2.1.3) to receive a key");
  }
  const sha256 = toHex(new Uint8Array(await crypto.subtle.digest("SHA-256", der)));
  return { ok: true, certificate: { der, publicKey, notBefore: parts.notBefore, notAfter: parts.notAfter, sha256 } };
}

function refuse(reason: CertificateProblemReason, message: string): RecipientCertificateResult {
  return { ok: false, problem: { reason, message } };
}

/** The fields an export needs from `Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signature }`. */
function certificateParts(der: Uint8Array) {
  const certificate = readDerDocument(der, DER_TAG.SEQUENCE);
  const tbs = derChild(certificate, 0, DER_TAG.SEQUENCE, "tbsCertificate");
  const fields = derChildren(tbs);
  // RFC 5280 §4.1: [0] version (optional), serialNumber, signature, issuer, validity, subject, subjectPublicKeyInfo.
  const first = fields[0]?.tag === DER_TAG.context(0) ? 1 : 0;
  const validity = fields[first + 3];
  const spki = fields[first + 5];
  if (validity?.tag !== DER_TAG.SEQUENCE) throw new DerError("tbsCertificate has no validity");
  if (spki?.tag !== DER_TAG.SEQUENCE) throw new DerError("tbsCertificate has no subjectPublicKeyInfo");
  const [notBefore, notAfter] = derChildren(validity).map(readTime);
  if (!notBefore || !notAfter) throw new DerError("validity must hold notBefore and notAfter");
  const algorithm = derChild(derChild(spki, 0, DER_TAG.SEQUENCE, "subjectPublicKeyInfo algorithm"), 0, DER_TAG.OID, "algorithm OID");
  const extensions = fields.slice(first + 6).find((field) => field.tag === DER_TAG.context(3));
  return {
    notBefore,
    notAfter,
    spki: spki.bytes,
    rsa: sameBytes(algorithm.contents, RSA_ENCRYPTION_OID),
    keyUsage: extensions && keyUsageBits(extensions),
  };
}

/** UTCTime (two-digit years: 50–99 → 19xx, else 20xx) or GeneralizedTime, both in Zulu (RFC 5280 §4.1.2.5). */
function readTime(element: DerElement): Date {
  const text = String.fromCharCode(...element.contents);
  const match =
    element.tag === DER_TAG.UTC_TIME
      ? /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text)
      : element.tag === DER_TAG.GENERALIZED_TIME
        ? /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text)
        : null;
  if (!match) throw new DerError("validity times must be UTCTime or GeneralizedTime in Zulu with seconds");
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number) as [number, number, number, number, number, number];
  const fullYear = element.tag === DER_TAG.UTC_TIME ? (year >= 50 ? 1900 + year : 2000 + year) : year;
  return new Date(Date.UTC(fullYear, month - 1, day, hour, minute, second));
}

/** The first byte of the keyUsage BIT STRING, or undefined when the certificate has no keyUsage extension. */
function keyUsageBits(extensionsField: DerElement): number | undefined {
  const extensions = derChild(extensionsField, 0, DER_TAG.SEQUENCE, "extensions");
  for (const extension of derChildren(extensions)) {
    const parts = derChildren(extension);
    if (!parts[0] || !sameBytes(parts[0].contents, KEY_USAGE_OID)) continue;
    const value = parts[parts.length - 1];
    if (value?.tag !== DER_TAG.OCTET_STRING) throw new DerError("keyUsage extnValue must be an OCTET STRING");
    const bits = readDerDocument(value.contents, DER_TAG.BIT_STRING).contents;
    return bits[1] ?? 0;
  }
  return undefined;
}
