import type { CpixReadFailure } from "../../cpix/failure";
import type { AcquisitionProtocol } from "../../tenancy/credentials";
import type { DocumentSecurityFailure } from "./document-security-failure";

/**
 * Why a CPIX acquisition (SPEKE v1, v2.0, v2.1, plain CPIX) was refused. `speke` failures carry the exact
 * body text of the SPEKE v2 error table (AWS SPEKE v2 docs, speke-constraints-v2); the others carry a message
 * naming the rule; the rest are data, and their sentences are written only where they meet the wire.
 * Mapped to the wire only in `acquisitionFailureResponse` (document security: `documentSecurityStatusAndMessage`).
 */
export type AcquisitionFailure =
  | { readonly reason: "speke"; readonly message: SpekeErrorMessage }
  | { readonly reason: "speke-version"; readonly received: string | undefined; readonly supported: readonly string[] }
  | { readonly reason: "unreadable"; readonly failure: CpixReadFailure }
  | { readonly reason: "invalid-request"; readonly message: string }
  | { readonly reason: "unsupported"; readonly message: string }
  | { readonly reason: "too-large" }
  | { readonly reason: "storage-unavailable"; readonly retryAfterSeconds: number }
  /** The answer would pass the size budget (src/domain/request-limits.ts MAX_ANSWER_BYTES). */
  | { readonly reason: "answer-too-large"; readonly limit: number }
  | { readonly reason: "unknown-key-seed"; readonly keySeedId: string }
  /** The operator suspended the tenant (issue 28). */
  | { readonly reason: "tenant-suspended" }
  /** The credential's `Protocols` (POST /api/Credentials) leave out the route's protocol. */
  | { readonly reason: "protocol-not-allowed"; readonly protocol: AcquisitionProtocol; readonly allowed: readonly AcquisitionProtocol[] }
  /**
   * Encrypted delivery or signatures (CPIX 2.3 §DeliveryData Element, §Digital Signature): a refused recipient
   * certificate, a signature that does not verify, or a tenant rule (RequireEncryption, RequireSignedRequests).
   */
  | DocumentSecurityFailure;

/** The SPEKE v2 error strings (AWS SPEKE v2 docs, speke-constraints-v2 error table). */
export type SpekeErrorMessage =
  | "Missing CPIX@contentId"
  | "Missing CPIX@version"
  | "Unsupported CPIX@version"
  | `Missing ContentKey@commonEncryptionScheme for KID ${string}`
  | "Non compliant ContentKey@commonEncryptionScheme combination"
  | `ContentKey@commonEncryptionScheme non compatible with DRMSystem ${string}`
  | "Malformed encryption contract"
  | "Requested CPIX encryption contract not supported"
  | "Missing CPIX encryption contract";
