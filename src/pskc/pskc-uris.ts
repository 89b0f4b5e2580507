/**
 * Names and numbers of the PSKC documents the key-seed export writes (RFC 6030, Portable Symmetric Key Container):
 * namespaces, algorithm URIs and the password-based key derivation's parameters, each with its source.
 */

/** RFC 6030 §4 (and its XSD, test/fixtures/cpix/xsd/2.3/pskc.xsd). */
export const PSKC_NS = "urn:ietf:params:xml:ns:keyprov:pskc";
/** W3C XML Encryption (EncryptedValue's EncryptionMethod and CipherData, EncryptedKey). */
export const XMLENC_NS = "http://www.w3.org/2001/04/xmlenc#";
/** W3C XML Encryption 1.1 (`xenc11:DerivedKey`, RFC 6030 §6.2 Figure 7). */
export const XMLENC11_NS = "http://www.w3.org/2009/xmlenc11#";
/** PKCS #5 v2.0 Amendment 1 XML schema (`pkcs5:PBKDF2-params`, RFC 6030 §6.2 Figure 7). */
export const PKCS5_NS = "http://www.rsasecurity.com/rsalabs/pkcs/schemas/pkcs-5v2-0#";
/** W3C XML Signature (`ds:KeyInfo`, `ds:X509Data`, `ds:DigestMethod`). */
export const XMLDSIG_NS = "http://www.w3.org/2000/09/xmldsig#";

/** RFC 6030 §4: the only KeyContainer Version. */
export const PSKC_VERSION = "1.0";
/** RFC 6030 §12.1 registers this media type for PSKC documents. */
export const PSKC_MEDIA_TYPE = "application/pskc+xml";

/**
 * `pskc:Key/@Algorithm` of an exported key seed: the 30-byte PlayReady key seed that `scripts/derive-key.mjs` and
 * src/domain/key-derivation.ts turn into content keys (Microsoft, "PlayReady Key Seed"). RFC 6030 §4 makes the
 * attribute any URI and registers none for this use; this URN is private to edge-key-service (its namespace is
 * not an IANA-registered URN namespace), and an importer matches it as an opaque string.
 */
export const PLAYREADY_KEY_SEED_ALGORITHM = "urn:edge-key-service:pskc:playready-key-seed";

/** RFC 6030 §6.2 Figure 7: PBKDF2 (RFC 8018 §5.2) as the KeyDerivationMethod. */
export const PBKDF2_ALGORITHM = `${PKCS5_NS}pbkdf2`;
/** XML Encryption §5.2.2: AES-CBC, the IV as the first block of CipherValue; RFC 6030 §6.2 uses this family. */
export const AES128_CBC = `${XMLENC_NS}aes128-cbc`;
export const AES256_CBC = `${XMLENC_NS}aes256-cbc`;
/** XML Encryption §5.4.2: RSA-OAEP with MGF1 and SHA-1 (the default DigestMethod), for the key transport of §6.3. */
export const RSA_OAEP_MGF1P = `${XMLENC_NS}rsa-oaep-mgf1p`;
export const SHA1_DIGEST = `${XMLDSIG_NS}sha1`;
/** XML Signature §6.3.1 (HMAC-SHA1, the default PRF of PBKDF2 and RFC 6030 Figure 7's MAC); RFC 6931 §2.2.2 (SHA-2). */
export const HMAC_SHA1 = `${XMLDSIG_NS}hmac-sha1`;
export const HMAC_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#hmac-sha256";
export const HMAC_SHA512 = "http://www.w3.org/2001/04/xmldsig-more#hmac-sha512";

/** The WebCrypto hash of each HMAC URI this module reads (MACMethod and the PBKDF2 PRF). */
export const HMAC_HASHES: ReadonlyMap<string, "SHA-1" | "SHA-256" | "SHA-512"> = new Map([
  [HMAC_SHA1, "SHA-1"],
  [HMAC_SHA256, "SHA-256"],
  [HMAC_SHA512, "SHA-512"],
]);
/** AES-CBC URIs this module reads, with their key lengths in bytes (WebCrypto in workerd: 128 and 256 bits). */
export const AES_CBC_KEY_LENGTHS: ReadonlyMap<string, number> = new Map([
  [AES128_CBC, 16],
  [AES256_CBC, 32],
]);

/** What the writer uses: AES-256-CBC for every encrypted value, HMAC-SHA-256 with a 32-byte key as the MAC. */
export const VALUE_ENCRYPTION = AES256_CBC;
export const VALUE_KEY_LENGTH = 32;
export const MAC_ALGORITHM = HMAC_SHA256;
/** RFC 2104 §3: an HMAC key at least as long as the hash output. */
export const MAC_KEY_LENGTH = 32;

/**
 * PBKDF2 iteration count of a password-protected export. Cloudflare Workers refuse PBKDF2 above 100,000 iterations
 * in production (workerd issue #1346, PR #1471: the limit enforcer caps KDF iterations; the open-source workerd the
 * tests run does not enforce it), so 100,000 is the most a Worker can write or read. It is 100x NIST SP 800-132
 * §5.2's minimum of 1,000. OWASP's Password Storage Cheat Sheet asks 210,000 for PBKDF2-HMAC-SHA-512; SHA-512 is the
 * PRF because, at the capped count, it costs an attacker the most per iteration (OWASP rates 210,000 SHA-512
 * iterations equal to 600,000 SHA-256 ones). The rest of the strength comes from the password rule of the export
 * route (at least 12 characters). One derivation takes about 33 ms in workerd 1.20260426 on the 2-core test machine
 * (SHA-256: about 10 ms), and it runs on the isolate's thread, so it is CPU time: writing or reading a document
 * costs about 34 ms, well inside a paid Worker's CPU budget (30 s by default) but not the free plan's 10 ms.
 */
export const PBKDF2_ITERATIONS = 100_000;
/** The PRF of the writer's PBKDF2 (RFC 8018 §5.2), named in `PRF/@Algorithm`. */
export const PBKDF2_PRF = HMAC_SHA512;
/** NIST SP 800-132 §5.1: at least 128 bits of salt from an approved random bit generator. */
export const PBKDF2_SALT_LENGTH = 16;
/** The most iterations the reader runs: sender-controlled work, capped where Workers cap it. */
export const MAX_READ_PBKDF2_ITERATIONS = 100_000;
