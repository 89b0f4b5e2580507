import * as v from "valibot";
import { managementFailureResponse } from "../http/management-errors";
import { requestActor } from "../http/request-actor";
import { routeGroup } from "../http/route-group";
import { firstNonXmlChar } from "../xml/chars";
import { MAX_CPIX_URL_LIFETIME_SECONDS, SIGNED_URL_PARAMETERS, signCpixUrl } from "../domain/signed-cpix-url";
import { tenantObject } from "../tenancy/tenant-client";
import { ISO_INSTANT, isoInstant, jsonObject, optional, parseJson, requiredText, text } from "../http/json-fields";
import { managementRequestFailureResponse } from "./management-request-failure";
import { parseBody, respond } from "./responses";
import type { LazyRouteDoc } from "../http/route-doc";
import { error, json } from "../http/route-doc-parts";
import { responseShapes } from "./response-shapes";
import { openApiDescription, openApiMetadata } from "../http/schema-doc";

/** Longest `ContentId` of a signed URL (it becomes CPIX@contentId and a path segment). */
const MAX_CONTENT_ID_LENGTH = 1024;
/** Longest `Query` of a signed URL. */
const MAX_QUERY_LENGTH = 4096;

const CONTENT_ID_RULE = "ContentId must be a non-empty string of characters XML allows (XML 1.0 §2.2 Char)";
const EXPIRES_AT_RULE = "ExpiresAt must be an ISO 8601 instant with a time zone, e.g. 2030-01-01T00:00:00Z";

/** `POST /api/CpixUrls` body `{ContentId, Query?, ExpiresAt}`; the expiry's bounds depend on the clock and are checked after. */
export const NEW_CPIX_URL = jsonObject({
  ContentId: v.pipe(
    requiredText("ContentId", MAX_CONTENT_ID_LENGTH),
    v.check((contentId) => firstNonXmlChar(contentId) === -1, CONTENT_ID_RULE),
  ),
  Query: optional(
    v.pipe(
      text("Query", MAX_QUERY_LENGTH),
      v.rawTransform(({ dataset, addIssue, NEVER }) => {
        const query = canonicalQuery(dataset.value);
        if (typeof query !== "string") addIssue({ message: query.problem });
        return typeof query === "string" ? query : NEVER;
      }),
      openApiDescription(__OPENAPI__ && "The query the reader adds (kid=…&drm=…&scheme=…, a leading ? allowed), signed with the URL"),
    ),
  ),
  ExpiresAt: v.pipe(
    requiredText("ExpiresAt", 64),
    v.regex(ISO_INSTANT, EXPIRES_AT_RULE),
    v.rawTransform(({ dataset, addIssue, NEVER }) => {
      const instant = isoInstant(dataset.value);
      if (instant === undefined) addIssue({ message: EXPIRES_AT_RULE });
      return instant ?? NEVER;
    }),
    openApiMetadata(__OPENAPI__ && { description: `In the future, at most ${MAX_CPIX_URL_LIFETIME_SECONDS / 86400} days ahead` }),
  ),
});

/**
 * `/api/CpixUrls`: signed `GET /api/Cpix/{contentId}` URLs for readers that send no Authorization header
 * (src/protocols/cpix/signed-url.ts). Issuing and rotating are recorded in the audit log (IssueCpixUrl names the
 * content id and expiry, RotateCpixUrlSecret the new secret's id); neither the token nor the URL is ever recorded.
 */
export const cpixUrlManagementRoutes = routeGroup({ kind: "tenant", scope: "manage" });
const routes = cpixUrlManagementRoutes;

/** The tag of these routes in `GET /api/openapi.json`. */
const SIGNED_URLS = "Signed CPIX URLs";

const signCpixUrlDoc: LazyRouteDoc | false =
  __OPENAPI__ &&
  (() => ({
    tag: SIGNED_URLS,
    summary: "Sign a GET /api/Cpix/{contentId} URL for a reader that sends no credentials",
    body: { kind: "json", schema: NEW_CPIX_URL },
    responses: { 201: json("The signed URL", responseShapes().cpixUrl), 409: error("The URL secret was rotated meanwhile; ask again") },
  }));

routes.declare("post", "/api/CpixUrls", signCpixUrlDoc, async (c) => {
  const input = await parseBody(c.req.raw, (value) => parseJson(NEW_CPIX_URL, value));
  if (input instanceof Response) return input;
  const now = new Date();
  const expires = Math.floor(Date.parse(input.ExpiresAt) / 1000);
  if (expires * 1000 <= now.getTime()) return managementRequestFailureResponse({ reason: "expires-at", rule: "in-the-future" });
  if (expires * 1000 - now.getTime() > MAX_CPIX_URL_LIFETIME_SECONDS * 1000) {
    return managementRequestFailureResponse({ reason: "expires-at", rule: "within-lifetime" });
  }
  const query = input.Query ?? "";
  const tenantId = c.var.tenant.tenantId;
  const prepared = await tenantObject(c.env, tenantId)
    .tenant()
    .prepareCpixUrl(input.ContentId, new Date(expires * 1000).toISOString(), requestActor(c, now));
  if (!prepared.ok) return managementFailureResponse(prepared.failure);
  // The object's newest snapshot holds the secret (made on first use): prime this isolate with it, then sign.
  const snapshot = await tenantObject(c.env, tenantId).tenant().snapshot();
  if (snapshot.ok) await c.var.store.prime(snapshot.value);
  const key = await (await c.var.store.load(tenantId))?.cpixUrlKey();
  if (!key || key.id !== prepared.value.secretId) return managementRequestFailureResponse({ reason: "url-secret-rotated" });
  const pathAndQuery = await signCpixUrl(key, tenantId, input.ContentId, query, expires);
  return c.json({ Url: new URL(c.req.url).origin + pathAndQuery, ExpiresAt: new Date(expires * 1000).toISOString() }, 201);
});

const rotateCpixUrlSecretDoc: LazyRouteDoc | false =
  __OPENAPI__ &&
  (() => ({
    tag: SIGNED_URLS,
    summary: "Rotate the secret that signs CPIX URLs (every URL signed before stops working)",
    responses: { 200: json("The new secret's Id", responseShapes().cpixUrlSecret) },
  }));

routes.declare("post", "/api/CpixUrls/rotate-secret", rotateCpixUrlSecretDoc, async (c) => {
  const tenantId = c.var.tenant.tenantId;
  const result = await tenantObject(c.env, tenantId).tenant().rotateCpixUrlSecret(requestActor(c, new Date()));
  return respond(c.env, c.var.store, tenantId, result, ({ secretId }) => c.json({ SecretId: secretId }));
});

/**
 * The caller's query (`kid=…&drm=…&scheme=…`, a leading `?` allowed) as the signed URL carries it: each parameter
 * re-encoded, order kept. The service's own parameters may not appear in it.
 */
function canonicalQuery(text: string): string | { problem: string } {
  const params = new URLSearchParams(text.startsWith("?") ? text.slice(1) : text);
  for (const name of SIGNED_URL_PARAMETERS) {
    if (params.has(name)) return { problem: `Query may not name ${name}: the service adds ${SIGNED_URL_PARAMETERS.join(", ")} itself` };
  }
  return params.toString();
}
