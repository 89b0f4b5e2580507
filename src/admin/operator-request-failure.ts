import { jsonError } from "../http/errors";

/** The Operator API bodies, named for the message that shows what each expects. */
export type OperatorBody = "tenant-name" | "tenant-change" | "kek-rotation";

/** Why an Operator API route refused a request, as data. */
export type OperatorRequestFailure =
  | { readonly reason: "body-too-large" }
  /** Not JSON at all: the message shows the body the route expects. */
  | { readonly reason: "malformed-json"; readonly body: OperatorBody }
  /** A field that breaks its rule; `message` is the rule's own sentence, declared with the body's valibot schema. */
  | { readonly reason: "invalid-input"; readonly message: string }
  /** The tenant id in the path is not a UUID. */
  | { readonly reason: "tenant-path-id" }
  | { readonly reason: "unknown-tenant"; readonly tenantId: string }
  /** A query parameter that breaks its rule; `message` names it and the allowed values. */
  | { readonly reason: "invalid-query"; readonly message: string }
  /** `DELETE /admin/tenants/{id}` without `confirm` equal to the id in the path. */
  | { readonly reason: "deletion-unconfirmed" }
  /** `DELETE /admin/tenants/{id}` of a tenant that serves requests: only a suspended tenant is deleted. */
  | { readonly reason: "tenant-not-suspended"; readonly tenantId: string };

/** What a malformed body of each kind should have been. */
const EXPECTED_BODY: Readonly<Record<OperatorBody, string>> = {
  "tenant-name": '{"name": "..."} or an empty body',
  "tenant-change": '{"name"?: "...", "suspended"?: true or false}',
  "kek-rotation": '{"cursor": "<tenant id>", "limit": <1 to 40>} or an empty body',
};

/**
 * The one place the Operator API's own refusals meet the wire, in the JSON error shape (src/http/errors.ts): 413 over
 * the body limit (RFC 9110 §15.5.14), 400 for a body, query or path that breaks its rule, 404 for an unknown tenant,
 * 409 for a deletion the tenant's state does not allow (RFC 9110 §15.5.10).
 */
export function operatorRequestFailureResponse(failure: OperatorRequestFailure): Response {
  switch (failure.reason) {
    case "body-too-large":
      return jsonError(413, "Request body exceeds 1 MiB");
    case "malformed-json":
      return jsonError(400, `Malformed JSON: expected ${EXPECTED_BODY[failure.body]}`);
    case "invalid-input":
    case "invalid-query":
      return jsonError(400, failure.message);
    case "tenant-path-id":
      return jsonError(400, "The tenant id in the path must be a UUID");
    case "unknown-tenant":
      return jsonError(404, `No tenant with id ${failure.tenantId}`);
    case "deletion-unconfirmed":
      return jsonError(400, "Deleting a tenant needs confirm={id}: the query parameter confirm equal to the tenant id in the path");
    case "tenant-not-suspended":
      return jsonError(409, `Tenant ${failure.tenantId} is not suspended: suspend it first (PUT {"suspended": true}), then delete it`);
  }
}
