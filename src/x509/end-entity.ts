import type { X509Certificate } from "./certificate";

/**
 * The end-entity certificate of an `X509Data` list: XML-DSig 1.1 §4.5.4 implies no order, so it is the one that
 * issued none of the others (the first such, or the first overall when every one issued another, e.g. a lone
 * self-signed certificate).
 */
export function endEntityCertificate(certificates: readonly X509Certificate[]): X509Certificate | undefined {
  const issuedOthers = (candidate: X509Certificate) =>
    certificates.some((other) => other !== candidate && other.issuer === candidate.subject && other.subject !== candidate.subject);
  return certificates.find((candidate) => !issuedOthers(candidate)) ?? certificates[0];
}
