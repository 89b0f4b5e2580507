import { jsonError } from "../http/errors";

/** The Operator API bodies, named for the message that shows what each expects. */
export type OperatorBody = "tenant-name" | "kek-rotation";

/** Why an Operator API route refused a request, as data. */
export type OperatorRequestFailure =
  | { readonly reason: "body-too-large" }
  /** Not JSON at all: the message shows the body the route expects. */
  | { readonly reason: "malformed-json"; readonly body: OperatorBody }
  /** A field that breaks its rule; `message` is the rule's own sentence, declared with the body's valibot schema. */
  | { readonly reason: "invalid-input"; readonly message: string }
  /** The tenant id in the path is not a UUID. */
  | { readonly reason: "tenant-path-id" }
  | { readonly reason: "unknown-tenant"; readonly tenantId: string };

/**
 * The one place the Operator API's own refusals meet the wire, in the JSON error shape (src/http/errors.ts): 413 over
 * the body limit (RFC 9110 §15.5.14), 400 for a body or path that breaks its rule, 404 for an unknown tenant.
 */
export function operatorRequestFailureResponse(failure: OperatorRequestFailure): Response {
  switch (failure.reason) {
    case "body-too-large":
      return jsonError(413, "Request body exceeds 1 MiB");
    case "malformed-json":
      return jsonError(
        400,
        failure.body === "tenant-name"
          ? 'Malformed JSON: expected {"name": "..."} or an empty body'
          : 'Malformed JSON: expected {"cursor": "<tenant id>", "limit": <1 to 40>} or an empty body',
      );
    case "invalid-input":
      return jsonError(400, failure.message);
    case "tenant-path-id":
      return jsonError(400, "The tenant id in the path must be a UUID");
    case "unknown-tenant":
      return jsonError(404, `No tenant with id ${failure.tenantId}`);
  }
}
