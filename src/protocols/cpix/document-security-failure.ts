/**
 * Why a CPIX acquisition was refused by document security (CPIX 2.3 §DeliveryData Element, §Digital Signature) or a
 * tenant rule on it (RequireEncryption, RecipientCertificates, RequireSignedRequests, SignResponses, Harmonic's
 * RequireSignatures and EncryptContentKeys), as data; and the one place each becomes a status and a sentence
 * (`acquisitionFailureResponse` in wire.ts hands these cases here).
 */
import type { CertificateProblem } from "../../x509/certificate-problem";
import { describeCertificateProblem } from "../../x509/certificate-failure";
import { describeSignatureFailure, type SignatureFailure } from "../../cpix/security/signature-failure";
import type { SigningFailure } from "../../cpix/security/xml-signature";
import { describeRecipientFailure, type RecipientFailure } from "../../cpix/security/delivery-encryption";
import { capitalized } from "../../domain/sentence";

/** A tenant setting that requires request signatures, as its sentences name it. */
export type SignatureRequirement = "RequireSignedRequests" | "RequireSignatures (/api/HarmonicConfiguration)";

/** A tenant setting that makes the service sign its answers, as its sentences name it. */
export type AnswerSigningSetting = "SignResponses" | "RequireSignatures (/api/HarmonicConfiguration)";

/** Why an answer that must be signed cannot be: the tenant's signing key is missing or unusable. */
export type AnswerSigningProblem = { readonly reason: "no-signing-key" } | { readonly reason: "unreadable-certificate" } | SigningFailure;

export type DocumentSecurityFailure =
  /** `RequireEncryption` and the request carries no DeliveryData. */
  | { readonly reason: "encryption-required" }
  /** A DeliveryData has no certificate, or its certificate breaks the recipient policy (`failure` names which, 1-based). */
  | { readonly reason: "recipient-refused"; readonly failure: RecipientFailure }
  /** `RecipientCertificates` leaves out the certificate of DeliveryData[index] (1-based). */
  | { readonly reason: "recipient-not-listed"; readonly index: number; readonly fingerprint: string }
  /** `EncryptContentKeys` would encrypt for the request signer, whose certificate `RecipientCertificates` leaves out. */
  | { readonly reason: "signer-not-listed"; readonly fingerprint: string }
  /** `EncryptContentKeys`: the request signer's certificate cannot receive keys. */
  | { readonly reason: "signer-refused"; readonly problem: CertificateProblem }
  /** `EncryptContentKeys` with no trusted document signer to encrypt for. */
  | { readonly reason: "no-signer-to-encrypt-for" }
  /** A signature the request carries does not verify (W3C XML-DSig 1.1 §3.2). */
  | { readonly reason: "signature-invalid"; readonly failure: SignatureFailure }
  /** A required document signature (`Reference URI=""`) is missing. */
  | { readonly reason: "signature-required"; readonly setting: SignatureRequirement }
  /** The document signer is not a trusted requester; `fingerprint` is the first document signer's. */
  | { readonly reason: "untrusted-signer"; readonly setting: SignatureRequirement; readonly fingerprint: string }
  /** `RequireSignedRequests` and a GET with Basic credentials, which carries no signature. */
  | { readonly reason: "unsigned-get" }
  /** The answer must be signed and cannot be: the tenant's configuration, not the request, is at fault. */
  | { readonly reason: "answer-unsignable"; readonly setting: AnswerSigningSetting; readonly problem: AnswerSigningProblem };

/**
 * Status and sentence of a document-security refusal: 403 when the request's signer or credential is not trusted
 * (RFC 9110 §15.5.4), 422 when the document breaks a rule (SPEKE: 422 for everything CPIX related), 500 when the
 * tenant's own signing key fails.
 */
export function documentSecurityStatusAndMessage(failure: DocumentSecurityFailure): [403 | 422 | 500, string] {
  switch (failure.reason) {
    case "encryption-required":
      return [
        422,
        "The tenant setting RequireEncryption is on: the request must carry DeliveryDataList/DeliveryData/DeliveryKey with the recipient's X.509 certificate, keys are not sent in PlainValue",
      ];
    case "recipient-refused":
      return [422, capitalized(describeRecipientFailure(failure.failure))];
    case "recipient-not-listed":
      return [
        422,
        `The certificate of DeliveryData[${failure.index}] (SHA-256 ${failure.fingerprint}) is not in the tenant setting RecipientCertificates`,
      ];
    case "signer-not-listed":
      return [
        422,
        `The request signer's certificate (SHA-256 ${failure.fingerprint}), which EncryptContentKeys encrypts the keys for, is not in the tenant setting RecipientCertificates`,
      ];
    case "signer-refused":
      return [
        422,
        capitalized(
          describeCertificateProblem(failure.problem, "the request signer's certificate (EncryptContentKeys encrypts the keys for it)"),
        ),
      ];
    case "no-signer-to-encrypt-for":
      return [403, "The request carries no trusted signature to encrypt the keys for"];
    case "signature-invalid":
      return [422, `The request's signature does not verify: ${describeSignatureFailure(failure.failure)}`];
    case "signature-required":
      return [
        403,
        `The tenant setting ${failure.setting} is on: the request must carry a document signature (ds:Signature with Reference URI="") by a trusted requester (/api/TrustedRequesters)`,
      ];
    case "untrusted-signer":
      return [
        403,
        `The tenant setting ${failure.setting} is on and the request's signer (certificate SHA-256 ${failure.fingerprint}) is not a trusted requester (/api/TrustedRequesters)`,
      ];
    case "unsigned-get":
      return [
        403,
        "The tenant setting RequireSignedRequests is on: a GET with Basic credentials carries no signature; POST a signed CPIX document, or for CPIX GET use a signed URL (POST /api/CpixUrls)",
      ];
    case "answer-unsignable":
      return [
        500,
        `The tenant setting ${failure.setting} is on but the answer cannot be signed: ${describeSigningProblem(failure.problem)}`,
      ];
  }
}

function describeSigningProblem(problem: AnswerSigningProblem): string {
  switch (problem.reason) {
    case "no-signing-key":
      return "SigningKeyId names no signing key";
    case "unreadable-certificate":
      return "the signing key's certificate is unreadable";
    case "certificate-refused":
      return describeCertificateProblem(problem.problem, "the signing key's certificate");
    case "unsupported-key":
      return problem.detail;
    case "key-certificate-mismatch":
      return "the signing key does not belong to its certificate";
    case "malformed-xml":
      return `the answer is not well-formed XML (${problem.detail})`;
    case "not-cpix":
      return "the answer is not a CPIX document";
  }
}
