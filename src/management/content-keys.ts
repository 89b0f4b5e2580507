import { uuidPathParameter } from "../http/paths";
import { managementFailureResponse } from "../http/management-errors";
import { PAGING_QUERY, readPaging } from "../http/paging";
import { requestActor } from "../http/request-actor";
import { routeGroup } from "../http/route-group";
import { tenantObject } from "../tenancy/tenant-client";
import {
  CONTENT_KEY_LIST_QUERY,
  CONTENT_KEY_RENAME,
  contentKeyJson,
  contentKeyQuery,
  NEW_CONTENT_KEY,
  parseContentKeyRename,
  parseNewContentKey,
} from "./content-key-input";
import { readQuery } from "../http/query";
import { managementRequestFailureResponse } from "./management-request-failure";
import { parseBody, respond } from "./responses";
import type { LazyRouteDoc } from "../http/route-doc";
import * as v from "valibot";
import { DELETED, ID_PATH, error, json } from "../http/route-doc-parts";
import { responseShapes } from "./response-shapes";

/**
 * Content Keys API (Axinom Key Service API help, api/ContentKeys), mounted under `/api` behind tenant auth with the
 * `manage` scope. Keys are stored sealed; no answer ever carries a key value or IV.
 */
export const contentKeyRoutes = routeGroup({ kind: "tenant", scope: "manage" });
const routes = contentKeyRoutes;

/** The tag of the content-key routes in `GET /api/openapi.json`. */
export const CONTENT_KEYS = "Content Keys";

/** The OData options a list takes; any other `$` option is refused rather than ignored. */
const LIST_OPTIONS = new Set(["$top", "$skip", "$filter", "$orderby"]);

const listContentKeysDoc: LazyRouteDoc | false =
  __OPENAPI__ &&
  (() => ({
    tag: CONTENT_KEYS,
    summary: "List the stored content keys (never their values)",
    query: [PAGING_QUERY, CONTENT_KEY_LIST_QUERY],
    responses: { 200: json("A page of content keys", v.array(responseShapes().contentKey)) },
  }));

routes.declare("get", "/api/ContentKeys", listContentKeysDoc, async (c) => {
  const unsupported = Object.keys(c.req.queries()).find((name) => name.startsWith("$") && !LIST_OPTIONS.has(name));
  if (unsupported !== undefined) return managementRequestFailureResponse({ reason: "unsupported-option", option: unsupported });
  const paging = readPaging((name) => c.req.queries(name) ?? []);
  if (!paging.ok) return managementRequestFailureResponse({ reason: "invalid-input", message: paging.message });
  const query = readQuery(CONTENT_KEY_LIST_QUERY, (name) => c.req.queries(name) ?? []);
  if (!query.ok) return managementRequestFailureResponse({ reason: "invalid-input", message: query.message });
  const result = await tenantObject(c.env, c.var.tenant.tenantId).contentKeys().list(contentKeyQuery(query.value), paging.value);
  return result.ok ? c.json(result.value.items.map(contentKeyJson)) : managementFailureResponse(result.failure);
});

const readContentKeyDoc: LazyRouteDoc | false =
  __OPENAPI__ &&
  (() => ({
    tag: CONTENT_KEYS,
    summary: "Read a content key (never its value)",
    pathParameters: ID_PATH,
    responses: { 200: json("The key", responseShapes().contentKey), 404: error("No content key with this Id") },
  }));

routes.declare("get", "/api/ContentKeys/{id}", readContentKeyDoc, async (c) => {
  const id = uuidPathParameter(c.req.param("id"));
  if (!id) return managementRequestFailureResponse({ reason: "path-id", what: "content key" });
  const result = await tenantObject(c.env, c.var.tenant.tenantId).contentKeys().get(id);
  return result.ok ? c.json(contentKeyJson(result.value)) : managementFailureResponse(result.failure);
});

const storeContentKeyDoc: LazyRouteDoc | false =
  __OPENAPI__ &&
  (() => ({
    tag: CONTENT_KEYS,
    summary: "Store a content key: 16 random bytes, or derived from a key seed for its KID",
    description: "Acquisitions answer a stored KID with the stored key (docs/storage.md, Stored content keys).",
    body: { kind: "json", schema: NEW_CONTENT_KEY },
    responses: {
      201: json("The stored key", responseShapes().contentKey),
      400: error("KeySeedId names no key seed of this tenant"),
      409: error("A content key with this Id is stored, or was deleted less than 110 s ago"),
    },
  }));

routes.declare("post", "/api/ContentKeys", storeContentKeyDoc, async (c) => {
  const input = await parseBody(c.req.raw, parseNewContentKey);
  if (input instanceof Response) return input;
  const tenantId = c.var.tenant.tenantId;
  const result = await tenantObject(c.env, tenantId).contentKeys().create(input, requestActor(c, new Date()));
  return respond(c.env, c.var.store, tenantId, result, (key) => c.json(contentKeyJson(key), 201));
});

const renameContentKeyDoc: LazyRouteDoc | false =
  __OPENAPI__ &&
  (() => ({
    tag: CONTENT_KEYS,
    summary: "Rename a content key",
    pathParameters: ID_PATH,
    body: { kind: "json", schema: CONTENT_KEY_RENAME },
    responses: { 200: json("The key", responseShapes().contentKey), 404: error("No content key with this Id") },
  }));

routes.declare("put", "/api/ContentKeys/{id}", renameContentKeyDoc, async (c) => {
  const id = uuidPathParameter(c.req.param("id"));
  if (!id) return managementRequestFailureResponse({ reason: "path-id", what: "content key" });
  const name = await parseBody(c.req.raw, parseContentKeyRename);
  if (name instanceof Response) return name;
  const tenantId = c.var.tenant.tenantId;
  const result = await tenantObject(c.env, tenantId).contentKeys().rename(id, name, requestActor(c, new Date()));
  return respond(c.env, c.var.store, tenantId, result, (key) => c.json(contentKeyJson(key)));
});

const deleteContentKeyDoc: LazyRouteDoc | false =
  __OPENAPI__ &&
  (() => ({
    tag: CONTENT_KEYS,
    summary: "Delete a content key: its KID is derived from the seed again",
    pathParameters: ID_PATH,
    responses: { 204: DELETED, 404: error("No content key with this Id") },
  }));

routes.declare("delete", "/api/ContentKeys/{id}", deleteContentKeyDoc, async (c) => {
  const id = uuidPathParameter(c.req.param("id"));
  if (!id) return managementRequestFailureResponse({ reason: "path-id", what: "content key" });
  const tenantId = c.var.tenant.tenantId;
  const result = await tenantObject(c.env, tenantId).contentKeys().delete(id, requestActor(c, new Date()));
  return respond(c.env, c.var.store, tenantId, result, () => c.body(null, 204));
});
