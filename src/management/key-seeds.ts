import { routeGroup } from "../http/route-group";
import { uuidPathParameter } from "../http/paths";
import { managementFailureResponse } from "../http/management-errors";
import { MAX_PAGE_SIZE, PAGING_QUERY, readPaging } from "../http/paging";
import { requestActor } from "../http/request-actor";
import { tenantObject } from "../tenancy/tenant-client";
import type { KeySeedView } from "../tenancy/tenant-types";
import { exportKeySeeds, KEY_SEED_EXPORT } from "./export-key-seeds";
import { keySeedJson } from "./key-seed-json";
import { managementRequestFailureResponse } from "./management-request-failure";
import {
  KEY_SEED_CHANGE,
  KEY_SEED_IMPORTS,
  NEW_KEY_SEED,
  parseKeySeedChange,
  parseKeySeedImports,
  parseNewKeySeed,
} from "./key-seed-input";
import { parseBody, respond } from "./responses";
import type { LazyRouteDoc } from "../http/route-doc";
import * as v from "valibot";
import { DELETED, ID_PATH, error, json } from "../http/route-doc-parts";
import { responseShapes } from "./response-shapes";

/** Key Seeds API (Axinom Key Service API help), mounted under `/api` behind tenant auth with the `manage` scope. */
export const keySeedRoutes = routeGroup({ kind: "tenant", scope: "manage" });
const routes = keySeedRoutes;

/** The tag of these routes in `GET /api/openapi.json`. */
const SEEDS = "Key Seeds";

const listKeySeedsDoc: LazyRouteDoc | false =
  __OPENAPI__ &&
  (() => ({
    tag: SEEDS,
    summary: "List the key seeds (never their values)",
    query: [PAGING_QUERY],
    responses: { 200: json("A page of key seeds", v.array(responseShapes().keySeed)) },
  }));

routes.declare("get", "/api/KeySeeds", listKeySeedsDoc, async (c) => {
  const paging = readPaging((name) => c.req.queries(name) ?? []);
  if (!paging.ok) return managementRequestFailureResponse({ reason: "invalid-input", message: paging.message });
  const result = await tenantObject(c.env, c.var.tenant.tenantId).keySeeds().list(paging.value, new Date());
  return result.ok ? c.json(result.value.items.map(keySeedJson)) : managementFailureResponse(result.failure);
});

const readKeySeedDoc: LazyRouteDoc | false =
  __OPENAPI__ &&
  (() => ({
    tag: SEEDS,
    summary: "Read a key seed",
    pathParameters: ID_PATH,
    responses: { 200: json("The seed", responseShapes().keySeed), 404: error("No key seed with this Id") },
  }));

routes.declare("get", "/api/KeySeeds/{id}", readKeySeedDoc, async (c) => {
  const id = uuidPathParameter(c.req.param("id"));
  if (!id) return managementRequestFailureResponse({ reason: "path-id", what: "key seed" });
  const result = await tenantObject(c.env, c.var.tenant.tenantId).keySeeds().get(id, new Date());
  return result.ok ? c.json(keySeedJson(result.value)) : managementFailureResponse(result.failure);
});

const createKeySeedDoc: LazyRouteDoc | false =
  __OPENAPI__ &&
  (() => ({
    tag: SEEDS,
    summary: "Generate a key seed (30 random bytes)",
    body: { kind: "json", schema: NEW_KEY_SEED },
    responses: { 201: json("The new seed", responseShapes().keySeed), 409: error("A key seed with this Id exists") },
  }));

routes.declare("post", "/api/KeySeeds", createKeySeedDoc, async (c) => {
  const input = await parseBody(c.req.raw, parseNewKeySeed);
  if (input instanceof Response) return input;
  const tenantId = c.var.tenant.tenantId;
  const result = await tenantObject(c.env, tenantId).keySeeds().create(input, requestActor(c, new Date()));
  return respond(c.env, c.var.store, tenantId, result, (seed) => c.json(keySeedJson(seed), 201));
});

const changeKeySeedDoc: LazyRouteDoc | false =
  __OPENAPI__ &&
  (() => ({
    tag: SEEDS,
    summary: "Rename a key seed or make it the default",
    description: "Making a seed the default is scheduled: every location switches at the same instant (DefaultEffectiveAt).",
    pathParameters: ID_PATH,
    body: { kind: "json", schema: KEY_SEED_CHANGE },
    responses: { 200: json("The seed", responseShapes().keySeed), 404: error("No key seed with this Id") },
  }));

