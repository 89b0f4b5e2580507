import * as v from "valibot";
import { managementFailureResponse } from "../http/management-errors";
import { readQuery } from "../http/query";
import type { LazyRouteDoc } from "../http/route-doc";
import { json } from "../http/route-doc-parts";
import { routeGroup } from "../http/route-group";
import { USAGE_QUERY } from "../http/usage-query";
import { tenantObject } from "../tenancy/tenant-client";
import { managementRequestFailureResponse } from "./management-request-failure";

/**
 * `GET /api/Usage` (issue 28): what the tenant was issued, per UTC hour or day and protocol, counted from its issuance
 * records as they are appended (src/tenancy/stores/usage-store.ts). The same access as `GET /api/Logs`: `manage`.
 */
export const usageRoutes = routeGroup({ kind: "tenant", scope: "manage" });

const usageDoc: LazyRouteDoc | false =
  __OPENAPI__ &&
  (() => ({
    tag: "Usage",
    summary: "Count acquisitions, keys and content ids issued, per hour or day and protocol",
    description:
      "Buckets are UTC hours or days, from (included) to to (excluded), at most 31 days of hours or 366 days of days; " +
      "a bucket in which nothing was issued is left out. Items are ordered by start, then protocol. contentIds counts " +
      "distinct content ids within the bucket. Usage is kept for two years, whatever LogRetentionDays says.",
    query: [USAGE_QUERY],
    responses: { 200: json("The buckets in which something was issued", usageShape()) },
  }));

usageRoutes.declare("get", "/api/Usage", usageDoc, async (c) => {
  const query = readQuery(USAGE_QUERY, (name) => c.req.queries(name) ?? []);
  if (!query.ok) return managementRequestFailureResponse({ reason: "invalid-input", message: query.message });
  const { from, to, interval } = query.value;
  const buckets = await tenantObject(c.env, c.var.tenant.tenantId).logs().usage({ from, to }, interval, new Date());
  if (!buckets.ok) return managementFailureResponse(buckets.failure);
  return c.json({ items: buckets.value });
});

/** The answer's shape, for the OpenAPI document only. */
function usageShape() {
  const count = (description: string) => v.pipe(v.number(), v.integer(), v.minValue(0), v.description(description));
  return v.strictObject({
    items: v.array(
      v.strictObject({
        start: v.pipe(v.string(), v.description("The bucket's start, an ISO 8601 instant in UTC")),
        protocol: v.pipe(
          v.string(),
          v.description("The acquisition protocol, as issuance records name it (e.g. speke-v2.0, widevine-cenc)"),
        ),
        acquisitions: count("Acquisitions answered (one however many records its KIDs filled)"),
        keys: count("Key IDs issued"),
        contentIds: count("Distinct content ids named in the bucket"),
      }),
    ),
  });
}
