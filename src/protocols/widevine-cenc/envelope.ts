import { toBase64, utf8 } from "../../domain/bytes";
import { fail, succeed, type CommonEncryptionFailureResponse, type WidevineCencResult } from "./failure";
import { decodeProtoBytes, parseJsonObject, readField } from "./proto-json";
import type { CommonEncryptionResponseJson } from "./response";

/**
 * The outer envelope (`SignedModularDrmRequest` / `SignedModularDrmResponse`, Shaka
 * `widevine_common_encryption.proto`): `{"request": b64, "signature": b64, "signer": "…"}` in,
 * `{"response": b64}` out.
 */

/** A parsed `SignedModularDrmRequest`. */
export interface SignedRequest {
  /** `request`, field 1: the exact inner JSON bytes, the bytes the signature covers (request_signer.cc). */
  readonly request: Uint8Array;
  /** `signature`, field 2: AES-CBC of SHA-1(request), or RSASSA-PSS/SHA-1. */
  readonly signature: Uint8Array;
  /** `signer`, field 3: the provider name a credential was issued for. */
  readonly signer: string;
}

/** The outer response body. Shaka never reads a response `signature`, so none is sent. */
export interface SignedResponseJson {
  /** `response`, field 1: base64 of the UTF-8 inner JSON. */
  readonly response: string;
}

/**
 * Parses the request body. Refuses bodies without `signature` or `signer` (SIGNATURE_FAILED), and a
 * `signature` that is not base64 is a failed signature, not a malformed request.
 */
export function parseSignedRequest(body: Uint8Array): WidevineCencResult<SignedRequest> {
  const envelope = parseJsonObject(body);
  if (!envelope) return fail({ reason: "malformed-request", field: "body", rule: "must be a UTF-8 JSON object" });

  const request = decodeProtoBytes(readField(envelope, "request"));
  if (!request || request.length === 0) {
    return fail({ reason: "malformed-request", field: "request", rule: "must be non-empty base64 of the request JSON" });
  }
  const signatureText = readField(envelope, "signature");
  if (signatureText === undefined || signatureText === "") return fail({ reason: "request-unsigned", missing: "signature" });
  const signer = readField(envelope, "signer");
  if (typeof signer !== "string" || signer === "") return fail({ reason: "request-unsigned", missing: "signer" });
  const signature = decodeProtoBytes(signatureText);
  if (!signature) return fail({ reason: "signature-mismatch" });
  return succeed({ request, signature, signer });
}

/**
 * Wraps an inner response (success or failure) as `{"response": b64(JSON)}`.
 * @example c.json(encodeSignedResponse(failureResponse({ reason: "signature-mismatch" })))
 */
export function encodeSignedResponse(inner: CommonEncryptionResponseJson | CommonEncryptionFailureResponse): SignedResponseJson {
  return { response: toBase64(utf8(JSON.stringify(inner))) };
}
