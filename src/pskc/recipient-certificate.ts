/**
 * The recipient of a certificate-protected export (RFC 6030 §6.3): an X.509 certificate (RFC 5280) whose RSA key
 * receives the document's transport key. Read and judged by the service's one certificate layer (src/x509/) under
 * the `seed-export` policy: an RSA key of at least 2048 bits, valid at `now`, and keyEncipherment among its keyUsage
 * bits when it has a keyUsage extension.
 */
import { parseCertificate } from "../x509/certificate";
import { certificateFingerprint } from "../x509/certificate-fingerprint";
import { rsaOaepKey } from "../x509/certificate-keys";
import { certificateProblem } from "../x509/certificate-policy";
import type { CertificateProblem } from "../x509/certificate-problem";

/** A certificate that passed every check, with its key ready for RSA-OAEP. */
export interface RecipientCertificate {
  readonly der: Uint8Array;
  readonly publicKey: CryptoKey;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** Lower-case hex SHA-256 of the DER: names the recipient in an audit record. */
  readonly sha256: string;
}

export type RecipientCertificateResult =
  { readonly ok: true; readonly certificate: RecipientCertificate } | { readonly ok: false; readonly problem: CertificateProblem };

/** Reads a recipient certificate (DER) and applies the checks of a key-seed export at `now`. */
export async function readRecipientCertificate(der: Uint8Array, now: Date): Promise<RecipientCertificateResult> {
  const parsed = parseCertificate(der);
  if (!parsed.ok) return parsed;
  const certificate = parsed.certificate;
  const problem = await certificateProblem(certificate, "seed-export", now);
  if (problem) return { ok: false, problem };
  const publicKey = await rsaOaepKey(certificate);
  const sha256 = await certificateFingerprint(der);
  return { ok: true, certificate: { der, publicKey, notBefore: certificate.notBefore, notAfter: certificate.notAfter, sha256 } };
}
