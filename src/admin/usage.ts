import * as v from "valibot";
import { readQuery } from "../http/query";
import type { LazyRouteDoc } from "../http/route-doc";
import { json } from "../http/route-doc-parts";
import { routeGroup } from "../http/route-group";
import { usageTotalsQuery } from "../http/usage-query";
import { tenantObject } from "../tenancy/tenant-client";
import { tenantDirectory } from "../tenancy/tenant-directory";
import type { UsageCounts } from "../tenancy/tenant-types";
import { operatorRequestFailureResponse } from "./operator-request-failure";
import { TENANT_LIST_QUERY, TENANT_PAGE_DEFAULT } from "./tenant-list";

/**
 * `GET /admin/usage?from=&to=&limit=&cursor=` (issue 28): each tenant's totals over a range, a page of the
 * TenantDirectory at a time like `GET /admin/tenants`; the page's tenant objects are asked in parallel, one RPC each.
 */
export const usageAdminRoutes = routeGroup({ kind: "operator" });

/** `from`, `to` (whole UTC hours, at most 366 days apart) and the page (`limit`, `cursor`) of `GET /admin/tenants`. */
export const USAGE_TOTALS_QUERY = usageTotalsQuery(TENANT_LIST_QUERY.entries);

/** A tenant the directory lists whose object holds no tenant (a creation that failed part-way) has issued nothing. */
const NOTHING_ISSUED: UsageCounts = { acquisitions: 0, keys: 0, contentIds: 0 };

const usageTotalsDoc: LazyRouteDoc | false =
  __OPENAPI__ &&
  (() => ({
    tag: "Operator",
    summary: "Each tenant's usage over a range, a page of tenants at a time in id order",
    description:
      "Totals from each tenant's usage aggregate (GET /api/Usage), from (included) to to (excluded), on whole UTC hours, " +
      "at most 366 days apart. contentIds counts distinct content ids over the whole range. Call again with the returned " +
      "cursor until a page comes without one.",
    query: [USAGE_TOTALS_QUERY],
    responses: { 200: json("One page of tenants with their totals", usageTotalsShape()) },
  }));

usageAdminRoutes.declare("get", "/admin/usage", usageTotalsDoc, async (c) => {
  const query = readQuery(USAGE_TOTALS_QUERY, (name) => c.req.queries(name) ?? []);
  if (!query.ok) return operatorRequestFailureResponse({ reason: "invalid-query", message: query.message });
  const { from, to, limit, cursor } = query.value;
  const now = new Date();
  const page = await tenantDirectory(c.env).list(cursor ?? null, limit ?? TENANT_PAGE_DEFAULT, now.toISOString());
  const items = await Promise.all(
    page.items.map(async ({ tenantId }) => {
      const totals = await tenantObject(c.env, tenantId).logs().usageTotals({ from, to }, now);
      return { tenantId, ...(totals.ok ? totals.value : NOTHING_ISSUED) };
    }),
  );
  return c.json(page.cursor === undefined ? { items } : { items, cursor: page.cursor });
});

/** The answer's shape, for the OpenAPI document only. */
function usageTotalsShape() {
  const count = (description: string) => v.pipe(v.number(), v.integer(), v.minValue(0), v.description(description));
  return v.strictObject({
    items: v.array(
      v.strictObject({
        tenantId: v.string(),
        acquisitions: count("Acquisitions answered in the range"),
        keys: count("Key IDs issued in the range"),
        contentIds: count("Distinct content ids named in the range, over every protocol"),
      }),
    ),
    cursor: v.optional(v.pipe(v.string(), v.description("Present when more tenants follow: pass it as cursor"))),
  });
}
