import type { X509Certificate } from "./certificate";

/**
 * The end-entity certificate of an `X509Data` list: XML-DSig 1.1 §4.5.4 implies no order, so it is the one that
 * issued none of the others (the first such, or the first overall when every one issued another, e.g. a lone
 * self-signed certificate). The list's length is not bounded (a request may carry thousands), so the subjects each
 * name issued are gathered in one pass and each candidate is judged by one lookup: linear, not quadratic.
 */
export function endEntityCertificate(certificates: readonly X509Certificate[]): X509Certificate | undefined {
  const subjectsIssuedBy = new Map<string, Set<string>>();
  for (const certificate of certificates) {
    const subjects = subjectsIssuedBy.get(certificate.issuer) ?? new Set<string>();
    subjects.add(certificate.subject);
    subjectsIssuedBy.set(certificate.issuer, subjects);
  }
  // A candidate issued another when its subject issued a certificate of a different subject (a self-signed one
  // issued only itself).
  const issuedOthers = (candidate: X509Certificate) => {
    const subjects = subjectsIssuedBy.get(candidate.subject);
    return subjects !== undefined && (subjects.size > 1 || !subjects.has(candidate.subject));
  };
  return certificates.find((candidate) => !issuedOthers(candidate)) ?? certificates[0];
}
