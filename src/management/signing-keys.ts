import { routeGroup } from "../http/route-group";
import { managementFailureResponse } from "../http/management-errors";
import { requestActor } from "../http/request-actor";
import { tenantObject } from "../tenancy/tenant-client";
import { MAX_CERTIFICATE_TEXT, certificateJson, readCertificateInput, readSigningPrivateKey } from "./certificate-input";
import { jsonObject, optional, parseJson, requiredText, uuid } from "../http/json-fields";
import { managementRequestFailureResponse } from "./management-request-failure";
import { parseBody, respond } from "./responses";
import { crudRouteDocs } from "./crud-route-docs";
import { responseShapes } from "./response-shapes";

/**
 * `/api/SigningKeys`: keys that sign the tenant's CPIX answers (CPIX 2.3 §Digital Signature; setting SignResponses).
 * The private key is sealed under the tenant data key and never returned.
 */
export const signingKeyRoutes = routeGroup({ kind: "tenant", scope: "manage" });
const routes = signingKeyRoutes;

/** These routes' documentation, for `GET /api/openapi.json` only (dead code in the Worker). */
const DOCS =
  __OPENAPI__ &&
  crudRouteDocs("Document security", "signing key", () => ({
    create: {
      schema: NEW_SIGNING_KEY,
      created: responseShapes().certificate,
      description: "The private key is sealed and never returned.",
    },
    listed: responseShapes().certificate,
  }));

/** `POST /api/SigningKeys` body `{Id?, Certificate, PrivateKey}`: PEM or base64 DER; the key must belong to the certificate. */
export const NEW_SIGNING_KEY = jsonObject({
  Id: optional(uuid("Id")),
  Certificate: requiredText("Certificate", MAX_CERTIFICATE_TEXT),
  PrivateKey: requiredText("PrivateKey", MAX_CERTIFICATE_TEXT),
});

routes.declare("post", "/api/SigningKeys", DOCS && DOCS.add, async (c) => {
  const input = await parseBody(c.req.raw, (value) => parseJson(NEW_SIGNING_KEY, value));
  if (input instanceof Response) return input;
  const now = new Date();
  const certificate = await readCertificateInput(input.Certificate, input.Id ?? crypto.randomUUID(), "signer", now);
  if (!certificate.ok) return managementRequestFailureResponse({ reason: "certificate", problem: certificate.problem });
  const privateKey = await readSigningPrivateKey(input.PrivateKey, certificate.certificate);
  if (!privateKey.ok) return managementRequestFailureResponse({ reason: "private-key", problem: privateKey.problem });
  const tenantId = c.var.tenant.tenantId;
  const added = await tenantObject(c.env, tenantId)
    .signingKeys()
    .create({ ...certificate.input, privateKeyPkcs8: privateKey.pkcs8 }, requestActor(c, now));
  privateKey.pkcs8.fill(0);
  return respond(c.env, c.var.store, tenantId, added, (view) => c.json(certificateJson(view), 201));
});

routes.declare("get", "/api/SigningKeys", DOCS && DOCS.list, async (c) => {
  const result = await tenantObject(c.env, c.var.tenant.tenantId).signingKeys().list();
  return result.ok ? c.json(result.value.map(certificateJson)) : managementFailureResponse(result.failure);
});

routes.declare("get", "/api/SigningKeys/{id}", DOCS && DOCS.read, async (c) => {
  const result = await tenantObject(c.env, c.var.tenant.tenantId).signingKeys().list();
  if (!result.ok) return managementFailureResponse(result.failure);
  const found = result.value.find((view) => view.id === c.req.param("id").toLowerCase());
  return found
    ? c.json(certificateJson(found))
    : managementFailureResponse({ reason: "not-found", what: "signing key", id: c.req.param("id").slice(0, 64) });
});

routes.declare("delete", "/api/SigningKeys/{id}", DOCS && DOCS.remove, async (c) => {
  const tenantId = c.var.tenant.tenantId;
  const result = await tenantObject(c.env, tenantId).signingKeys().delete(c.req.param("id").toLowerCase(), requestActor(c, new Date()));
  return respond(c.env, c.var.store, tenantId, result, () => c.body(null, 204));
});
