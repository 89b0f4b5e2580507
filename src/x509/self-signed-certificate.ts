/**
 * Writes a self-signed X.509 v3 certificate (RFC 5280 §4.1) for an RSA key the service made: the deployment's restore
 * certificate (docs/backup.md). The subject is one common name, the issuer the same; the one extension is keyUsage.
 */
import { toBase64 } from "../domain/bytes";
import {
  DER_NULL,
  derBitString,
  derBoolean,
  derExplicit,
  derOctetString,
  derOid,
  derSequence,
  derSet,
  derTime,
  derUnsignedInteger,
  derUtf8String,
} from "./der-writer";

/** sha256WithRSAEncryption, RFC 4055 §5 (parameters NULL, RFC 5754 §3.2). */
const SHA256_WITH_RSA_OID = "1.2.840.113549.1.1.11";
/** id-at-commonName, RFC 5280 Appendix A.1 (X.520). */
const COMMON_NAME_OID = "2.5.4.3";
/** id-ce-keyUsage, RFC 5280 §4.2.1.3. */
const KEY_USAGE_OID = "2.5.29.15";
/** keyEncipherment is bit 2 of KeyUsage (RFC 5280 §4.2.1.3): 0x20 in the first octet, 5 unused bits after it. */
const KEY_ENCIPHERMENT_BITS = { octets: Uint8Array.of(0x20), unused: 5 };

export interface SelfSignedCertificateOptions {
  readonly commonName: string;
  /** A positive serial of at most 20 octets (RFC 5280 §4.1.2.2), random so no two certificates share one. */
  readonly serialNumber: Uint8Array;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** The key's SubjectPublicKeyInfo, DER (WebCrypto's `spki` export of an RSA key). */
  readonly subjectPublicKeyInfo: Uint8Array;
  /** The same key's private half, imported for RSASSA-PKCS1-v1_5 with SHA-256: the certificate signs itself. */
  readonly signingKey: CryptoKey;
}

/**
 * The certificate's DER: version v3, keyUsage keyEncipherment (critical, as §4.2.1.3 asks of CAs that add it), signed
 * sha256WithRSAEncryption with the subject's own key.
 * @example const der = await selfSignedCertificate({ commonName: "edge-key-service restore 1f0e…", serialNumber, notBefore, notAfter, subjectPublicKeyInfo, signingKey });
 */
export async function selfSignedCertificate(options: SelfSignedCertificateOptions): Promise<Uint8Array> {
  const signatureAlgorithm = derSequence(derOid(SHA256_WITH_RSA_OID), DER_NULL);
  const name = derSequence(derSet(derSequence(derOid(COMMON_NAME_OID), derUtf8String(options.commonName))));
  const keyUsage = derSequence(
    derOid(KEY_USAGE_OID),
    derBoolean(true),
    derOctetString(derBitString(KEY_ENCIPHERMENT_BITS.octets, KEY_ENCIPHERMENT_BITS.unused)),
  );
  const tbsCertificate = derSequence(
    derExplicit(0, derUnsignedInteger(Uint8Array.of(2))), // Version v3 is 2 (§4.1.2.1)
    derUnsignedInteger(options.serialNumber),
    signatureAlgorithm,
    name,
    derSequence(derTime(options.notBefore), derTime(options.notAfter)),
    name,
    options.subjectPublicKeyInfo,
    derExplicit(3, derSequence(keyUsage)),
  );
  const signature = await crypto.subtle.sign({ name: "RSASSA-PKCS1-v1_5" }, options.signingKey, tbsCertificate);
  return derSequence(tbsCertificate, signatureAlgorithm, derBitString(new Uint8Array(signature)));
}

/** PEM of a certificate (RFC 7468 §5.1): base64 in lines of 64 characters between the CERTIFICATE labels. */
export function certificatePem(der: Uint8Array): string {
  const lines = toBase64(der).match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join("\n")}\n-----END CERTIFICATE-----\n`;
}
