/**
 * X.509 certificates as CPIX carries them (`ds:X509Certificate`, base64 DER; CPIX 2.3 §DeliveryData Element and
 * §Digital Signature): parsed just far enough for key delivery and signatures (RFC 5280 §4.1), and the service's
 * certificate policy. WebCrypto cannot import a certificate, only its SubjectPublicKeyInfo, which is why this exists.
 */
import { fromBase64, toHex } from "../domain/bytes";
import { MIN_RSA_MODULUS_BITS, rsaKeyProblem } from "../domain/rsa-key-policy";
import { readKeyUsage } from "./certificate-extensions";
import { readName } from "./certificate-names";
import { decodeOid, DER_TAG, DerError, DerReader, type DerElement } from "./der";

/** The fields of a certificate the service uses, RFC 5280 §4.1.2. */
export interface X509Certificate {
  /** The whole certificate, DER. */
  readonly der: Uint8Array;
  /** `serialNumber` (§4.1.2.2): hex of the INTEGER's content octets, as encoded (two's complement). */
  readonly serialNumber: string;
  /** `issuer` (§4.1.2.4) as an RFC 4514 string, e.g. `CN=CPIX Example Entity 1`. */
  readonly issuer: string;
  /** `subject` (§4.1.2.6) as an RFC 4514 string. */
  readonly subject: string;
  /** `validity.notBefore` (§4.1.2.5). */
  readonly notBefore: Date;
  /** `validity.notAfter` (§4.1.2.5), inclusive. */
  readonly notAfter: Date;
  /** `subjectPublicKeyInfo` (§4.1.2.7), DER: what WebCrypto imports as `spki`. */
  readonly subjectPublicKeyInfo: Uint8Array;
  /** The SPKI algorithm OID, e.g. 1.2.840.113549.1.1.1 (rsaEncryption, RFC 8017 Appendix A.1). */
  readonly publicKeyAlgorithm: string;
  /** The first byte of the keyUsage bits (§4.2.1.3), absent when the certificate has no keyUsage extension. */
  readonly keyUsage?: number;
}

/** Why a certificate is refused. Problems name the rule and the allowed values, never the certificate's bytes. */
export type CertificateProblem =
  /** Not a DER X.509 certificate (or not PEM/base64 of one); `detail` says which structure broke. */
  | { readonly reason: "malformed-certificate"; readonly detail: string }
  /** The key is not RSA (`rsaEncryption`): EC, EdDSA, RSASSA-PSS-only keys cannot be used with RSA-OAEP. */
  | { readonly reason: "unsupported-key-algorithm"; readonly algorithm: string }
  /** An RSA key below MIN_RSA_MODULUS_BITS; `detail` is rsaKeyProblem's sentence. */
  | { readonly reason: "weak-key"; readonly bits: number; readonly minimum: number; readonly detail: string }
  | { readonly reason: "not-yet-valid"; readonly notBefore: string }
  | { readonly reason: "expired"; readonly notAfter: string };

export type CertificateParseResult =
  | { readonly ok: true; readonly certificate: X509Certificate }
  | { readonly ok: false; readonly problem: Extract<CertificateProblem, { reason: "malformed-certificate" }> };

/** rsaEncryption, RFC 8017 Appendix A.1 (PKCS #1). */
export const RSA_ENCRYPTION_OID = "1.2.840.113549.1.1.1";

/** Names for refusals of key algorithms seen in the wild (RFC 5480 §2.1.1, RFC 4055 §3.1, RFC 8410 §3, RFC 3279 §2.3.2). */
const KEY_ALGORITHM_NAMES: Readonly<Record<string, string>> = {
  "1.2.840.10045.2.1": "EC (id-ecPublicKey)",
  "1.2.840.113549.1.1.10": "RSASSA-PSS",
  "1.3.101.112": "Ed25519",
  "1.3.101.113": "Ed448",
  "1.2.840.10040.4.1": "DSA",
};

/**
 * Parses a certificate from DER bytes, base64 of DER (what `ds:X509Certificate` holds) or PEM (RFC 7468 §5).
 * @example
 * const parsed = parseCertificate(deliveryData.deliveryKey.x509Certificates[0]!);
 * if (!parsed.ok) return refuse(parsed.problem);
 */
