import * as v from "valibot";
import { optional } from "../http/json-fields";
import { decimalParameter } from "../http/paging";
import { readQuery, type QueryRead } from "../http/query";
import { openApiMetadata } from "../http/schema-doc";

/** Tenants per page of `GET /admin/tenants` when `limit` is absent, and the most one page holds (issue 28). */
export const TENANT_PAGE_DEFAULT = 50;
export const TENANT_PAGE_MAX = 100;

/** A tenant id, lower case, as the directory orders them. */
export const TENANT_ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** `limit` (1..100, default 50) and `cursor` (the `cursor` of the previous page: the last tenant id it listed). */
export const TENANT_LIST_QUERY = v.object({
  limit: decimalParameter("limit", 1, TENANT_PAGE_MAX, TENANT_PAGE_DEFAULT),
  cursor: optional(
    v.pipe(
      v.string(),
      v.toLowerCase(),
      v.regex(TENANT_ID_PATTERN, "cursor must be the cursor of a previous page (a tenant id)"),
      openApiMetadata(__OPENAPI__ && { description: "The cursor of the previous page" }),
    ),
  ),
});

/** `confirm` of `DELETE /admin/tenants/{id}`: the tenant id again, so a deletion is never one slip away. */
export const TENANT_DELETE_QUERY = v.object({
  confirm: optional(v.pipe(v.string(), openApiMetadata(__OPENAPI__ && { description: "The tenant id in the path, again (required)" }))),
});

/** The page `GET /admin/tenants` asks for, or a message naming the parameter and its rule, for a 400. */
export function readTenantListQuery(
  queries: (name: string) => readonly string[],
): QueryRead<{ readonly limit: number; readonly after: string | null }> {
  const read = readQuery(TENANT_LIST_QUERY, queries);
  return read.ok ? { ok: true, value: { limit: read.value.limit ?? TENANT_PAGE_DEFAULT, after: read.value.cursor ?? null } } : read;
}
