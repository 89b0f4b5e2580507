import { routeGroup } from "../http/route-group";
import type { AppEnv } from "../http/app-env";
import { jsonError } from "../http/errors";
import { managementFailureResponse } from "../http/management-errors";
import { readPaging } from "../http/paging";
import { requestActor } from "../http/request-actor";
import { tenantObject } from "../tenancy/tenant-client";
import { keySeedJson } from "./key-seed-json";
import { parseKeySeedChange, parseKeySeedImports, parseNewKeySeed } from "./key-seed-input";
import { parseBody, respond } from "./responses";
import { KeyId } from "../domain/key-id";

/** Key Seeds API (Axinom Key Service API help), mounted under `/api` behind tenant auth with the `manage` scope. */
export const keySeedRoutes = routeGroup({ kind: "tenant", scope: "manage" });
const routes = keySeedRoutes.routes;

routes.get("/keyseeds", async (c) => {
  const paging = readPaging((name) => c.req.query(name));
  if (!paging.ok) return jsonError(400, paging.message);
  const result = await tenantObject(c.env, c.var.tenant.tenantId).listKeySeeds(
    { top: paging.top, skip: paging.skip },
    new Date().toISOString(),
  );
  return result.ok ? c.json(result.value.items.map(keySeedJson)) : managementFailureResponse(result.failure);
});

routes.get("/keyseeds/:id", async (c) => {
  const id = seedIdParam(c.req.param("id"));
  if (!id) return jsonError(400, "The key seed Id in the path must be a UUID");
  const result = await tenantObject(c.env, c.var.tenant.tenantId).getKeySeed(id, new Date().toISOString());
  return result.ok ? c.json(keySeedJson(result.value)) : managementFailureResponse(result.failure);
});

routes.post("/keyseeds", async (c) => {
  const input = await parseBody(c.req.raw, parseNewKeySeed);
  if (input instanceof Response) return input;
  const tenantId = c.var.tenant.tenantId;
  const now = new Date().toISOString();
  const result = await tenantObject(c.env, tenantId).createKeySeed(input, now, requestActor(c, now));
  return respond(c.env, c.var.store, tenantId, result, (seed) => c.json(keySeedJson(seed), 201));
});

routes.put("/keyseeds/:id", async (c) => {
  const id = seedIdParam(c.req.param("id"));
  if (!id) return jsonError(400, "The key seed Id in the path must be a UUID");
  const change = await parseBody(c.req.raw, parseKeySeedChange);
  if (change instanceof Response) return change;
  const tenantId = c.var.tenant.tenantId;
  const now = new Date().toISOString();
  const result = await tenantObject(c.env, tenantId).updateKeySeed(id, change, now, requestActor(c, now));
  return respond(c.env, c.var.store, tenantId, result, (seed) => c.json(keySeedJson(seed)));
});

routes.delete("/keyseeds/:id", async (c) => {
  const id = seedIdParam(c.req.param("id"));
  if (!id) return jsonError(400, "The key seed Id in the path must be a UUID");
  const tenantId = c.var.tenant.tenantId;
  const now = new Date().toISOString();
  const result = await tenantObject(c.env, tenantId).deleteKeySeed(id, now, requestActor(c, now));
  return respond(c.env, c.var.store, tenantId, result, () => c.body(null, 204));
});

routes.post("/import/keyseeds", async (c) => {
  const imports = await parseBody(c.req.raw, parseKeySeedImports);
  if (imports instanceof Response) return imports;
  const tenantId = c.var.tenant.tenantId;
  const now = new Date().toISOString();
  const result = await tenantObject(c.env, tenantId).importKeySeeds(imports, now, requestActor(c, now));
  return respond(c.env, c.var.store, tenantId, result, (seeds) => c.json(seeds.map(keySeedJson)));
});

function seedIdParam(text: string): string | undefined {
  return /^[0-9a-fA-F-]{32,36}$/.test(text) ? KeyId.parse(text)?.toString() : undefined;
}
