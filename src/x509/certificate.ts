/**
 * The certificate model and its reader: X.509 certificates (RFC 5280 §4.1) as CPIX carries them
 * (`ds:X509Certificate`, base64 DER; CPIX 2.3 §DeliveryData Element and §Digital Signature) and as the Management
 * API receives them (PEM or base64, RFC 7468 §5), parsed just far enough for key transport and signatures. WebCrypto
 * cannot import a certificate, only its SubjectPublicKeyInfo, which is why this exists. What the service accepts is
 * certificate-policy.ts.
 */
import { fromBase64, toHex } from "../domain/bytes";
import { readKeyUsage } from "./certificate-extensions";
import { readName } from "./certificate-names";
import type { CertificateProblem } from "./certificate-problem";
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

export type CertificateParseResult =
  | { readonly ok: true; readonly certificate: X509Certificate }
  | { readonly ok: false; readonly problem: Extract<CertificateProblem, { reason: "malformed-certificate" }> };

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
