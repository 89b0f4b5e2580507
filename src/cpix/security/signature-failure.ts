/**
 * Why a CPIX document's signatures do not verify, as data, and the one sentence each reason puts on the wire.
 * `signature` is the 1-based position of the failing ds:Signature among the root's.
 */
import { describeCertificateProblem } from "../../x509/certificate-failure";
import type { CertificateProblem } from "../../x509/certificate-problem";

/** Why a document's signatures do not verify; `signature` is the 1-based position among the root's Signatures. */
export type SignatureFailure =
  | { readonly reason: "malformed-xml"; readonly detail: string }
  | { readonly reason: "not-cpix" }
  | { readonly reason: "missing-element"; readonly signature: number; readonly element: string }
  | { readonly reason: "unsupported-algorithm"; readonly signature: number; readonly element: string; readonly algorithm: string }
  /** `URI` other than `""` or `#id` (external or XPointer references are not followed). */
  | { readonly reason: "unsupported-reference"; readonly signature: number }
  /** `#id` of an element that is neither the root nor one of its children (the lists). */
  | { readonly reason: "unsupported-target"; readonly signature: number; readonly uri: string }
  /** More than MAX_REFERENCES References in one SignedInfo. */
  | { readonly reason: "too-many-references"; readonly signature: number; readonly count: number; readonly limit: number }
  /** More than MAX_SIGNATURES Signature elements on the root. */
  | { readonly reason: "too-many-signatures"; readonly count: number; readonly limit: number }
  /** The References together ask for more canonical XML than the budget (a few times the document's length). */
  | { readonly reason: "canonicalization-budget"; readonly signature: number; readonly limit: number }
  | { readonly reason: "reference-not-found"; readonly signature: number; readonly uri: string }
  /** Two elements carry the referenced id: refused, so a signature cannot be moved onto other content. */
  | { readonly reason: "ambiguous-reference"; readonly signature: number; readonly uri: string }
  | { readonly reason: "digest-mismatch"; readonly signature: number; readonly uri: string }
  | { readonly reason: "signature-mismatch"; readonly signature: number }
  | { readonly reason: "certificate-refused"; readonly signature: number; readonly problem: CertificateProblem };

/** One sentence naming the signature and the rule, for an error body or log line. */
export function describeSignatureFailure(failure: SignatureFailure): string {
  const which = "signature" in failure ? `Signature[${failure.signature}]` : "";
  switch (failure.reason) {
    case "malformed-xml":
      return `malformed XML: ${failure.detail}`;
    case "not-cpix":
      return "not a CPIX document";
    case "missing-element":
      return `${which} has no ${failure.element}`;
    case "unsupported-algorithm":
      return `${which} ${failure.element} ${failure.algorithm} is not supported`;
    case "unsupported-reference":
      return `${which} must reference the document ("") or an element by id ("#id")`;
    case "unsupported-target":
      return `${which} references ${failure.uri}, which is neither the document nor one of its lists (CPIX 2.3 §Digital Signature)`;
    case "too-many-references":
      return `${which} has ${failure.count} References; at most ${failure.limit} are read`;
    case "too-many-signatures":
      return `the document carries ${failure.count} signatures; at most ${failure.limit} are checked`;
    case "canonicalization-budget":
      return `${which} References ask for more than ${failure.limit} characters of canonical XML in all; each list and the document are signed once or twice`;
    case "reference-not-found":
      return `${which} references ${failure.uri}, which no element carries as id`;
    case "ambiguous-reference":
      return `${which} references ${failure.uri}, which more than one element carries as id`;
    case "digest-mismatch":
      return `${which} digest of ${failure.uri === "" ? "the document" : failure.uri} does not match: the content changed after signing`;
    case "signature-mismatch":
      return `${which} SignatureValue does not verify with the embedded certificate`;
    case "certificate-refused":
      return describeCertificateProblem(failure.problem, `the certificate of ${which}`);
  }
}
