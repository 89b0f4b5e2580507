import * as v from "valibot";
import { HEALTH_CHECK_NAMES } from "../admin/health-checks";
import { ROTATION_REQUEST } from "../admin/kek-rotation";
import { TENANT_NAME } from "../admin/tenants";
import { TENANT_CHANGE } from "../admin/tenant-lifecycle";
import { TENANT_DELETE_QUERY, TENANT_LIST_QUERY } from "../admin/tenant-list";
import type { ResponseShapes } from "../management/response-shapes";
import type { RouteDoc } from "../http/route-doc";

const OPERATOR = { kind: "operator" } as const;
const TAG = "Operator";
const TENANT_PATH = { id: "The tenant id (a UUID)" };

/** What `GET /admin/health` answers: every check, passing (200) or with the failing ones named (503). */
function healthShapes() {
  const healthCheck = v.strictObject({
    name: v.pipe(
      v.picklist(HEALTH_CHECK_NAMES),
      v.description(
        "kv: a KV write read back; durable-object: a round trip to the tenant directory object; kek-canaries: every configured key-encryption key version opens its canary",
      ),
    ),
    ok: v.boolean(),
    ms: v.pipe(v.number(), v.description("Milliseconds the check took")),
    versions: v.optional(
      v.pipe(v.array(v.number()), v.description("kek-canaries: the key-encryption key versions checked, current first")),
    ),
    problem: v.optional(v.pipe(v.string(), v.description("Why the check failed"))),
  });
  return {
    health: v.strictObject({ status: v.literal("ok"), checks: v.array(healthCheck) }),
    healthFailing: v.strictObject({
      error: v.pipe(v.string(), v.description("Names each failing check and why; the same text as X-AxDRM-ErrorMessage")),
      status: v.literal("failing"),
      checks: v.array(healthCheck),
    }),
  };
}

/** The Operator API (`Authorization: Bearer <ADMIN_TOKEN>`) and the public routes. */
export function operatorRouteDocs(shapes: ResponseShapes): RouteDoc[] {
  const { health, healthFailing } = healthShapes();
  return [
    {
      method: "post",
      path: "/admin/tenants",
      tag: TAG,
      access: OPERATOR,
      summary: "Create a tenant with its first credential (both scopes) and a default key seed",
      body: { kind: "json", schema: TENANT_NAME, optional: true },
      responses: { 201: { kind: "json", description: "The tenant; managementKey is shown once", schema: shapes.newTenant } },
    },
    {
      method: "get",
      path: "/admin/tenants",
      tag: TAG,
      access: OPERATOR,
      summary: "List tenants, a page at a time in id order",
      description: "Call again with the returned cursor until a page comes without one.",
      query: [TENANT_LIST_QUERY],
      responses: {
        200: { kind: "json", description: "One page of tenants", schema: shapes.tenantPage },
        400: { kind: "error", description: "limit or cursor breaks its rule (the message names it)" },
      },
    },
    {
      method: "put",
      path: "/admin/tenants/{id}",
      tag: TAG,
      access: OPERATOR,
      summary: "Rename, suspend or resume a tenant",
      description:
        "A suspended tenant is refused with 403 Tenant suspended on every tenant route (acquisition in its protocol's shape): " +
        "at once where the change was made, everywhere within the snapshot staleness bound. Its data is kept; resuming cancels a pending deletion.",
      pathParameters: TENANT_PATH,
      body: { kind: "json", schema: TENANT_CHANGE, optional: true },
      responses: {
        200: { kind: "json", description: "The tenant as it now is", schema: shapes.tenantLifecycle },
        404: { kind: "error", description: "No tenant with this id" },
      },
    },
    {
      method: "delete",
      path: "/admin/tenants/{id}",
      tag: TAG,
      access: OPERATOR,
      summary: "Delete a suspended tenant after a 7-day grace period",
      description: "Every record of the tenant is erased at deleteAt; resuming it (PUT suspended false) before then cancels.",
      pathParameters: TENANT_PATH,
      query: [TENANT_DELETE_QUERY],
      responses: {
        202: { kind: "json", description: "The deletion is scheduled", schema: shapes.deletionScheduled },
        400: { kind: "error", description: "confirm is not the tenant id in the path" },
        404: { kind: "error", description: "No tenant with this id" },
        409: { kind: "error", description: "The tenant is not suspended" },
      },
    },
    {
      method: "get",
      path: "/admin/tenants/{id}",
      tag: TAG,
      access: OPERATOR,
      summary: "Read a tenant's metadata",
      pathParameters: TENANT_PATH,
      responses: {
        200: { kind: "json", description: "The tenant", schema: shapes.tenantMetadata },
        404: { kind: "error", description: "No tenant with this id" },
      },
    },
    {
      method: "post",
      path: "/admin/tenants/{id}/credentials",
      tag: TAG,
      access: OPERATOR,
      summary: "Issue a fresh manage credential for a tenant that lost its keys",
      pathParameters: TENANT_PATH,
      body: { kind: "json", schema: TENANT_NAME, optional: true },
      responses: {
        201: { kind: "json", description: "The credential; its Secret is shown once", schema: shapes.issuedCredential },
        404: { kind: "error", description: "No tenant with this id" },
      },
    },
    {
      method: "post",
      path: "/admin/kek-rotation",
      tag: TAG,
      access: OPERATOR,
      summary: "Re-wrap the next batch of tenants' data keys under the current key-encryption key",
      description: "Call again with the returned cursor until done (README, Rotating the key-encryption key).",
      body: { kind: "json", schema: ROTATION_REQUEST, optional: true },
      responses: {
        200: { kind: "json", description: "The progress", schema: shapes.rotationProgress },
        409: { kind: "error", description: "A data key no configured key-encryption key opens; the body also carries the progress" },
      },
    },
    {
      method: "get",
      path: "/admin/health",
      tag: TAG,
      access: OPERATOR,
      summary: "Check KV, a Durable Object and every configured key-encryption key",
      description:
        "Writes and reads back a probe key in KV, makes a round trip to the tenant directory object, and checks that every " +
        "configured key-encryption key version opens its canary (README, Usage and monitoring).",
      responses: {
        200: { kind: "json", description: "Every check passed", schema: health },
        503: { kind: "json", description: "A check failed: the message and the checks name it", schema: healthFailing },
      },
    },
    {
      method: "get",
      path: "/",
      tag: "Service",
      access: { kind: "public" },
      summary: "Service banner",
      responses: { 200: { kind: "json", description: "The service name and status", schema: shapes.banner } },
    },
    {
      method: "get",
      path: "/healthz",
      tag: "Service",
      access: { kind: "public" },
      summary: "Health check",
      responses: { 200: { kind: "text", description: "ok" } },
    },
    {
      method: "get",
      path: "/api/openapi.json",
      tag: "Service",
      access: { kind: "public" },
      summary: "This document (OpenAPI 3.1)",
      responses: { 200: { kind: "json", description: "The OpenAPI document", schema: v.object({ openapi: v.literal("3.1.0") }) } },
    },
  ];
}
