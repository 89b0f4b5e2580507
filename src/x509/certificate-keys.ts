/**
 * A certificate's public key for WebCrypto, imported from its SubjectPublicKeyInfo (RFC 5280 §4.1.2.7): the one
 * RSA-OAEP importer every key transport uses (CPIX DeliveryData, CPIX and PSKC exports), and the importer for
 * signature checks.
 */
import type { X509Certificate } from "./certificate";

/** Imports the certificate's public key for one WebCrypto use (RSASSA-PKCS1-v1_5 for signatures; RSA-OAEP: rsaOaepKey). */
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
 * The certificate's public key for RSA-OAEP with SHA-1 and MGF1-SHA-1 (XML Encryption §5.4.2 `rsa-oaep-mgf1p`, the
 * key transport of CPIX 2.3 §DeliveryData Element and RFC 6030 §6.3), imported once per certificate object: the
 * policy check and the wrapping of one request share it, and a certificate that comes back from a cache of parsed
 * certificates shares it across requests.
 */
export function rsaOaepKey(certificate: X509Certificate): Promise<CryptoKey> {
  let key = RSA_OAEP_KEYS.get(certificate);
  if (!key) {
    key = importCertificateKey(certificate, { name: "RSA-OAEP", hash: "SHA-1" }, ["encrypt"]);
    RSA_OAEP_KEYS.set(certificate, key);
  }
  return key;
}
