/**
 * Why a certificate is refused, as data: one union for every purpose (certificate-policy.ts) and every reader. The
 * sentences each wire puts on these are in certificate-failure.ts; nothing here carries the certificate's bytes.
 */

/** keyUsage bits a purpose may require (RFC 5280 §4.2.1.3). */
export type KeyUsageName = "keyEncipherment";

export type CertificateProblem =
  /** Not a DER X.509 certificate (or not PEM/base64 of one); `detail` says which structure broke (der.ts). */
  | { readonly reason: "malformed-certificate"; readonly detail: string }
  /** The key is not RSA (`rsaEncryption`): EC, EdDSA, RSASSA-PSS-only keys cannot be used with RSA-OAEP. `algorithm` is a name or the OID. */
  | { readonly reason: "unsupported-key-algorithm"; readonly algorithm: string }
  /** The SubjectPublicKeyInfo says rsaEncryption but WebCrypto cannot import the key. */
  | { readonly reason: "unreadable-public-key" }
  /** An RSA key of `bits`, below `minimum` (MIN_RSA_MODULUS_BITS). */
  | { readonly reason: "weak-key"; readonly bits: number; readonly minimum: number }
  /** `notBefore` (RFC 5280 §4.1.2.5), ISO 8601, is after the moment judged. */
  | { readonly reason: "not-yet-valid"; readonly notBefore: string }
  /** `notAfter` (RFC 5280 §4.1.2.5), ISO 8601, is before the moment judged. */
  | { readonly reason: "expired"; readonly notAfter: string }
  /** The certificate has a keyUsage extension and it lacks `required` (RFC 5280 §4.2.1.3). */
  | { readonly reason: "key-usage"; readonly required: KeyUsageName };
