/**
 * Signatures on CPIX acquisitions (CPIX 2.3 §Digital Signature; W3C XML-DSig 1.1 §3.2 core validation): a signed
 * request's signatures are verified before anything is issued, `RequireSignedRequests` answers only documents signed
 * (`Reference URI=""`) by a trusted requester, and `SignResponses` signs every answer with the tenant's signing key.
 */
import { parseCertificate, type X509Certificate } from "../../x509/certificate";
import { certificateFingerprint } from "../../x509/certificate-fingerprint";
import { signCpixDocument, verifyCpixSignatures } from "../../cpix/security/xml-signature";
import type { OpenedSigningKey } from "../../tenancy/loaded-tenant";
import type { AnswerSigningProblem, AnswerSigningSetting, SignatureRequirement } from "./document-security-failure";
import type { AcquisitionFailure } from "./failure";
import { XMLDSIG_NS } from "../../cpix/namespaces";
import { firstChildElement, type XmlDocument } from "../../xml/tree";

/** What the tenant asks of request signatures. */
export interface RequestSignaturePolicy {
  readonly now: Date;
  /** `RequireSignedRequests`. */
  readonly requireSignedRequests: boolean;
  /** SHA-256 fingerprints (lowercase hex) of the trusted requesters' certificates. */
  readonly trustedRequesters: readonly string[];
  /** The setting named when a signature is required and missing or untrusted; `RequireSignedRequests` by default. */
  readonly requirementName?: SignatureRequirement;
}

/** The outcome of `verifyRequestSignatures`: the trusted document signer's certificate when trust was checked. */
export type RequestSignatureResult =
  { readonly ok: true; readonly trustedSigner?: X509Certificate } | { readonly ok: false; readonly failure: AcquisitionFailure };

/**
 * Verifies a request's signatures when it has any or the tenant requires one, on the very tree the reader read
 * (`readCpixTree`), and names the trusted requester whose document signature was accepted (when
 * `requireSignedRequests` made trust be checked): Harmonic's `EncryptContentKeys` encrypts for that certificate.
 */
export async function verifyRequestSignatures(document: XmlDocument, policy: RequestSignaturePolicy): Promise<RequestSignatureResult> {
  if (!policy.requireSignedRequests && !firstChildElement(document.root, XMLDSIG_NS, "Signature")) return { ok: true };
  const verified = await verifyCpixSignatures(document, policy.now);
  if (!verified.ok) {
    return { ok: false, failure: { reason: "signature-invalid", failure: verified.failure } };
  }
  if (!policy.requireSignedRequests) return { ok: true };
  const setting = policy.requirementName ?? "RequireSignedRequests";
  const documentSigners = verified.signatures.filter((signature) => signature.references.some((reference) => reference.uri === ""));
  if (documentSigners.length === 0) {
    return { ok: false, failure: { reason: "signature-required", setting } };
  }
  const fingerprints = await Promise.all(documentSigners.map((signature) => certificateFingerprint(signature.signer.der)));
  const trusted = fingerprints.findIndex((fingerprint) => policy.trustedRequesters.includes(fingerprint));
  if (trusted !== -1) return { ok: true, trustedSigner: documentSigners[trusted]!.signer };
  return { ok: false, failure: { reason: "untrusted-signer", setting, fingerprint: fingerprints[0]! } };
}

/** Certificates of opened signing keys, parsed once per key. */
const parsedCertificates = new WeakMap<OpenedSigningKey, X509Certificate | undefined>();

/** The answer with an enveloped signature by the tenant's signing key, or why it cannot be signed. */
export async function signAnswer(
  xml: string,
  signingKey: OpenedSigningKey | undefined,
  now: Date,
  setting: AnswerSigningSetting = "SignResponses",
): Promise<{ ok: true; xml: string } | { ok: false; failure: AcquisitionFailure }> {
  const fail = (problem: AnswerSigningProblem) => ({
    ok: false as const,
    failure: { reason: "answer-unsignable" as const, setting, problem },
  });
  if (!signingKey) return fail({ reason: "no-signing-key" });
  if (!parsedCertificates.has(signingKey)) {
    const parsed = parseCertificate(signingKey.certificateDer);
    parsedCertificates.set(signingKey, parsed.ok ? parsed.certificate : undefined);
  }
  const certificate = parsedCertificates.get(signingKey);
  if (!certificate) return fail({ reason: "unreadable-certificate" });
  const signed = await signCpixDocument(xml, { privateKey: signingKey.privateKey, certificate }, now);
  return signed.ok ? signed : fail(signed.failure);
}
