import { routeGroup } from "../http/route-group";
import { uuidPathParameter } from "../http/paths";
import { managementFailureResponse } from "../http/management-errors";
import { MAX_PAGE_SIZE, readPaging } from "../http/paging";
import { requestActor } from "../http/request-actor";
import { tenantObject } from "../tenancy/tenant-client";
import type { KeySeedView } from "../tenancy/tenant-types";
import { exportKeySeeds } from "./export-key-seeds";
import { keySeedJson } from "./key-seed-json";
import { managementRequestFailureResponse } from "./management-request-failure";
import { parseKeySeedChange, parseKeySeedImports, parseNewKeySeed } from "./key-seed-input";
import { parseBody, respond } from "./responses";

/** Key Seeds API (Axinom Key Service API help), mounted under `/api` behind tenant auth with the `manage` scope. */
export const keySeedRoutes = routeGroup({ kind: "tenant", scope: "manage" });
const routes = keySeedRoutes.routes;

routes.get("/keyseeds", async (c) => {
  const paging = readPaging((name) => c.req.queries(name) ?? []);
  if (!paging.ok) return managementRequestFailureResponse({ reason: "invalid-input", message: paging.message });
  const result = await tenantObject(c.env, c.var.tenant.tenantId).keySeeds().list(paging.value, new Date());
  return result.ok ? c.json(result.value.items.map(keySeedJson)) : managementFailureResponse(result.failure);
});

routes.get("/keyseeds/:id", async (c) => {
  const id = uuidPathParameter(c.req.param("id"));
  if (!id) return managementRequestFailureResponse({ reason: "path-id", what: "key seed" });
  const result = await tenantObject(c.env, c.var.tenant.tenantId).keySeeds().get(id, new Date());
  return result.ok ? c.json(keySeedJson(result.value)) : managementFailureResponse(result.failure);
});

routes.post("/keyseeds", async (c) => {
  const input = await parseBody(c.req.raw, parseNewKeySeed);
  if (input instanceof Response) return input;
  const tenantId = c.var.tenant.tenantId;
  const result = await tenantObject(c.env, tenantId).keySeeds().create(input, requestActor(c, new Date()));
  return respond(c.env, c.var.store, tenantId, result, (seed) => c.json(keySeedJson(seed), 201));
});

routes.put("/keyseeds/:id", async (c) => {
  const id = uuidPathParameter(c.req.param("id"));
  if (!id) return managementRequestFailureResponse({ reason: "path-id", what: "key seed" });
  const change = await parseBody(c.req.raw, parseKeySeedChange);
  if (change instanceof Response) return change;
  const tenantId = c.var.tenant.tenantId;
  const result = await tenantObject(c.env, tenantId).keySeeds().update(id, change, requestActor(c, new Date()));
  return respond(c.env, c.var.store, tenantId, result, (seed) => c.json(keySeedJson(seed)));
});

routes.delete("/keyseeds/:id", async (c) => {
  const id = uuidPathParameter(c.req.param("id"));
  if (!id) return managementRequestFailureResponse({ reason: "path-id", what: "key seed" });
  const tenantId = c.var.tenant.tenantId;
  const result = await tenantObject(c.env, tenantId).keySeeds().delete(id, requestActor(c, new Date()));
  return respond(c.env, c.var.store, tenantId, result, () => c.body(null, 204));
});

routes.post("/import/keyseeds", async (c) => {
  const imports = await parseBody(c.req.raw, parseKeySeedImports);
  if (imports instanceof Response) return imports;
  const tenantId = c.var.tenant.tenantId;
  const result = await tenantObject(c.env, tenantId).keySeeds().import(imports, requestActor(c, new Date()));
  return respond(c.env, c.var.store, tenantId, result, (seeds) => c.json(seeds.map(keySeedJson)));
});

/**
 * `POST /api/Export/KeySeeds` `{Ids?, Password? | Certificate?}`: the seeds as a PSKC document (RFC 6030 §6.2 or
 * §6.3), never in clear. The export is recorded (ExportKeySeeds, one audit record per seed) before it is answered.
 */
routes.post("/export/keyseeds", async (c) => {
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
