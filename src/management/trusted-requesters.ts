import { routeGroup } from "../http/route-group";
import { managementFailureResponse } from "../http/management-errors";
import { requestActor } from "../http/request-actor";
import { tenantObject } from "../tenancy/tenant-client";
import { MAX_CERTIFICATE_TEXT, certificateJson, readCertificateInput } from "./certificate-input";
import { jsonObject, optional, parseJson, requiredText, uuid } from "../http/json-fields";
import { managementRequestFailureResponse } from "./management-request-failure";
import { parseBody, respond } from "./responses";
import { crudRouteDocs } from "./crud-route-docs";
import { responseShapes } from "./response-shapes";

/**
 * `/api/TrustedRequesters`: certificates whose signed CPIX requests the tenant trusts (CPIX 2.3 §Digital Signature;
 * setting RequireSignedRequests). Compared by SHA-256 of the DER certificate.
 */
export const trustedRequesterRoutes = routeGroup({ kind: "tenant", scope: "manage" });
const routes = trustedRequesterRoutes;

/** These routes' documentation, for `GET /api/openapi.json` only (dead code in the Worker). */
const DOCS =
  __OPENAPI__ &&
  crudRouteDocs("Document security", "trusted requester", () => ({
    create: { schema: NEW_TRUSTED_REQUESTER, created: responseShapes().certificate },
    listed: responseShapes().certificate,
  }));

/** `POST /api/TrustedRequesters` body `{Id?, Certificate}`: PEM or base64 DER. */
export const NEW_TRUSTED_REQUESTER = jsonObject({
  Id: optional(uuid("Id")),
  Certificate: requiredText("Certificate", MAX_CERTIFICATE_TEXT),
});

routes.declare("post", "/api/TrustedRequesters", DOCS && DOCS.add, async (c) => {
  const input = await parseBody(c.req.raw, (value) => parseJson(NEW_TRUSTED_REQUESTER, value));
  if (input instanceof Response) return input;
  const now = new Date();
  const certificate = await readCertificateInput(input.Certificate, input.Id ?? crypto.randomUUID(), "trusted-requester", now);
  if (!certificate.ok) return managementRequestFailureResponse({ reason: "certificate", problem: certificate.problem });
  const tenantId = c.var.tenant.tenantId;
  const added = await tenantObject(c.env, tenantId).trustedRequesters().create(certificate.input, requestActor(c, now));
  return respond(c.env, c.var.store, tenantId, added, (view) => c.json(certificateJson(view), 201));
});

routes.declare("get", "/api/TrustedRequesters", DOCS && DOCS.list, async (c) => {
  const result = await tenantObject(c.env, c.var.tenant.tenantId).trustedRequesters().list();
  return result.ok ? c.json(result.value.map(certificateJson)) : managementFailureResponse(result.failure);
});

routes.declare("get", "/api/TrustedRequesters/{id}", DOCS && DOCS.read, async (c) => {
  const result = await tenantObject(c.env, c.var.tenant.tenantId).trustedRequesters().list();
  if (!result.ok) return managementFailureResponse(result.failure);
  const found = result.value.find((view) => view.id === c.req.param("id").toLowerCase());
  return found
    ? c.json(certificateJson(found))
    : managementFailureResponse({ reason: "not-found", what: "trusted requester", id: c.req.param("id").slice(0, 64) });
});

routes.declare("delete", "/api/TrustedRequesters/{id}", DOCS && DOCS.remove, async (c) => {
  const tenantId = c.var.tenant.tenantId;
  const result = await tenantObject(c.env, tenantId)
    .trustedRequesters()
    .delete(c.req.param("id").toLowerCase(), requestActor(c, new Date()));
  return respond(c.env, c.var.store, tenantId, result, () => c.body(null, 204));
});
