import { describeCpixReadFailure } from "../../cpix/failure";
import { errorHeaders } from "../../http/errors";
import { capitalized } from "../../domain/sentence";
import { documentSecurityStatusAndMessage } from "./document-security-failure";
import type { AcquisitionFailure } from "./failure";

const MIB = 1024 * 1024;

/**
 * The one place CPIX acquisition failures meet the wire. SPEKE: "4XX … with an error message body", 422 for
 * everything SPEKE/CPIX related, the exact strings of the error table (AWS SPEKE v2 docs, speke-constraints-v2);
 * the same text in `X-AxDRM-ErrorMessage`. Malformed XML is 400, an oversized body 413.
 */
export function acquisitionFailureResponse(failure: AcquisitionFailure, extraHeaders: Record<string, string> = {}): Response {
  const [status, message] = statusAndMessage(failure);
  return new Response(message, {
    status,
    headers: { "Content-Type": "text/plain; charset=utf-8", ...errorHeaders(message), ...extraHeaders },
  });
}

function statusAndMessage(failure: AcquisitionFailure): [number, string] {
  switch (failure.reason) {
    case "speke":
      return [422, failure.message];
    case "speke-version": {
      // The table's own string first, so clients matching on it still do; then what to send instead.
      const expected = `X-Speke-Version must be one of ${failure.supported.join(", ")}`;
      const got = failure.received === undefined ? "the header is missing" : `got "${failure.received}"`;
      return [422, `Unsupported SPEKE version: ${expected}; ${got}`];
    }
    case "unreadable": {
      const syntax =
        failure.failure.reason === "malformed-xml" || failure.failure.reason === "unsupported-xml" || failure.failure.reason === "not-cpix";
      const text = describeCpixReadFailure(failure.failure);
      return [syntax ? 400 : 422, capitalized(text)];
    }
    case "invalid-request":
    case "unsupported":
      return [422, failure.message];
    case "too-large":
      return [413, "Request body exceeds 1 MiB"];
    case "storage-unavailable":
      return [503, `Key storage is temporarily unavailable; retry in ${failure.retryAfterSeconds} s`];
    case "answer-too-large":
      return [
        422,
        `The answer would exceed ${failure.limit} bytes (${failure.limit / MIB} MiB), the most one response carries; ask for fewer ContentKeys or DRMSystems per request`,
      ];
    case "unknown-key-seed":
      return [404, `No key seed with Id ${failure.keySeedId} (keySeedId)`];
    case "tenant-suspended":
      // RFC 9110 §15.5.4: the tenant authenticated and is refused; SPEKE's "4XX … with an error message body".
      return [403, "Tenant suspended"];
    case "protocol-not-allowed":
      // RFC 9110 §15.5.4: the credential is known and refused for this route.
      return [403, `This credential may acquire keys only over ${failure.allowed.join(", ")} (its Protocols), not ${failure.protocol}`];
    default:
      // What is left is exactly DocumentSecurityFailure: a new AcquisitionFailure case without its own branch fails here.
      return documentSecurityStatusAndMessage(failure);
  }
}
