import { managementFailureResponse } from "../http/management-errors";
import { requestActor } from "../http/request-actor";
import { routeGroup } from "../http/route-group";
import { tenantObject } from "../tenancy/tenant-client";
import type { CredentialIssued, CredentialView } from "../tenancy/tenant-types";
import { NEW_CREDENTIAL, parseNewCredential } from "./credential-input";
import { managementRequestFailureResponse } from "./management-request-failure";
import { parseBody, respond } from "./responses";
import { crudRouteDocs } from "./crud-route-docs";
import { responseShapes } from "./response-shapes";

/**
 * `/api/Credentials`: the tenant's own credentials, each scoped `acquire` (acquisition endpoints), `manage`
 * (Management API) or both, and optionally limited to some acquisition protocols (`Protocols`). Axinom replaces a lost management key only through a support ticket (Axinom Key
 * Service API, "Authentication"); here the tenant creates, lists and revokes them itself. A secret is shown once,
 * in the 201 of the POST.
 */
export const credentialRoutes = routeGroup({ kind: "tenant", scope: "manage" });
const routes = credentialRoutes;

/** These routes' documentation, for `GET /api/openapi.json` only (dead code in the Worker). */
const DOCS =
  __OPENAPI__ &&
  crudRouteDocs("Credentials", "credential", () => ({
    create: {
      schema: NEW_CREDENTIAL,
      created: responseShapes().issuedCredential,
      description: "The secret is shown once, in this answer.",
    },
    listed: responseShapes().credential,
  }));

routes.declare("post", "/api/Credentials", DOCS && DOCS.add, async (c) => {
  const now = new Date();
  const input = await parseBody(c.req.raw, (value) => parseNewCredential(value, now));
  if (input instanceof Response) return input;
  const tenantId = c.var.tenant.tenantId;
  const result = await tenantObject(c.env, tenantId).credentials().create(input, requestActor(c, now));
  return respond(c.env, c.var.store, tenantId, result, (issued) => c.json(issuedCredentialJson(issued), 201));
});

routes.declare("get", "/api/Credentials", DOCS && DOCS.list, async (c) => {
  const result = await tenantObject(c.env, c.var.tenant.tenantId).credentials().list();
  return result.ok ? c.json(result.value.map(credentialJson)) : managementFailureResponse(result.failure);
});

routes.declare("get", "/api/Credentials/{id}", DOCS && DOCS.read, async (c) => {
  const id = credentialIdParam(c.req.param("id"));
  if (!id) return managementRequestFailureResponse({ reason: "path-id", what: "credential" });
  const result = await tenantObject(c.env, c.var.tenant.tenantId).credentials().get(id);
  return result.ok ? c.json(credentialJson(result.value)) : managementFailureResponse(result.failure);
});

routes.declare("delete", "/api/Credentials/{id}", DOCS && DOCS.remove, async (c) => {
  const id = credentialIdParam(c.req.param("id"));
  if (!id) return managementRequestFailureResponse({ reason: "path-id", what: "credential" });
  const tenantId = c.var.tenant.tenantId;
  const result = await tenantObject(c.env, tenantId).credentials().delete(id, requestActor(c, new Date()));
  return respond(c.env, c.var.store, tenantId, result, () => c.body(null, 204));
});

/** A credential as listed: never its secret or hash. */
export function credentialJson(view: CredentialView) {
  return {
    Id: view.id,
    Name: view.name,
    Scopes: view.scopes,
    Protocols: view.protocols,
    Created: view.created,
    ExpiresAt: view.expiresAt,
  };
}

/** A credential just created, with its secret (shown this once). */
export function issuedCredentialJson(issued: CredentialIssued) {
  return { ...credentialJson(issued), Secret: issued.secret };
}

function credentialIdParam(text: string): string | undefined {
  const id = text.toLowerCase();
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id) ? id : undefined;
}
