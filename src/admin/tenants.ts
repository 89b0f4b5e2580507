import { routeGroup } from "../http/route-group";
import type { AppEnv } from "../http/app-env";
import { tenantStore } from "../http/auth";
import { managementFailureResponse } from "../http/management-errors";
import { jsonObject, optional, text } from "../http/json-fields";
import { issuedCredentialJson } from "../management/credentials";
import { tenantObject } from "../tenancy/tenant-client";
import { tenantDirectory } from "../tenancy/tenant-directory";
import { readOptionalJsonBody } from "./optional-json-body";
import { operatorRequestFailureResponse } from "./operator-request-failure";
import {
  MAX_TENANT_NAME_LENGTH,
  changeTenant,
  deleteTenant,
  listTenants,
  operatorActor,
  tenantFailureResponse,
  tenantIdParam,
} from "./tenant-lifecycle";

/** The optional body `{"name"?}` of `POST /admin/tenants` and `POST /admin/tenants/{id}/credentials` (an empty body is allowed too). */
export const TENANT_NAME = jsonObject({ name: optional(text("name", MAX_TENANT_NAME_LENGTH)) });

/** Operator API (README, API): create, list, read, suspend, resume and delete tenants; behind adminAuth. */
export const tenantAdminRoutes = routeGroup({ kind: "operator" });
const routes = tenantAdminRoutes.routes;

routes.get("/tenants", listTenants);
routes.put("/tenants/:id", changeTenant);
routes.delete("/tenants/:id", deleteTenant);

routes.post("/tenants", async (c) => {
  const body = await readOptionalJsonBody(c.req.raw, TENANT_NAME, "tenant-name");
  if (!body.ok) return body.response;
  const name = body.value?.name ?? "";
  const tenantId = crypto.randomUUID();
  const now = new Date();
  // Listed before it exists, so the directory misses no tenant (a failed creation leaves an entry without a tenant).
  await tenantDirectory(c.env).add(tenantId, now.toISOString(), name);
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
  const actor = operatorActor(c);
  const result = await tenantObject(c.env, id).credentials().issueOperator(name, actor);
  if (!result.ok) return tenantFailureResponse(id, result.failure);
  const snapshot = await tenantObject(c.env, id).tenant().snapshot();
  if (snapshot.ok) await tenantStore(c.env).prime(snapshot.value);
  return c.json(issuedCredentialJson(result.value), 201);
});