routes.declare("put", "/api/KeySeeds/{id}", changeKeySeedDoc, async (c) => {
  const id = uuidPathParameter(c.req.param("id"));
  if (!id) return managementRequestFailureResponse({ reason: "path-id", what: "key seed" });
  const change = await parseBody(c.req.raw, parseKeySeedChange);
  if (change instanceof Response) return change;
  const tenantId = c.var.tenant.tenantId;
  const result = await tenantObject(c.env, tenantId).keySeeds().update(id, change, requestActor(c, new Date()));
  return respond(c.env, c.var.store, tenantId, result, (seed) => c.json(keySeedJson(seed)));
});

const deleteKeySeedDoc: LazyRouteDoc | false =
  __OPENAPI__ &&
  (() => ({
    tag: SEEDS,
    summary: "Delete a key seed",
    pathParameters: ID_PATH,
    responses: {
      204: DELETED,
      404: error("No key seed with this Id"),
      409: error("The seed is the default, or was until recently and may still be in use"),
    },
  }));

routes.declare("delete", "/api/KeySeeds/{id}", deleteKeySeedDoc, async (c) => {
  const id = uuidPathParameter(c.req.param("id"));
  if (!id) return managementRequestFailureResponse({ reason: "path-id", what: "key seed" });
  const tenantId = c.var.tenant.tenantId;
  const result = await tenantObject(c.env, tenantId).keySeeds().delete(id, requestActor(c, new Date()));
  return respond(c.env, c.var.store, tenantId, result, () => c.body(null, 204));
});

const importKeySeedsDoc: LazyRouteDoc | false =
  __OPENAPI__ &&
  (() => ({
    tag: SEEDS,
    summary: "Import key seeds (all or nothing)",
    body: { kind: "json", schema: KEY_SEED_IMPORTS },
    responses: { 200: json("The imported seeds", v.array(responseShapes().keySeed)), 409: error("A seed with one of the Ids exists") },
  }));

routes.declare("post", "/api/Import/KeySeeds", importKeySeedsDoc, async (c) => {
  const imports = await parseBody(c.req.raw, parseKeySeedImports);
  if (imports instanceof Response) return imports;
  const tenantId = c.var.tenant.tenantId;
  const result = await tenantObject(c.env, tenantId).keySeeds().import(imports, requestActor(c, new Date()));
  return respond(c.env, c.var.store, tenantId, result, (seeds) => c.json(seeds.map(keySeedJson)));
});

const exportKeySeedsDoc: LazyRouteDoc | false =
  __OPENAPI__ &&
  (() => ({
    tag: SEEDS,
    summary: "Export key seeds encrypted, as a PSKC document (RFC 6030)",
    description:
      "With Password: PBKDF2 + AES-128-CBC + HMAC-SHA256 (RFC 6030 §6.2); with Certificate: RSA-OAEP (§6.3). There is no plain export. Every export is recorded in the audit log (category 15).",
    body: { kind: "json", schema: KEY_SEED_EXPORT },
    responses: {
      200: {
        kind: "xml",
        mediaType: "application/pskc+xml",
        description: "The PSKC KeyContainer (RFC 6030), as an attachment key-seeds.pskcxml",
      },
      404: error("No key seed with one of the Ids, or no seed at all"),
    },
  }));

/**
 * `POST /api/Export/KeySeeds` `{Ids?, Password? | Certificate?}`: the seeds as a PSKC document (RFC 6030 §6.2 or
 * §6.3), never in clear. The export is recorded (ExportKeySeeds, one audit record per seed) before it is answered.
 */
routes.declare("post", "/api/Export/KeySeeds", exportKeySeedsDoc, async (c) => {
  const tenant = c.var.tenant;
  const stub = tenantObject(c.env, tenant.tenantId);
  const now = new Date();
  const views: KeySeedView[] = [];
  for (let skip = 0; ; skip += MAX_PAGE_SIZE) {
    const page = await stub.keySeeds().list({ top: MAX_PAGE_SIZE, skip }, now);
    if (!page.ok) return managementFailureResponse(page.failure);
    views.push(...page.value.items);
    if (views.length >= page.value.total) break;
  }
  const opened = views.map((view) => ({ view, value: tenant.seed(view.id) }));
  // A seed made a moment ago in another isolate may not be in this isolate's snapshot yet.
  if (opened.some((seed) => seed.value === undefined)) {
    return managementRequestFailureResponse({ reason: "seeds-updating" });
  }
  const seeds = await Promise.all(opened.map(async ({ view, value }) => ({ id: view.id, name: view.name, value: (await value!).bytes })));
  const { response, audit } = await exportKeySeeds(c.req.raw, seeds, now);
  if (!audit) return response;
  const recorded = await stub.keySeeds().recordExport(audit.seedIds, requestActor(c, now));
  return recorded.ok ? response : managementFailureResponse(recorded.failure);
});
