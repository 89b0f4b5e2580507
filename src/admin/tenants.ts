import { fromUtf8 } from "../domain/bytes";
import { routeGroup } from "../http/route-group";
import type { AppEnv } from "../http/app-env";
import { readBodyBytes } from "../http/body";
import { tenantStore } from "../http/auth";
import { jsonError } from "../http/errors";
import { managementFailureResponse } from "../http/management-errors";
import { InputError, jsonObject, optional, parseJson, text } from "../http/json-fields";
import { issuedCredentialJson } from "../management/credentials";
import { tenantObject } from "../tenancy/tenant-client";
import { tenantDirectory } from "../tenancy/tenant-directory";
import { OPERATOR_ACTOR } from "../tenancy/tenant-types";

const MAX_TENANT_NAME_LENGTH = 256;

/** The optional body `{"name"?}` of `POST /admin/tenants` and `POST /admin/tenants/{id}/credentials` (an empty body is allowed too). */
export const TENANT_NAME = jsonObject({ name: optional(text("name", MAX_TENANT_NAME_LENGTH)) });

/** Operator API (README, API): create tenants and read their metadata; behind adminAuth. */
export const tenantAdminRoutes = routeGroup({ kind: "operator" });
const routes = tenantAdminRoutes.routes;

routes.post("/tenants", async (c) => {
  const body = await readBodyBytes(c.req.raw);
  if (!body.ok) return jsonError(413, "Request body exceeds 1 MiB");
  let name = "";
  const text = fromUtf8(body.bytes).trim();
  if (text !== "") {
    try {
      name = parseJson(TENANT_NAME, JSON.parse(text)).name ?? "";
    } catch (error) {
      if (error instanceof InputError) return jsonError(400, error.message);
      return jsonError(400, 'Malformed JSON: expected {"name": "..."} or an empty body');
    }
  }
  const tenantId = crypto.randomUUID();
  const now = new Date().toISOString();
  // Listed before it exists, so the directory misses no tenant (a failed creation leaves an entry without a tenant).
  await tenantDirectory(c.env).add(tenantId, now);
  const result = await tenantObject(c.env, tenantId).createTenant({ tenantId, name, now });
  if (!result.ok) return managementFailureResponse(result.failure);
  const snapshot = await tenantObject(c.env, tenantId).currentSnapshot();
  if (snapshot.ok) await tenantStore(c.env).prime(snapshot.value);
  return c.json({ tenantId, managementKey: result.value.managementKey, keySeedId: result.value.keySeedId }, 201);
});

routes.get("/tenants/:id", async (c) => {
  const id = c.req.param("id").toLowerCase();
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id))
    return jsonError(400, "The tenant id in the path must be a UUID");
  const metadata = await tenantObject(c.env, id).getMetadata(new Date().toISOString());
  if (!metadata.ok) {
    return metadata.failure.reason === "no-tenant"
      ? jsonError(404, `No tenant with id ${id}`)
      : managementFailureResponse(metadata.failure);
  }
  return c.json(metadata.value);
});

/**
 * Recovery for a tenant that lost its management keys (Axinom: a support ticket): a fresh `manage` credential,
 * body `{"name"?}`, answered like `POST /api/Credentials` with its secret shown once.
 */
routes.post("/tenants/:id/credentials", async (c) => {
  const id = c.req.param("id").toLowerCase();
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id))
    return jsonError(400, "The tenant id in the path must be a UUID");
  const body = await readBodyBytes(c.req.raw);
  if (!body.ok) return jsonError(413, "Request body exceeds 1 MiB");
  let name = "Issued by the operator";
  const text = fromUtf8(body.bytes).trim();
  if (text !== "") {
    try {
      name = parseJson(TENANT_NAME, JSON.parse(text)).name || name;
    } catch (error) {
      if (error instanceof InputError) return jsonError(400, error.message);
      return jsonError(400, 'Malformed JSON: expected {"name": "..."} or an empty body');
    }
  }
  const now = new Date().toISOString();
  const actor = { credentialId: OPERATOR_ACTOR, requestPath: new URL(c.req.url).pathname, time: now };
  const result = await tenantObject(c.env, id).issueOperatorCredential(name, actor);
  if (!result.ok) {
    return result.failure.reason === "no-tenant" ? jsonError(404, `No tenant with id ${id}`) : managementFailureResponse(result.failure);
  }
  const snapshot = await tenantObject(c.env, id).currentSnapshot();
  if (snapshot.ok) await tenantStore(c.env).prime(snapshot.value);
  return c.json(issuedCredentialJson(result.value), 201);
});
