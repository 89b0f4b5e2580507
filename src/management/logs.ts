import * as v from "valibot";
import { managementFailureResponse } from "../http/management-errors";
import { PAGING_QUERY, readPaging } from "../http/paging";
import { readQuery } from "../http/query";
import { routeGroup } from "../http/route-group";
import { tenantObject } from "../tenancy/tenant-client";
import { instant, optional, uuid } from "../http/json-fields";
import { LOG_CATEGORY, type LogCategory, type LogEntry, type LogFilter } from "../tenancy/tenant-types";
import { managementRequestFailureResponse } from "./management-request-failure";
import type { LazyRouteDoc } from "../http/route-doc";
import { json } from "../http/route-doc-parts";
import { responseShapes } from "./response-shapes";
import { openApiDescription } from "../http/schema-doc";

/**
 * `GET /api/Logs` (Axinom Key Service API help, GET api/Logs): what was issued, with which seed (never key values),
 * and every management change, newest first. `Category` takes Axinom's numbers where they exist (9–18) and ours
 * from 100 up (LOG_CATEGORY). Filters: `category` (repeatable), `from`/`to` (ISO 8601, inclusive), `contentId`,
 * `kid`; paged by `$top` and `$skip`.
 */
export const logRoutes = routeGroup({ kind: "tenant", scope: "manage" });
const routes = logRoutes;

/** Longest `contentId` filter: issuance records keep at most this much of a content id (acquisition-support.ts). */
const MAX_CONTENT_ID_FILTER_LENGTH = 256;
const CATEGORIES = new Set<number>(Object.values(LOG_CATEGORY));

const listLogsDoc: LazyRouteDoc | false =
  __OPENAPI__ &&
  (() => ({
    tag: "Logs",
    summary: "List issuance and audit records, newest first",
    query: [PAGING_QUERY, LOG_FILTER_QUERY],
    responses: { 200: json("A page of records; never a key value", v.array(responseShapes().logEntry)) },
  }));

routes.declare("get", "/api/Logs", listLogsDoc, async (c) => {
  const paging = readPaging((name) => c.req.queries(name) ?? []);
  if (!paging.ok) return managementRequestFailureResponse({ reason: "invalid-input", message: paging.message });
  const filter = readQuery(LOG_FILTER_QUERY, (name) => c.req.queries(name) ?? []);
  if (!filter.ok) return managementRequestFailureResponse({ reason: "invalid-input", message: filter.message });
  const page = await tenantObject(c.env, c.var.tenant.tenantId).logs().list(filter.value, paging.value, new Date());
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
        // The KIDs answered with a stored content key: not derived from KeySeedId (export them as CPIX instead).
        StoredKeyIds: entry.storedKids ?? [],
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

const CATEGORY_RULE = `category must be one of ${[...CATEGORIES].join(", ")}`;

/** An instant parameter (`from`, `to`): inclusive bounds of the records' time. */
function instantParameter(name: string) {
  return optional(instant(`${name} must be an ISO 8601 date and time with an offset, e.g. 2026-11-23T18:00:00Z`));
}

/** The filters of a Logs query; each problem a message naming the parameter and its rule. */
export const LOG_FILTER_QUERY = v.pipe(
  v.object({
    category: optional(
      v.pipe(
        v.array(
          v.pipe(
            v.picklist([...CATEGORIES].map(String), CATEGORY_RULE),
            v.transform((text) => Number(text) as LogCategory),
          ),
        ),
        openApiDescription(__OPENAPI__ && "Record categories (repeatable): Axinom's 9-18, and ours from 100 (README, Logs)"),
      ),
    ),
    from: instantParameter("from"),
    to: instantParameter("to"),
    contentId: optional(
      v.pipe(
        v.string(),
        v.minLength(1, `contentId must be 1 to ${MAX_CONTENT_ID_FILTER_LENGTH} characters`),
        v.maxLength(MAX_CONTENT_ID_FILTER_LENGTH, `contentId must be 1 to ${MAX_CONTENT_ID_FILTER_LENGTH} characters`),
      ),
    ),
    kid: optional(uuid("kid", "kid must be a UUID such as 3f2f6a14-7b3c-4b5e-9d7a-1c2b3d4e5f60")),
  }),
  v.check((filter) => filter.from === undefined || filter.to === undefined || filter.from <= filter.to, "from must not be after to"),
  v.transform((filter): LogFilter => ({
    ...(filter.category && { categories: filter.category }),
    ...(filter.from !== undefined && { from: filter.from }),
    ...(filter.to !== undefined && { to: filter.to }),
    ...(filter.contentId !== undefined && { contentId: filter.contentId }),
    ...(filter.kid !== undefined && { kid: filter.kid }),
  })),
);
