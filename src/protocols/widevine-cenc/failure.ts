/**
 * Why a Widevine Common Encryption API request was refused, as data, and the one place that turns a reason into
 * the protocol's answer: HTTP 200 with `{"response": b64({"status": …, "status_message": …})}`.
 *
 * Statuses are the `CommonEncryptionResponse.Status` names of Google's proto as Shaka Packager ships it
 * (`packager/media/base/widevine_common_encryption.proto`). Shaka parses responses with protobuf's JSON parser
 * and `ignore_unknown_fields`, which also drops unknown enum names: a status outside that enum would read as
 * `OK` there, so this module never invents one. Shaka retries only `INTERNAL_ERROR` (5 tries, 1-8 s back-off,
 * `widevine_key_source.cc`), so that status is kept for real internal faults.
 */

/** `CommonEncryptionResponse.Status` values this service sends (Shaka's `widevine_common_encryption.proto`). */
export type CommonEncryptionStatus =
  | "OK"
  | "SIGNATURE_FAILED"
  | "CONTENT_ID_MISSING"
  | "TRACK_TYPE_MISSING"
  | "TRACK_TYPE_UNKNOWN"
  | "MALFORMED_REQUEST"
  | "ACCESS_DENIED"
  | "INTERNAL_ERROR"
  | "TOO_MANY_CONTENT_SPECIFIERS"
  | "NO_REQUESTED_CRYPTO_PERIODS";

export type WidevineCencFailure =
  /** The body or the inner request is not the JSON the protocol defines (not UTF-8, not an object, bad base64). */
  | { readonly reason: "malformed-request"; readonly field: string; readonly rule: string }
  /** `signature` or `signer` is absent: this service only answers signed requests. */
  | { readonly reason: "request-unsigned"; readonly missing: "signature" | "signer" }
  /** The signature is not base64, has the wrong length, or does not verify over the exact request bytes. */
  | { readonly reason: "signature-mismatch" }
  /** No credential has this signer (provider) name. */
  | { readonly reason: "unknown-signer" }
  /** The signer in the URL path (`/cenc/getcontentkey/{signer}`) differs from the body's `signer`. */
  | { readonly reason: "signer-mismatch" }
  /** The tenant has no default key seed to derive keys from. */
  | { readonly reason: "no-key-seed" }
  /** The signer's tenant is suspended by the operator (issue 28); told only once the signature verified. */
  | { readonly reason: "tenant-suspended" }
  /** None of `content_id`, `pssh_data`, `asset_id` is present (proto: "in lieu of the content_id field"). */
  | { readonly reason: "content-id-missing" }
  | { readonly reason: "too-many-content-specifiers"; readonly fields: readonly string[] }
  | { readonly reason: "track-type-missing"; readonly field: string }
  | { readonly reason: "track-type-unknown"; readonly field: string }
  /** `crypto_period_count` is 0. */
  | { readonly reason: "no-requested-crypto-periods" }
  /** A field is present but its value breaks a rule; `rule` names the allowed values. */
  | { readonly reason: "invalid-argument"; readonly field: string; readonly rule: string }
  /** A well-formed request this service does not serve (e.g. Widevine Classic `asset_id`). */
  | { readonly reason: "unsupported"; readonly field: string; readonly detail: string }
  /** The DRM signalling for a requested drm_type cannot be built for this key (system, scheme or IV rules). */
  | { readonly reason: "drm-signalling-failed"; readonly drmType: string; readonly detail: string }
  /** A stored tenant setting the signalling needs is missing or invalid; the client cannot fix it. */
  | { readonly reason: "tenant-setting-invalid"; readonly setting: string; readonly rule: string }
  /** The answer would pass the size budget (src/domain/request-limits.ts MAX_ANSWER_BYTES). */
  | { readonly reason: "answer-too-large"; readonly limit: number }
  /** An unexpected fault inside the service; the only retryable answer. */
  | { readonly reason: "internal-error" }
  | { readonly reason: "storage-unavailable"; readonly retryAfterSeconds: number }
  | { readonly reason: "rate-limited"; readonly retryAfterSeconds: number };

/** A value or the typed reason it could not be produced. */
export type WidevineCencResult<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly failure: WidevineCencFailure };

