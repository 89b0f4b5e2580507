import { routeGroup } from "../http/route-group";
import type { AppEnv } from "../http/app-env";
import { jsonError } from "../http/errors";
import { managementFailureResponse } from "../http/management-errors";
import { readPaging } from "../http/paging";
import { tenantObject } from "../tenancy/tenant-client";

/** `GET /api/Logs`: the issuance log, newest first, without key values (DESIGN.md §Issuance log). */
export const logRoutes = routeGroup({ kind: "tenant", scope: "manage" });
const routes = logRoutes.routes;

routes.get("/logs", async (c) => {
  const paging = readPaging((name) => c.req.query(name));
  if (!paging.ok) return jsonError(400, paging.message);
  const page = await tenantObject(c.env, c.var.tenant.tenantId).listIssuance({ top: paging.top, skip: paging.skip });
  if (!page.ok) return managementFailureResponse(page.failure);
  return c.json(
    page.value.items.map((record) => ({
      Timestamp: record.time,
      Protocol: record.protocol,
      ContentId: record.contentId,
      KeyIds: record.kids,
      KeySeedId: record.keySeedId,
      AuthenticationCredentialId: record.credential,
    })),
  );
});