export function parseCertificate(input: Uint8Array | string): CertificateParseResult {
  const der = typeof input === "string" ? decodeText(input) : input;
  if (!der) return malformed("not PEM or base64 of a DER certificate");
  try {
    return { ok: true, certificate: readCertificate(der) };
  } catch (error) {
    if (error instanceof DerError) return malformed(error.message);
    throw error;
  }
}

/**
 * The end-entity certificate of an `X509Data` list: XML-DSig 1.1 §4.5.4 implies no order, so it is the one that
 * issued none of the others (the first such, or the first overall when every one issued another, e.g. a lone
 * self-signed certificate).
 */
export function endEntityCertificate(certificates: readonly X509Certificate[]): X509Certificate | undefined {
  const issuedOthers = (candidate: X509Certificate) =>
    certificates.some((other) => other !== candidate && other.issuer === candidate.subject && other.subject !== candidate.subject);
  return certificates.find((candidate) => !issuedOthers(candidate)) ?? certificates[0];
}

/**
 * The service's certificate policy (recipients and signers alike): an RSA key (`rsaEncryption`) of at least
 * MIN_RSA_MODULUS_BITS (SPEKE: "requires 2048 RSA-based certificates"), and `now` inside the validity period
 * (RFC 5280 §4.1.2.5). The certificate's own signature algorithm is not judged: SHA-1-signed certificates with a
 * strong key are accepted, as nothing here builds a chain. Returns undefined when the certificate is acceptable.
 */
export async function certificatePolicyProblem(certificate: X509Certificate, now: Date): Promise<CertificateProblem | undefined> {
  if (certificate.publicKeyAlgorithm !== RSA_ENCRYPTION_OID) {
    const algorithm = KEY_ALGORITHM_NAMES[certificate.publicKeyAlgorithm] ?? certificate.publicKeyAlgorithm;
    return { reason: "unsupported-key-algorithm", algorithm };
  }
  let key: CryptoKey;
  try {
    key = await rsaOaepKey(certificate);
  } catch {
    return { reason: "malformed-certificate", detail: "the RSA public key cannot be imported" };
  }
  const detail = rsaKeyProblem(key, "the certificate's RSA key");
  if (detail !== undefined) {
    const bits = (key.algorithm as CryptoKeyRsaKeyAlgorithm).modulusLength;
    return { reason: "weak-key", bits, minimum: MIN_RSA_MODULUS_BITS, detail };
  }
  if (now.getTime() < certificate.notBefore.getTime()) return { reason: "not-yet-valid", notBefore: certificate.notBefore.toISOString() };
  if (now.getTime() > certificate.notAfter.getTime()) return { reason: "expired", notAfter: certificate.notAfter.toISOString() };
  return undefined;
}

/** Imports the certificate's public key for one WebCrypto use (RSA-OAEP for key wrapping, RSASSA-PKCS1-v1_5 for signatures). */
export function importCertificateKey(
  certificate: X509Certificate,
  algorithm: SubtleCryptoImportKeyAlgorithm,
  usages: string[],
): Promise<CryptoKey> {
  return crypto.subtle.importKey("spki", certificate.subjectPublicKeyInfo, algorithm, false, usages);
}

/** RSA-OAEP keys imported per parsed certificate, kept as long as the certificate object is (rsaOaepKey). */
const RSA_OAEP_KEYS = new WeakMap<X509Certificate, Promise<CryptoKey>>();

/**
 * The certificate's public key for RSA-OAEP (SHA-1, MGF1-SHA-1; xmlenc#rsa-oaep-mgf1p) key wrapping, imported once
 * per certificate object: the policy check and the wrapping of one request share it, and a certificate that comes
 * comes back from a cache of parsed certificates shares it across requests.
 */
export function rsaOaepKey(certificate: X509Certificate): Promise<CryptoKey> {
  let key = RSA_OAEP_KEYS.get(certificate);
  if (!key) {
    key = importCertificateKey(certificate, { name: "RSA-OAEP", hash: "SHA-1" }, ["encrypt"]);
    RSA_OAEP_KEYS.set(certificate, key);
  }
  return key;
}

