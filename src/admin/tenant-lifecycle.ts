import type { Context } from "hono";
import type { AppEnv } from "../http/app-env";
import { tenantStore } from "../http/auth";
import { flag, jsonObject, optional, text } from "../http/json-fields";
import { managementFailureResponse } from "../http/management-errors";
import { readQuery } from "../http/query";
import { tenantObject } from "../tenancy/tenant-client";
import { tenantDirectory } from "../tenancy/tenant-directory";
import { OPERATOR_ACTOR, type ManagementFailure, type RequestActor } from "../tenancy/tenant-types";
import { readOptionalJsonBody } from "./optional-json-body";
import { operatorRequestFailureResponse } from "./operator-request-failure";
import { readTenantListQuery, TENANT_DELETE_QUERY, TENANT_ID_PATTERN } from "./tenant-list";

/** Longest tenant name (`POST` and `PUT /admin/tenants`). */
export const MAX_TENANT_NAME_LENGTH = 256;

/** The body of `PUT /admin/tenants/{id}`: `{"name"?, "suspended"?}`; an absent field stays as it is. */
export const TENANT_CHANGE = jsonObject({
  name: optional(text("name", MAX_TENANT_NAME_LENGTH)),
  suspended: optional(flag("suspended")),
});

/** `GET /admin/tenants?limit=&cursor=`: one page of the directory, in id order. */
export async function listTenants(c: Context<AppEnv>): Promise<Response> {
  const query = readTenantListQuery((name) => c.req.queries(name) ?? []);
  if (!query.ok) return operatorRequestFailureResponse({ reason: "invalid-query", message: query.message });
  const page = await tenantDirectory(c.env).list(query.value.after, query.value.limit, new Date().toISOString());
  return c.json(page);
}

/**
 * `PUT /admin/tenants/{id}`: renames, suspends or resumes. The object publishes the snapshot that says so, which every
 * location reads within the staleness bound (docs/storage.md §Consistency); this isolate is primed with it at once.
 */
export async function changeTenant(c: Context<AppEnv, "/admin/tenants/:id">): Promise<Response> {
  const id = tenantIdParam(c.req.param("id"));
  if (!id) return operatorRequestFailureResponse({ reason: "tenant-path-id" });
  const body = await readOptionalJsonBody(c.req.raw, TENANT_CHANGE, "tenant-change");
  if (!body.ok) return body.response;
  const result = await tenantObject(c.env, id)
    .tenant()
    .change(body.value ?? {}, operatorActor(c));
  if (!result.ok) return tenantFailureResponse(id, result.failure);
  const snapshot = await tenantObject(c.env, id).tenant().snapshot();
  if (snapshot.ok) await tenantStore(c.env).prime(snapshot.value);
  await tenantDirectory(c.env).describe(id, result.value.name, result.value.suspended);
  return c.json(result.value);
}

/** `DELETE /admin/tenants/{id}?confirm={id}`: schedules a suspended tenant's erasure after the grace period (202). */
export async function deleteTenant(c: Context<AppEnv, "/admin/tenants/:id">): Promise<Response> {
  const id = tenantIdParam(c.req.param("id"));
  if (!id) return operatorRequestFailureResponse({ reason: "tenant-path-id" });
  const query = readQuery(TENANT_DELETE_QUERY, (name) => c.req.queries(name) ?? []);
  if (!query.ok || query.value.confirm?.toLowerCase() !== id) return operatorRequestFailureResponse({ reason: "deletion-unconfirmed" });
  const scheduled = await tenantObject(c.env, id).tenant().scheduleDeletion(operatorActor(c));
  switch (scheduled.outcome) {
    case "no-tenant":
      return operatorRequestFailureResponse({ reason: "unknown-tenant", tenantId: id });
    case "not-suspended":
      return operatorRequestFailureResponse({ reason: "tenant-not-suspended", tenantId: id });
    case "scheduled":
      return c.json({ deleteAt: scheduled.deleteAt }, 202);
  }
}

/** The operator as the tenant's audit log names it, with this request's path. */
export function operatorActor(c: Context<AppEnv, string>): RequestActor {
  return { credentialId: OPERATOR_ACTOR, requestPath: new URL(c.req.url).pathname, time: new Date() };
}

/** The tenant id of a path, lower-cased, or undefined when it is not a UUID. */
export function tenantIdParam(text: string): string | undefined {
  const id = text.toLowerCase();
  return TENANT_ID_PATTERN.test(id) ? id : undefined;
}

/** The operator is told which tenant id is unknown (the Management API's "Tenant not found" names none). */
export function tenantFailureResponse(tenantId: string, failure: ManagementFailure): Response {
  return failure.reason === "no-tenant"
    ? operatorRequestFailureResponse({ reason: "unknown-tenant", tenantId })
    : managementFailureResponse(failure);
}
