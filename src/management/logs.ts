import { KeyId } from "../domain/key-id";
import { jsonError } from "../http/errors";
import { managementFailureResponse } from "../http/management-errors";
import { readPaging } from "../http/paging";
import { routeGroup } from "../http/route-group";
import { tenantObject } from "../tenancy/tenant-client";
import { isoInstant } from "./json-fields";
import { LOG_CATEGORY, type LogCategory, type LogEntry, type LogFilter } from "../tenancy/tenant-types";

/**
 * `GET /api/Logs` (Axinom Key Service API help, GET api/Logs): what was issued, with which seed (never key values),
 * and every management change, newest first. `Category` takes Axinom's numbers where they exist (9–18) and ours
 * from 100 up (LOG_CATEGORY). Filters: `category` (repeatable), `from`/`to` (ISO 8601, inclusive), `contentId`,
 * `kid`; paged by `$top` and `$skip`.
 */
export const logRoutes = routeGroup({ kind: "tenant", scope: "manage" });
const routes = logRoutes.routes;

/** Longest `contentId` filter: issuance records keep at most this much of a content id (acquisition-support.ts). */
const MAX_CONTENT_ID_FILTER_LENGTH = 256;
const CATEGORIES = new Set<number>(Object.values(LOG_CATEGORY));

routes.get("/logs", async (c) => {
  const paging = readPaging((name) => c.req.query(name));
  if (!paging.ok) return jsonError(400, paging.message);
  const filter = readLogFilter((name) => c.req.queries(name) ?? []);
  if (typeof filter === "string") return jsonError(400, filter);
  const page = await tenantObject(c.env, c.var.tenant.tenantId).listLogs(
    filter,
    { top: paging.top, skip: paging.skip },
    new Date().toISOString(),
  );
  if (!page.ok) return managementFailureResponse(page.failure);
  return c.json(page.value.map(logEntryJson));
});

/** An entry in PascalCase: an issuance keeps the fields it always had, an audit record names who did what to which object. */
function logEntryJson(entry: LogEntry) {
  switch (entry.kind) {
    case "issuance":
      return {
        Id: entry.id,
        Category: entry.category,
        Timestamp: entry.time,
        Protocol: entry.protocol,
        ContentId: entry.contentId,
        KeyIds: entry.kids,
        KeySeedId: entry.keySeedId,
        AuthenticationCredentialId: entry.credential,
      };
    case "audit":
      return {
        Id: entry.id,
        Category: entry.category,
        Timestamp: entry.time,
        Action: entry.action,
        ObjectId: entry.objectId,
        RequestPath: entry.requestPath,
        AuthenticationCredentialId: entry.credential,
      };
  }
}

/** The filter of a Logs query, or a message naming the parameter and its rule. */
export function readLogFilter(queries: (name: string) => string[]): LogFilter | string {
  const single = (name: string): string | undefined | false => {
    const values = queries(name);
    return values.length > 1 ? false : values[0];
  };
  const filter: { -readonly [K in keyof LogFilter]: LogFilter[K] } = {};
  const categories = queries("category");
  if (categories.length > 0) {
    const parsed = categories.map((text) => (/^\d{1,4}$/.test(text) ? Number(text) : Number.NaN));
    if (parsed.some((category) => !CATEGORIES.has(category))) {
      return `category must be one of ${[...CATEGORIES].join(", ")}`;
    }
    filter.categories = parsed as LogCategory[];
  }
  for (const name of ["from", "to"] as const) {
    const text = single(name);
    if (text === false) return `${name} may be given once`;
    if (text === undefined) continue;
    const instant = isoInstant(text);
    if (instant === undefined) return `${name} must be an ISO 8601 date and time with an offset, e.g. 2026-11-23T18:00:00Z`;
    filter[name] = instant;
  }
  if (filter.from !== undefined && filter.to !== undefined && filter.from > filter.to) return "from must not be after to";
  const contentId = single("contentId");
  if (contentId === false) return "contentId may be given once";
  if (contentId !== undefined) {
    if (contentId.length === 0 || contentId.length > MAX_CONTENT_ID_FILTER_LENGTH) {
      return `contentId must be 1 to ${MAX_CONTENT_ID_FILTER_LENGTH} characters`;
    }
    filter.contentId = contentId;
  }
  const kid = single("kid");
  if (kid === false) return "kid may be given once";
  if (kid !== undefined) {
    const parsed = /^[0-9a-fA-F-]{32,36}$/.test(kid) ? KeyId.parse(kid) : undefined;
    if (!parsed) return "kid must be a UUID such as 3f2f6a14-7b3c-4b5e-9d7a-1c2b3d4e5f60";
    filter.kid = parsed.toString();
  }
  return filter;
}
