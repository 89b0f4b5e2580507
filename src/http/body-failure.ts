import type { JsonBodyFailure } from "./body";
import { jsonError } from "./errors";

/**
 * The one place a refused JSON body meets the wire: 415 for another media type (RFC 9110 §15.5.16), 413 over the
 * size limit (§15.5.14), 400 for an empty or malformed body; the message never echoes the body.
 */
export function jsonBodyFailureResponse(failure: JsonBodyFailure): Response {
  switch (failure.reason) {
    case "not-json-media-type":
      return jsonError(415, "Content-Type must be application/json");
    case "too-large":
      return jsonError(413, `Request body exceeds ${failure.limit} bytes`);
    case "empty":
      return jsonError(400, "Request body is empty; expected JSON");
    case "malformed":
      return jsonError(400, failure.position === undefined ? "Malformed JSON" : `Malformed JSON at position ${failure.position}`);
  }
}
