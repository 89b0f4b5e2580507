import { fromBase64 } from "../domain/bytes";
import { parseCertificate, type X509Certificate } from "../x509/certificate";
import { certificateFingerprint } from "../x509/certificate-fingerprint";
import { importCertificateKey } from "../x509/certificate-keys";
import { certificateProblem, type CertificatePurpose } from "../x509/certificate-policy";
import type { CertificateProblem } from "../x509/certificate-problem";
import type { CertificateView, NewCertificate } from "../tenancy/tenant-types";

/** Longest accepted certificate or private key text (PEM of a 16384-bit RSA key is about 13 KB). */
export const MAX_CERTIFICATE_TEXT = 16_384;

/**
 * A certificate sent to the Management API (PEM or base64 DER, RFC 7468 §5), checked against the certificate policy
 * of its purpose (src/x509/certificate-policy.ts). Returns the problem, which the 400 names as the body's Certificate.
 */
export async function readCertificateInput(
  text: string,
  id: string,
  purpose: Extract<CertificatePurpose, "signer" | "trusted-requester">,
  now: Date,
): Promise<{ ok: true; certificate: X509Certificate; input: NewCertificate } | { ok: false; problem: CertificateProblem }> {
  const parsed = parseCertificate(text);
  if (!parsed.ok) return { ok: false, problem: parsed.problem };
  const problem = await certificateProblem(parsed.certificate, purpose, now);
  if (problem) return { ok: false, problem };
  const certificate = parsed.certificate;
  const fingerprint = await certificateFingerprint(certificate.der);
  return {
    ok: true,
    certificate,
    input: { id, certificateDer: certificate.der, subject: certificate.subject, fingerprint, notAfter: certificate.notAfter.toISOString() },
  };
}

/**
 * A PKCS #8 RSA private key (RFC 5208; PEM `BEGIN PRIVATE KEY` or base64 DER) that belongs to `certificate`: a test
 * message signed with it (RSASSA-PKCS1-v1_5, SHA-256) must verify with the certificate's key. The key's bytes never
 * reach a message.
 */
export async function readSigningPrivateKey(
  text: string,
  certificate: X509Certificate,
): Promise<{ ok: true; pkcs8: Uint8Array } | { ok: false; problem: "not-pkcs8" | "unreadable" | "not-the-certificates" }> {
  // PKCS #1 (`BEGIN RSA PRIVATE KEY`) and encrypted PKCS #8 are refused by name: the 400 says how to convert them.
  if (/-----BEGIN (RSA |ENCRYPTED )?PRIVATE KEY-----/.test(text) && !text.includes("BEGIN PRIVATE KEY")) {
    return { ok: false, problem: "not-pkcs8" };
  }
  const unreadable = { ok: false as const, problem: "unreadable" as const };
  const pkcs8 = fromBase64(text.replace(/-----(BEGIN|END) PRIVATE KEY-----/g, "").replace(/\s+/g, ""));
  if (!pkcs8) return unreadable;
  const algorithm = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" };
  let privateKey: CryptoKey;
  try {
    privateKey = await crypto.subtle.importKey("pkcs8", pkcs8, algorithm, false, ["sign"]);
  } catch {
    return unreadable;
  }
  const message = crypto.getRandomValues(new Uint8Array(32));
  const signature = await crypto.subtle.sign(algorithm, privateKey, message);
  const publicKey = await importCertificateKey(certificate, algorithm, ["verify"]);
  if (!(await crypto.subtle.verify(algorithm, publicKey, signature, message))) {
    return { ok: false, problem: "not-the-certificates" };
  }
  return { ok: true, pkcs8 };
}

/** A stored certificate as the Management API shows it. */
export function certificateJson(view: CertificateView) {
  return { Id: view.id, Subject: view.subject, Fingerprint: view.fingerprint, NotAfter: view.notAfter, Created: view.created };
}
