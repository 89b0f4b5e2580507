/**
 * Certificates parsed once per isolate, by their DER bytes: a packager sends the same DeliveryData certificate with
 * every request, and its parsed form (with the RSA-OAEP key imported once per object, certificate-keys.ts) is reused.
 * Bounded in count and in size, so certificates anyone sends cannot fill an isolate's memory: past
 * MAX_CACHED_CERTIFICATES the cache starts over, and a certificate of more than MAX_CACHED_CERTIFICATE_BYTES is
 * parsed every time and never kept (without that bound, 64 certificates of nearly 1 MiB each, the largest a request
 * body holds, would be kept with their base64 keys and copies: well over a Worker's 128 MB).
 */
import { toBase64 } from "../domain/bytes";
import { parseCertificate, type CertificateParseResult } from "./certificate";

/** Distinct certificates kept; a few packagers' worth. */
const MAX_CACHED_CERTIFICATES = 64;

/**
 * Largest certificate kept, in DER bytes: a 16384-bit RSA certificate (the largest key BoringSSL imports) is about
 * 2.5 KB, so 16 KiB leaves room for long names and extensions and caps the cache near 64 × 16 KiB and its copies.
 */
export const MAX_CACHED_CERTIFICATE_BYTES = 16 * 1024;

const PARSED_CERTIFICATES = new Map<string, CertificateParseResult>();

/** `parseCertificate` of DER bytes, from the isolate's cache when it was parsed before (the result depends only on the bytes). */
export function parseCertificateCached(der: Uint8Array): CertificateParseResult {
  if (der.length > MAX_CACHED_CERTIFICATE_BYTES) return parseCertificate(der);
  const key = toBase64(der);
  let parsed = PARSED_CERTIFICATES.get(key);
  if (!parsed) {
    parsed = parseCertificate(der);
    if (PARSED_CERTIFICATES.size >= MAX_CACHED_CERTIFICATES) PARSED_CERTIFICATES.clear();
    PARSED_CERTIFICATES.set(key, parsed);
  }
  return parsed;
}