/** The inner response of a refused request: `status` plus a `status_message` that Shaka prints in its error log. */
export interface CommonEncryptionFailureResponse {
  readonly status: Exclude<CommonEncryptionStatus, "OK">;
  readonly status_message: string;
}

export function succeed<T>(value: T): WidevineCencResult<T> {
  return { ok: true, value };
}

export function fail<T = never>(failure: WidevineCencFailure): WidevineCencResult<T> {
  return { ok: false, failure };
}

/**
 * Maps a failure to its wire status and message. Messages name the rule and the allowed values; they never echo
 * request values, keys or signatures (STYLE §12).
 */
export function failureResponse(failure: WidevineCencFailure): CommonEncryptionFailureResponse {
  switch (failure.reason) {
    case "malformed-request":
      return { status: "MALFORMED_REQUEST", status_message: `${failure.field} ${failure.rule}` };
    case "request-unsigned":
      return {
        status: "SIGNATURE_FAILED",
        status_message: `${failure.missing} is required: this key service answers signed requests only`,
      };
    case "signature-mismatch":
      return {
        status: "SIGNATURE_FAILED",
        status_message: "signature does not verify over the base64-decoded request with the signer's credential",
      };
    case "unknown-signer":
      return { status: "ACCESS_DENIED", status_message: "signer is not a known provider name" };
    case "signer-mismatch":
      return { status: "ACCESS_DENIED", status_message: "signer in the body must equal the provider name in the URL path" };
    case "tenant-suspended":
      return { status: "ACCESS_DENIED", status_message: "Tenant suspended" };
    case "no-key-seed":
      return { status: "ACCESS_DENIED", status_message: "the tenant has no default key seed; create or import one (/api/KeySeeds)" };
    case "content-id-missing":
      return { status: "CONTENT_ID_MISSING", status_message: "content_id is required (non-empty base64 bytes)" };
    case "too-many-content-specifiers":
      return {
        status: "TOO_MANY_CONTENT_SPECIFIERS",
        status_message: `give exactly one of content_id, pssh_data, asset_id; got ${failure.fields.join(", ")}`,
      };
    case "track-type-missing":
      return { status: "TRACK_TYPE_MISSING", status_message: `${failure.field} is required` };
    case "track-type-unknown":
      return { status: "TRACK_TYPE_UNKNOWN", status_message: `${failure.field} must be one of SD, HD, UHD1, UHD2, AUDIO` };
    case "no-requested-crypto-periods":
      return { status: "NO_REQUESTED_CRYPTO_PERIODS", status_message: "crypto_period_count must be at least 1" };
    case "invalid-argument":
      return { status: "MALFORMED_REQUEST", status_message: `${failure.field} ${failure.rule}` };
    case "unsupported":
      return {
        status: "MALFORMED_REQUEST",
        status_message: `${failure.field} is valid but not supported by this key service: ${failure.detail}`,
      };
    case "drm-signalling-failed":
      return { status: "MALFORMED_REQUEST", status_message: `cannot build ${failure.drmType} signalling: ${failure.detail}` };
    case "tenant-setting-invalid":
      return { status: "ACCESS_DENIED", status_message: `the tenant's ${failure.setting} setting ${failure.rule}` };
    case "answer-too-large":
      return {
        status: "MALFORMED_REQUEST",
        status_message: `the answer would exceed ${failure.limit} bytes, the most one response carries; ask for fewer crypto periods or drm_types per request`,
      };
    case "internal-error":
      return { status: "INTERNAL_ERROR", status_message: "internal error; retry later" };
    case "rate-limited":
      return {
        status: "INTERNAL_ERROR",
        status_message: `rate limit of acquisitions for this tenant reached; retry in ${failure.retryAfterSeconds} s`,
      };
    case "storage-unavailable":
      // INTERNAL_ERROR is the one status Shaka retries (with back-off): a storage fault is exactly that case.
      return { status: "INTERNAL_ERROR", status_message: `key storage temporarily unavailable; retry in ${failure.retryAfterSeconds} s` };
    default:
      return assertNever(failure);
  }
}

function assertNever(value: never): never {
  throw new Error(`unhandled Widevine CENC failure ${JSON.stringify(value)}`);
}
