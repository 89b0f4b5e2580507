import { uuidPathParameter } from "../http/paths";
import { managementFailureResponse } from "../http/management-errors";
import { readPaging } from "../http/paging";
import { requestActor } from "../http/request-actor";
import { routeGroup } from "../http/route-group";
import { tenantObject } from "../tenancy/tenant-client";
import { CONTENT_KEY_LIST_QUERY, contentKeyJson, contentKeyQuery, parseContentKeyRename, parseNewContentKey } from "./content-key-input";
import { readQuery } from "../http/query";
import { managementRequestFailureResponse } from "./management-request-failure";
import { parseBody, respond } from "./responses";

/**
 * Content Keys API (Axinom Key Service API help, api/ContentKeys), mounted under `/api` behind tenant auth with the
 * `manage` scope. Keys are stored sealed; no answer ever carries a key value or IV.
 */
export const contentKeyRoutes = routeGroup({ kind: "tenant", scope: "manage" });
const routes = contentKeyRoutes.routes;

/** The OData options a list takes; any other `$` option is refused rather than ignored. */
const LIST_OPTIONS = new Set(["$top", "$skip", "$filter", "$orderby"]);

routes.get("/contentkeys", async (c) => {
  const unsupported = Object.keys(c.req.queries()).find((name) => name.startsWith("$") && !LIST_OPTIONS.has(name));
  if (unsupported !== undefined) return managementRequestFailureResponse({ reason: "unsupported-option", option: unsupported });
  const paging = readPaging((name) => c.req.queries(name) ?? []);
  if (!paging.ok) return managementRequestFailureResponse({ reason: "invalid-input", message: paging.message });
  const query = readQuery(CONTENT_KEY_LIST_QUERY, (name) => c.req.queries(name) ?? []);
  if (!query.ok) return managementRequestFailureResponse({ reason: "invalid-input", message: query.message });
  const result = await tenantObject(c.env, c.var.tenant.tenantId).contentKeys().list(contentKeyQuery(query.value), paging.value);
  return result.ok ? c.json(result.value.items.map(contentKeyJson)) : managementFailureResponse(result.failure);
});

routes.get("/contentkeys/:id", async (c) => {
  const id = uuidPathParameter(c.req.param("id"));
  if (!id) return managementRequestFailureResponse({ reason: "path-id", what: "content key" });
  const result = await tenantObject(c.env, c.var.tenant.tenantId).contentKeys().get(id);
  return result.ok ? c.json(contentKeyJson(result.value)) : managementFailureResponse(result.failure);
});

routes.post("/contentkeys", async (c) => {
  const input = await parseBody(c.req.raw, parseNewContentKey);
  if (input instanceof Response) return input;
  const tenantId = c.var.tenant.tenantId;
  const result = await tenantObject(c.env, tenantId).contentKeys().create(input, requestActor(c, new Date()));
  return respond(c.env, c.var.store, tenantId, result, (key) => c.json(contentKeyJson(key), 201));
});

routes.put("/contentkeys/:id", async (c) => {
  const id = uuidPathParameter(c.req.param("id"));
  if (!id) return managementRequestFailureResponse({ reason: "path-id", what: "content key" });
  const name = await parseBody(c.req.raw, parseContentKeyRename);
  if (name instanceof Response) return name;
  const tenantId = c.var.tenant.tenantId;
  const result = await tenantObject(c.env, tenantId).contentKeys().rename(id, name, requestActor(c, new Date()));
  return respond(c.env, c.var.store, tenantId, result, (key) => c.json(contentKeyJson(key)));
});

routes.delete("/contentkeys/:id", async (c) => {
  const id = uuidPathParameter(c.req.param("id"));
  if (!id) return managementRequestFailureResponse({ reason: "path-id", what: "content key" });
  const tenantId = c.var.tenant.tenantId;
  const result = await tenantObject(c.env, tenantId).contentKeys().delete(id, requestActor(c, new Date()));
  return respond(c.env, c.var.store, tenantId, result, () => c.body(null, 204));
});
