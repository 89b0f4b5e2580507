import { routeGroup } from "../http/route-group";
import type { AppEnv } from "../http/app-env";
import { tenantStore } from "../http/auth";
import { managementFailureResponse } from "../http/management-errors";
import { jsonObject, optional, text } from "../http/json-fields";
import { issuedCredentialJson } from "../management/credentials";
import { tenantObject } from "../tenancy/tenant-client";
import { tenantDirectory } from "../tenancy/tenant-directory";
import { OPERATOR_ACTOR, type ManagementFailure } from "../tenancy/tenant-types";
import { readOptionalJsonBody } from "./optional-json-body";
import { operatorRequestFailureResponse } from "./operator-request-failure";

const MAX_TENANT_NAME_LENGTH = 256;

/** The optional body `{"name"?}` of `POST /admin/tenants` and `POST /admin/tenants/{id}/credentials` (an empty body is allowed too). */
export const TENANT_NAME = jsonObject({ name: optional(text("name", MAX_TENANT_NAME_LENGTH)) });

/** Operator API (README, API): create tenants and read their metadata; behind adminAuth. */
export const tenantAdminRoutes = routeGroup({ kind: "operator" });
const routes = tenantAdminRoutes.routes;

routes.post("/tenants", async (c) => {
  const body = await readOptionalJsonBody(c.req.raw, TENANT_NAME, "tenant-name");
  if (!body.ok) return body.response;
  const name = body.value?.name ?? "";
  const tenantId = crypto.randomUUID();
  const now = new Date();
  // Listed before it exists, so the directory misses no tenant (a failed creation leaves an entry without a tenant).
  await tenantDirectory(c.env).add(tenantId, now.toISOString());
  const result = await tenantObject(c.env, tenantId).tenant().create({ tenantId, name }, now);
  if (!result.ok) return managementFailureResponse(result.failure);
  const snapshot = await tenantObject(c.env, tenantId).tenant().snapshot();
  if (snapshot.ok) await tenantStore(c.env).prime(snapshot.value);
  return c.json({ tenantId, managementKey: result.value.managementKey, keySeedId: result.value.keySeedId }, 201);
});

routes.get("/tenants/:id", async (c) => {
  const id = tenantIdParam(c.req.param("id"));
  if (!id) return operatorRequestFailureResponse({ reason: "tenant-path-id" });
  const metadata = await tenantObject(c.env, id).tenant().metadata(new Date());
  return metadata.ok ? c.json(metadata.value) : tenantFailureResponse(id, metadata.failure);
});

/**
 * Recovery for a tenant that lost its management keys (Axinom: a support ticket): a fresh `manage` credential,
 * body `{"name"?}`, answered like `POST /api/Credentials` with its secret shown once.
 */
routes.post("/tenants/:id/credentials", async (c) => {
  const id = tenantIdParam(c.req.param("id"));
  if (!id) return operatorRequestFailureResponse({ reason: "tenant-path-id" });
  const body = await readOptionalJsonBody(c.req.raw, TENANT_NAME, "tenant-name");
  if (!body.ok) return body.response;
  const name = body.value?.name || "Issued by the operator";
  const actor = { credentialId: OPERATOR_ACTOR, requestPath: new URL(c.req.url).pathname, time: new Date() };
  const result = await tenantObject(c.env, id).credentials().issueOperator(name, actor);
  if (!result.ok) return tenantFailureResponse(id, result.failure);
  const snapshot = await tenantObject(c.env, id).tenant().snapshot();
  if (snapshot.ok) await tenantStore(c.env).prime(snapshot.value);
  return c.json(issuedCredentialJson(result.value), 201);
});

/** The tenant id of a path, lower-cased, or undefined when it is not a UUID. */
function tenantIdParam(text: string): string | undefined {
  const id = text.toLowerCase();
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id) ? id : undefined;
}

/** The operator is told which tenant id is unknown (the Management API's "Tenant not found" names none). */
function tenantFailureResponse(tenantId: string, failure: ManagementFailure): Response {
  return failure.reason === "no-tenant"
    ? operatorRequestFailureResponse({ reason: "unknown-tenant", tenantId })
    : managementFailureResponse(failure);
}
