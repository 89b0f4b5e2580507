import { routeGroup } from "../http/route-group";
import { tenantStore } from "../http/auth";
import { managementFailureResponse } from "../http/management-errors";
import { jsonObject, optional, text } from "../http/json-fields";
import type { LazyRouteDoc } from "../http/route-doc";
import { error, json } from "../http/route-doc-parts";
import { issuedCredentialJson } from "../management/credentials";
import { responseShapes } from "../management/response-shapes";
import { tenantObject } from "../tenancy/tenant-client";
import { tenantDirectory } from "../tenancy/tenant-directory";
import { readOptionalJsonBody } from "./optional-json-body";
import { operatorRequestFailureResponse } from "./operator-request-failure";
import {
  MAX_TENANT_NAME_LENGTH,
  TENANT_CHANGE,
  changeTenant,
  deleteTenant,
  listTenants,
  operatorActor,
  tenantFailureResponse,
  tenantIdParam,
} from "./tenant-lifecycle";
import { TENANT_DELETE_QUERY, TENANT_LIST_QUERY } from "./tenant-list";

/** The optional body `{"name"?}` of `POST /admin/tenants` and `POST /admin/tenants/{id}/credentials` (an empty body is allowed too). */
export const TENANT_NAME = jsonObject({ name: optional(text("name", MAX_TENANT_NAME_LENGTH)) });

/** Operator API (README, API): create, list, read, suspend, resume and delete tenants; behind adminAuth. */
export const tenantAdminRoutes = routeGroup({ kind: "operator" });
const routes = tenantAdminRoutes;

const TAG = "Operator";
const TENANT_PATH = { id: "The tenant id (a UUID)" };

const createTenantDoc: LazyRouteDoc | false =
  __OPENAPI__ &&
  (() => ({
    tag: TAG,
    summary: "Create a tenant with its first credential (both scopes) and a default key seed",
    body: { kind: "json", schema: TENANT_NAME, optional: true },
    responses: { 201: json("The tenant; managementKey is shown once", responseShapes().newTenant) },
  }));

routes.declare("post", "/admin/tenants", createTenantDoc, async (c) => {
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

const listTenantsDoc: LazyRouteDoc | false =
  __OPENAPI__ &&
  (() => ({
    tag: TAG,
    summary: "List tenants, a page at a time in id order",
    description: "Call again with the returned cursor until a page comes without one.",
    query: [TENANT_LIST_QUERY],
    responses: {
      200: json("One page of tenants", responseShapes().tenantPage),
      400: error("limit or cursor breaks its rule (the message names it)"),
    },
  }));

routes.declare("get", "/admin/tenants", listTenantsDoc, listTenants);

const changeTenantDoc: LazyRouteDoc | false =
  __OPENAPI__ &&
  (() => ({
    tag: TAG,
    summary: "Rename, suspend or resume a tenant",
    description:
      "A suspended tenant is refused with 403 Tenant suspended on every tenant route (acquisition in its protocol's shape): " +
      "at once where the change was made, everywhere within the snapshot staleness bound. Its data is kept; resuming cancels a pending deletion.",
    pathParameters: TENANT_PATH,
    body: { kind: "json", schema: TENANT_CHANGE, optional: true },
    responses: {
      200: json("The tenant as it now is", responseShapes().tenantLifecycle),
      404: error("No tenant with this id"),
    },
  }));

routes.declare("put", "/admin/tenants/{id}", changeTenantDoc, changeTenant);

const deleteTenantDoc: LazyRouteDoc | false =
  __OPENAPI__ &&
  (() => ({
    tag: TAG,
    summary: "Delete a suspended tenant after a 7-day grace period",
    description: "Every record of the tenant is erased at deleteAt; resuming it (PUT suspended false) before then cancels.",
    pathParameters: TENANT_PATH,
    query: [TENANT_DELETE_QUERY],
    responses: {
      202: json("The deletion is scheduled", responseShapes().deletionScheduled),
      400: error("confirm is not the tenant id in the path"),
      404: error("No tenant with this id"),
      409: error("The tenant is not suspended"),
    },
  }));

routes.declare("delete", "/admin/tenants/{id}", deleteTenantDoc, deleteTenant);

const readTenantDoc: LazyRouteDoc | false =
  __OPENAPI__ &&
  (() => ({
    tag: TAG,
    summary: "Read a tenant's metadata",
    pathParameters: TENANT_PATH,
    responses: {
      200: json("The tenant", responseShapes().tenantMetadata),
      404: error("No tenant with this id"),
    },
  }));

routes.declare("get", "/admin/tenants/{id}", readTenantDoc, async (c) => {
  const id = tenantIdParam(c.req.param("id"));
  if (!id) return operatorRequestFailureResponse({ reason: "tenant-path-id" });
  const metadata = await tenantObject(c.env, id).tenant().metadata(new Date());
  return metadata.ok ? c.json(metadata.value) : tenantFailureResponse(id, metadata.failure);
});

const issueCredentialDoc: LazyRouteDoc | false =
  __OPENAPI__ &&
  (() => ({
    tag: TAG,
    summary: "Issue a fresh manage credential for a tenant that lost its keys",
    pathParameters: TENANT_PATH,
    body: { kind: "json", schema: TENANT_NAME, optional: true },
    responses: {
      201: json("The credential; its Secret is shown once", responseShapes().issuedCredential),
      404: error("No tenant with this id"),
    },
  }));

/**
 * Recovery for a tenant that lost its management keys (Axinom: a support ticket): a fresh `manage` credential,
 * body `{"name"?}`, answered like `POST /api/Credentials` with its secret shown once.
 */
routes.declare("post", "/admin/tenants/{id}/credentials", issueCredentialDoc, async (c) => {
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
