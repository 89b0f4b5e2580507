/**
 * The sentences a CertificateProblem becomes, in one place: the service has two wordings, kept exactly as clients
 * have seen them. `describeCertificateProblem` names the certificate's role and serves CPIX (DeliveryData,
 * signatures, EncryptContentKeys) and the Management API's certificate inputs (signing keys, trusted requesters,
 * content-key export); `describeSeedExportCertificateProblem` is the key-seed export's (`POST /api/Export/KeySeeds`).
 */
import type { CertificateProblem } from "./certificate-problem";

/**
 * One sentence for an error body or log line: `what` names the certificate's role.
 * @example describeCertificateProblem(problem, `the certificate of DeliveryData[${index}]`)
 */
export function describeCertificateProblem(problem: CertificateProblem, what: string): string {
  switch (problem.reason) {
    case "malformed-certificate":
      return `${what} is not a valid X.509 certificate: ${problem.detail}`;
    case "unsupported-key-algorithm":
      return `${what} must hold an RSA key (rsaEncryption), got ${problem.algorithm}`;
    case "unreadable-public-key":
      return `${what} is not a valid X.509 certificate: the RSA public key cannot be imported`;
    case "weak-key":
      return `${what} must hold an RSA key of at least ${problem.minimum} bits, got ${problem.bits}`;
    case "not-yet-valid":
      return `${what} is not valid before ${problem.notBefore}`;
    case "expired":
      return `${what} expired at ${problem.notAfter}`;
    case "key-usage":
      return `${what} has a keyUsage without ${problem.required} (RFC 5280 §4.2.1.3)`;
  }
}

/** One sentence for the 400 of a key-seed export, naming the body's `Certificate` field and the rule. */
export function describeSeedExportCertificateProblem(problem: CertificateProblem): string {
  switch (problem.reason) {
    case "malformed-certificate":
      return `Certificate must be one X.509 certificate (DER, or PEM "BEGIN CERTIFICATE"): ${problem.detail}`;
    case "unsupported-key-algorithm":
      return "Certificate must carry an RSA public key (rsaEncryption) for RSA-OAEP key transport";
    case "unreadable-public-key":
      return "Certificate's RSA public key cannot be read";
    case "weak-key":
      return `Certificate's RSA key must be at least ${problem.minimum} bits, got ${problem.bits}`;
    case "not-yet-valid":
      return `Certificate is not valid before ${problem.notBefore}`;
    case "expired":
      return `Certificate expired at ${problem.notAfter}`;
    case "key-usage":
      return `Certificate's keyUsage must include ${problem.required} (RFC 5280 §4.2.1.3) to receive a key`;
  }
}
