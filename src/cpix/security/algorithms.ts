/**
 * Algorithm identifiers a secured CPIX document uses (CPIX 2.3 §Mandatory Algorithms; W3C XML Encryption 1.0
 * §5, W3C XML Signature 1.1 §6, RFC 6931 for the `xmldsig-more` and `xmlenc#sha512` URIs), with their WebCrypto
 * counterparts.
 */

/** Content key encryption: AES-256-CBC, IV prepended to the ciphertext (XML Encryption §5.2.2). */
export const AES256_CBC = "http://www.w3.org/2001/04/xmlenc#aes256-cbc";
/** Document and MAC key wrapping: RSA-OAEP with SHA-1 and MGF1-SHA-1, no label (XML Encryption §5.4.2). */
export const RSA_OAEP_MGF1P = "http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p";
/** ValueMAC: HMAC-SHA512 (RFC 6931 §2.2.2). */
export const HMAC_SHA512 = "http://www.w3.org/2001/04/xmldsig-more#hmac-sha512";

/** Canonical XML 1.0 without comments (W3C REC-xml-c14n-20010315), the XML-DSig default. */
export const C14N_10 = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315";
/** Exclusive XML Canonicalization 1.0 without comments (W3C REC-xml-exc-c14n-20020718). */
export const EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#";
/** XML-DSig §6.6.4 enveloped signature transform. */
export const ENVELOPED_SIGNATURE = "http://www.w3.org/2000/09/xmldsig#enveloped-signature";

/** The hashes accepted in signatures and digests; SHA-1 is refused (RFC 6931 §2.1.1 notes its weakness). */
export type SignatureHash = "SHA-256" | "SHA-384" | "SHA-512";

/** DigestMethod URIs (XML Encryption §5.7.2, RFC 6931 §2.1.3). */
export const DIGEST_METHODS: ReadonlyMap<string, SignatureHash> = new Map([
  ["http://www.w3.org/2001/04/xmlenc#sha256", "SHA-256"],
  ["http://www.w3.org/2001/04/xmldsig-more#sha384", "SHA-384"],
  ["http://www.w3.org/2001/04/xmlenc#sha512", "SHA-512"],
]);

/** SignatureMethod URIs for RSASSA-PKCS1-v1_5 (RFC 6931 §2.3.2, RFC 8017 §8.2). */
export const RSA_SIGNATURE_METHODS: ReadonlyMap<string, SignatureHash> = new Map([
  ["http://www.w3.org/2001/04/xmldsig-more#rsa-sha256", "SHA-256"],
  ["http://www.w3.org/2001/04/xmldsig-more#rsa-sha384", "SHA-384"],
  ["http://www.w3.org/2001/04/xmldsig-more#rsa-sha512", "SHA-512"],
]);

/** The URI of a map entry holding this hash. */
export function uriFor(methods: ReadonlyMap<string, SignatureHash>, hash: SignatureHash): string {
  for (const [uri, value] of methods) if (value === hash) return uri;
  throw new RangeError(`no URI for ${hash}`);
}