/** One sentence for an error body or log line: `what` names the certificate's role. */
export function describeCertificateProblem(problem: CertificateProblem, what: string): string {
  switch (problem.reason) {
    case "malformed-certificate":
      return `${what} is not a valid X.509 certificate: ${problem.detail}`;
    case "unsupported-key-algorithm":
      return `${what} must hold an RSA key (rsaEncryption), got ${problem.algorithm}`;
    case "weak-key":
      return `${what} must hold an RSA key of at least ${problem.minimum} bits, got ${problem.bits}`;
    case "not-yet-valid":
      return `${what} is not valid before ${problem.notBefore}`;
    case "expired":
      return `${what} expired at ${problem.notAfter}`;
  }
}

function malformed(detail: string): CertificateParseResult {
  return { ok: false, problem: { reason: "malformed-certificate", detail } };
}

/** PEM (the first CERTIFICATE block, RFC 7468 §5.1) or bare base64. */
function decodeText(text: string): Uint8Array | undefined {
  const pem = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/.exec(text);
  return fromBase64(pem ? pem[1]! : text);
}

/** RFC 5280 §4.1: Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue }. */
function readCertificate(der: Uint8Array): X509Certificate {
  const outer = new DerReader(der);
  const certificate = outer.enter(DER_TAG.SEQUENCE, "Certificate");
  outer.finish("Certificate");
  const tbs = certificate.enter(DER_TAG.SEQUENCE, "tbsCertificate");
  certificate.read(DER_TAG.SEQUENCE, "signatureAlgorithm");
  certificate.read(DER_TAG.BIT_STRING, "signatureValue");
  certificate.finish("Certificate");
  if (tbs.peekTag() === 0xa0) tbs.read(0xa0, "version"); // [0] EXPLICIT Version DEFAULT v1 (§4.1.2.1)
  const serial = tbs.read(DER_TAG.INTEGER, "serialNumber");
  tbs.read(DER_TAG.SEQUENCE, "signature");
  const issuer = readName(tbs.read(DER_TAG.SEQUENCE, "issuer"));
  const validity = tbs.enter(DER_TAG.SEQUENCE, "validity");
  const notBefore = readTime(validity.read(undefined, "notBefore"));
  const notAfter = readTime(validity.read(undefined, "notAfter"));
  validity.finish("validity");
  const subject = readName(tbs.read(DER_TAG.SEQUENCE, "subject"));
  const spki = tbs.read(DER_TAG.SEQUENCE, "subjectPublicKeyInfo");
  const spkiReader = new DerReader(spki.content);
  const algorithm = spkiReader.enter(DER_TAG.SEQUENCE, "subjectPublicKeyInfo.algorithm");
  const publicKeyAlgorithm = decodeOid(algorithm.read(DER_TAG.OBJECT_IDENTIFIER, "algorithm").content);
  spkiReader.read(DER_TAG.BIT_STRING, "subjectPublicKey");
  spkiReader.finish("subjectPublicKeyInfo");
  const keyUsage = readKeyUsage(tbs);
  return {
    der: Uint8Array.from(der),
    serialNumber: toHex(serial.content),
    issuer,
    subject,
    notBefore,
    notAfter,
    subjectPublicKeyInfo: Uint8Array.from(spki.encoded),
    publicKeyAlgorithm,
    ...(keyUsage !== undefined && { keyUsage }),
  };
}

/** Time ::= UTCTime (YYMMDDHHMMSSZ, YY < 50 → 20YY) | GeneralizedTime (YYYYMMDDHHMMSSZ), RFC 5280 §4.1.2.5.1–2. */
function readTime(time: DerElement): Date {
  const text = new TextDecoder("latin1").decode(time.content);
  let match: RegExpExecArray | null;
  if (time.tag === DER_TAG.UTC_TIME && (match = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text))) {
    const yy = Number(match[1]);
    return utc(yy < 50 ? 2000 + yy : 1900 + yy, match.slice(2));
  }
  if (time.tag === DER_TAG.GENERALIZED_TIME && (match = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text))) {
    return utc(Number(match[1]), match.slice(2));
  }
  throw new DerError("validity: a time must be UTCTime or GeneralizedTime in UTC with seconds (RFC 5280 §4.1.2.5)");
}

function utc(year: number, [month, day, hour, minute, second]: string[]): Date {
  return new Date(Date.UTC(year, Number(month) - 1, Number(day), Number(hour), Number(minute), Number(second)));
}
