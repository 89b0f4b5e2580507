/**
 * The service's certificate policy, one check per purpose. Every purpose asks for an RSA key (`rsaEncryption`) of at
 * least MIN_RSA_MODULUS_BITS (SPEKE: "requires 2048 RSA-based certificates") and `now` inside the validity period
 * (RFC 5280 §4.1.2.5); a purpose may also require a keyUsage bit when the certificate has a keyUsage extension
 * (§4.2.1.3: without one, the key may be used for anything, which is what `openssl req -x509` makes). The
 * certificate's own signature algorithm is not judged: SHA-1-signed certificates with a strong key are accepted,
 * as nothing here builds a chain, and neither is basicConstraints (a self-signed CA:TRUE certificate is accepted).
 */
import { MIN_RSA_MODULUS_BITS } from "../domain/rsa-key-policy";
import type { X509Certificate } from "./certificate";
import { rsaOaepKey } from "./certificate-keys";
import type { CertificateProblem, KeyUsageName } from "./certificate-problem";

/** What a certificate is for; each purpose has its rules in CERTIFICATE_POLICIES. */
export type CertificatePurpose =
  /** A CPIX DeliveryData recipient (CPIX 2.3 §DeliveryData Element), a content-key export's Certificate, or the request signer EncryptContentKeys encrypts for. */
  | "recipient"
  /** A CPIX document signer: a request's signature (CPIX 2.3 §Digital Signature) or the tenant's signing key. */
  | "signer"
  /** A trusted requester's certificate sent to /api/TrustedRequesters. */
  | "trusted-requester"
  /** The recipient of a PSKC key-seed export (RFC 6030 §6.3). */
  | "seed-export"
  /** The recipient of a tenant backup (docs/backup.md): a deployment's restore certificate. */
  | "backup";

interface CertificateRules {
  /** A keyUsage bit the certificate must carry when it has a keyUsage extension. */
  readonly keyUsage?: KeyUsageName;
  /** The smallest RSA modulus accepted, when above MIN_RSA_MODULUS_BITS. */
  readonly minimumBits?: number;
}

/**
 * RSA 3072 (128-bit security): NIST SP 800-57 Part 1 Rev. 5 §5.6.3 accepts 112-bit security (RSA 2048) only through
 * 2030, and a backup holds seeds that must stay secret for as long as the content they protect is played.
 */
export const BACKUP_MIN_RSA_MODULUS_BITS = 3072;

/**
 * The rules of each purpose. Only a key-seed export and a backup ask for keyEncipherment: the DASH-IF test-vector
 * recipients (Cert1–Cert4) have no extensions at all, and CPIX recipients and signers have never been judged on
 * keyUsage. Only a backup asks for more than MIN_RSA_MODULUS_BITS.
 */
const CERTIFICATE_POLICIES: Readonly<Record<CertificatePurpose, CertificateRules>> = {
  recipient: {},
  signer: {},
  "trusted-requester": {},
  "seed-export": { keyUsage: "keyEncipherment" },
  backup: { keyUsage: "keyEncipherment", minimumBits: BACKUP_MIN_RSA_MODULUS_BITS },
};

/** First byte of the keyUsage bits (RFC 5280 §4.2.1.3, X.690 §8.6.2): keyEncipherment is bit 2. */
const KEY_USAGE_MASKS: Readonly<Record<KeyUsageName, number>> = { keyEncipherment: 0x20 };

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
 * Why `certificate` cannot serve `purpose` at `now`, or undefined when it can. Checks in order: key algorithm, key
 * import, key size, notBefore, notAfter, keyUsage; the first failing one is the problem.
 * @example
 * const problem = await certificateProblem(signer, "signer", now);
 * if (problem) return fail({ reason: "certificate-refused", problem });
 */
export async function certificateProblem(
  certificate: X509Certificate,
  purpose: CertificatePurpose,
  now: Date,
): Promise<CertificateProblem | undefined> {
  if (certificate.publicKeyAlgorithm !== RSA_ENCRYPTION_OID) {
    const algorithm = KEY_ALGORITHM_NAMES[certificate.publicKeyAlgorithm] ?? certificate.publicKeyAlgorithm;
    return { reason: "unsupported-key-algorithm", algorithm };
  }
  let key: CryptoKey;
  try {
    key = await rsaOaepKey(certificate);
  } catch {
    return { reason: "unreadable-public-key" };
  }
  const bits = (key.algorithm as CryptoKeyRsaKeyAlgorithm).modulusLength;
  const minimum = Math.max(MIN_RSA_MODULUS_BITS, CERTIFICATE_POLICIES[purpose].minimumBits ?? 0);
  if (bits < minimum) return { reason: "weak-key", bits, minimum };
  if (now.getTime() < certificate.notBefore.getTime()) return { reason: "not-yet-valid", notBefore: certificate.notBefore.toISOString() };
  if (now.getTime() > certificate.notAfter.getTime()) return { reason: "expired", notAfter: certificate.notAfter.toISOString() };
  const required = CERTIFICATE_POLICIES[purpose].keyUsage;
  if (required && certificate.keyUsage !== undefined && (certificate.keyUsage & KEY_USAGE_MASKS[required]) === 0) {
    return { reason: "key-usage", required };
  }
  return undefined;
}
