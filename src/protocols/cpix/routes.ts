import type { Context } from "hono";
import { routeGroup } from "../../http/route-group";
import type { AppEnv } from "../../http/app-env";
import { readBodyBytes } from "../../http/body";
import { chooseSeed, recordIssuance } from "../acquisition-support";
import { cpixSecurity, harmonicSecurity, signedAnswer, type CpixSecurityOf } from "./acquisition-security";
import { acquireCpix, acquireCpixDocument, type AcquisitionContext, type AcquisitionResult } from "./acquire";
import type { CpixProfile, CpixUrlProfile } from "./profile";
import { ANEVIA } from "./profiles/anevia";
import { BROADPEAK } from "./profiles/broadpeak";
import { CPIX_GET } from "./profiles/cpix-get";
import { HARMONIC } from "./profiles/harmonic";
import { PLAIN_CPIX } from "./profiles/plain-cpix";
import { spekeV1Profile } from "./profiles/speke-v1";
import { SPEKE_V2_PROFILES } from "./profiles/speke-v2";
import { SPEKE_CPIX_VERSIONS, type SpekeV2Version } from "./profiles/speke-v2-rules";
import { readSchemeParameter } from "./scheme-parameter";
import { acquisitionFailureResponse } from "./wire";
import { storedKeyLookup, trackedStoredKeyLookup } from "../../tenancy/stored-content-keys";
import { acquisitionProtocol, unsignedGetRefusal } from "./acquisition-access";

/** Identifies the key provider (SPEKE v2 `X-Speke-User-Agent`, v1 `Speke-User-Agent`, mandatory). */
export const SPEKE_USER_AGENT = "edge-key-service/0.1";

type Headers = Readonly<Record<string, string>>;
const NO_HEADERS: Headers = {};
const SPEKE_V1_HEADERS: Headers = { "Speke-User-Agent": SPEKE_USER_AGENT };
const SPEKE_V2_AGENT_HEADERS: Headers = { "X-Speke-User-Agent": SPEKE_USER_AGENT };
/** "X-Speke-Version … cannot be modified by the key provider" (AWS SPEKE v2 docs, vod-workflow-method-v2): echoed. */
const SPEKE_V2_HEADERS: Readonly<Record<SpekeV2Version, Headers>> = {
  "2.0": { ...SPEKE_V2_AGENT_HEADERS, "X-Speke-Version": "2.0" },
  "2.1": { ...SPEKE_V2_AGENT_HEADERS, "X-Speke-Version": "2.1" },
};
const SPEKE_V2_SUPPORTED = Object.keys(SPEKE_CPIX_VERSIONS);

/** Key Acquisition over CPIX: SPEKE v2.0/v2.1, SPEKE v1, plain CPIX (POST and GET), Anevia, Broadpeak, Harmonic; behind tenant auth. */
export const cpixRoutes = routeGroup(
  { kind: "tenant", scope: "acquire" },
  (retryAfterSeconds) =>
    acquisitionFailureResponse({ reason: "storage-unavailable", retryAfterSeconds }, { "Retry-After": String(retryAfterSeconds) }),
  () => acquisitionFailureResponse({ reason: "tenant-suspended" }),
);
const routes = cpixRoutes.routes;

routes.post("/spekev2", acquisitionProtocol("SpekeV2", SPEKE_V2_AGENT_HEADERS), async (c) => {
  const requested = c.req.header("X-Speke-Version")?.trim();
  if (requested === undefined || !Object.hasOwn(SPEKE_CPIX_VERSIONS, requested)) {
    return acquisitionFailureResponse(
      { reason: "speke-version", received: requested, supported: SPEKE_V2_SUPPORTED },
      SPEKE_V2_AGENT_HEADERS,
    );
  }
  const version = requested as SpekeV2Version;
  return answerBody(c, SPEKE_V2_PROFILES[version], SPEKE_V2_HEADERS[version]);
});

routes.post("/speke", acquisitionProtocol("Speke", SPEKE_V1_HEADERS), async (c) => {
  const scheme = readSchemeParameter(c.req.query("protectionScheme"));
  if (scheme === "invalid")
    return acquisitionFailureResponse(
      { reason: "invalid-request", message: "protectionScheme must be one of cenc, cbcs, cens, cbc1" },
      SPEKE_V1_HEADERS,
    );
  return answerBody(c, spekeV1Profile(scheme), SPEKE_V1_HEADERS);
});

routes.post("/cpix", acquisitionProtocol("Cpix"), (c) => answerBody(c, PLAIN_CPIX, NO_HEADERS));

/**
 * `GET /api/Cpix/{contentId}`: Basic credentials like the routes above, or a signed URL without them
 * (`POST /api/CpixUrls`; src/http/signed-url-auth.ts).
 */
export const cpixUrlRoutes = routeGroup(
  { kind: "tenant-or-signed-url", scope: "acquire" },
  (retryAfterSeconds) =>
    acquisitionFailureResponse({ reason: "storage-unavailable", retryAfterSeconds }, { "Retry-After": String(retryAfterSeconds) }),
  () => acquisitionFailureResponse({ reason: "tenant-suspended" }),
);
cpixUrlRoutes.routes.get("/cpix/:contentId", acquisitionProtocol("CpixGet"), (c) => answerUrl(c, CPIX_GET));

/** Anevia/ATEME NEA-DVR: the CPIX configuration is base64url JSON in `id` (Axinom Key Service docs, Anevia). */
routes.get("/anevia", acquisitionProtocol("Anevia"), (c) => answerUrl(c, ANEVIA));

/**
 * Broadpeak Origin Packager / BkS: a CPIX request body; Axinom's docs list the endpoint as GET in one revision and
 * POST in another (Axinom Key Service docs, Key Acquisition API), so both are routed. A GET whose body the platform
 * did not pass on gets the "empty body" refusal naming what to send.
 */
routes.post("/broadpeak", acquisitionProtocol("Broadpeak"), (c) => answerBody(c, BROADPEAK, NO_HEADERS));
routes.get("/broadpeak", acquisitionProtocol("Broadpeak"), (c) => answerBody(c, BROADPEAK, NO_HEADERS));

/**
 * Harmonic encoders (v2: several keys, key rotation). The tenant's `/api/HarmonicConfiguration` adds Axinom's rules
 * (Axinom Key Service docs, Harmonic): `RequireSignatures` answers only requests signed by a trusted requester
 * (`/api/TrustedRequesters`) and signs the answer with the tenant's `SigningKeyId` key (even without
 * `SignResponses`); `EncryptContentKeys` encrypts the keys for that signer's certificate. A signed request is
 * verified either way, as on every CPIX endpoint.
 */
routes.post("/harmonic/v2", acquisitionProtocol("Harmonic"), (c) => answerBody(c, HARMONIC, NO_HEADERS, harmonicSecurity));

async function answerBody(
  c: Context<AppEnv>,
  profile: CpixProfile,
  headers: Headers,
  securityOf: CpixSecurityOf = cpixSecurity,
): Promise<Response> {
  const body = await readBodyBytes(c.req.raw);
  if (!body.ok) return acquisitionFailureResponse({ reason: "too-large" }, headers);
  return answer(c, headers, (context) => acquireCpix(body.bytes, profile, context), securityOf);
}

async function answerUrl(c: Context<AppEnv>, profile: CpixUrlProfile): Promise<Response> {
  const url = { param: (name: string) => c.req.param(name), queries: (name: string) => c.req.queries(name) ?? [] };
  // A signed URL's token is the request's signature; Basic credentials on a GET carry none.
  if (c.var.tenant.policy.documentSecurity.requireSignedRequests && !c.var.signedUrl)
    return acquisitionFailureResponse(unsignedGetRefusal());
  const request = await profile.requestFromUrl(url, c.var.tenant.tenantId);
  if (!request.ok) return acquisitionFailureResponse(request.failure);
  return answer(c, NO_HEADERS, (context) => acquireCpixDocument(request.document, profile, context), cpixSecurity);
}

/** Picks the seed, runs the acquisition, commits the record of what was issued, then renders the document or the error. */
async function answer(
  c: Context<AppEnv>,
  headers: Headers,
  acquire: (context: AcquisitionContext) => Promise<AcquisitionResult>,
  securityOf: CpixSecurityOf,
): Promise<Response> {
  const tenant = c.var.tenant;
  const security = securityOf(tenant.policy, tenant.snapshot.trustedRequesters ?? []);
  const now = new Date();
  const seed = await chooseSeed(tenant, c.req.query("keySeedId"), now);
  if (!seed.ok) return acquisitionFailureResponse({ reason: "unknown-key-seed", keySeedId: seed.keySeedId }, headers);
  const overrideParameter = c.req.query("overrideKeyIds")?.toLowerCase();
  if (overrideParameter !== undefined && overrideParameter !== "true" && overrideParameter !== "false") {
    // Axinom: 400 "The 'overrideKeyIds' parameter has an incorrect value." (Axinom Key Service API help, api/Speke)
    return acquisitionFailureResponse(
      { reason: "invalid-request", message: "The 'overrideKeyIds' parameter has an incorrect value; use true or false" },
      headers,
    );
  }
  const storedKeys = trackedStoredKeyLookup(storedKeyLookup(c.env, tenant));
  const result = await acquire({
    tenantId: tenant.tenantId,
    seed: seed.seed,
    storedKeys,
    settings: tenant.policy.signalling,
    overrideKeyIds: overrideParameter === "true",
    security: { now, ...security.request },
  });
  if (!result.ok) return acquisitionFailureResponse(result.failure, headers);
  // Signed before it is recorded as issued.
  const signed = await signedAnswer(tenant, result.answer.xml, security.signing, now);
  if (!signed.ok) return acquisitionFailureResponse(signed.failure, headers);
  // Recorded before answered: a failed commit throws StorageUnavailable, answered 503 in CPIX's shape (cpixRoutes).
  await recordIssuance(c.env, c.executionCtx, tenant, {
    time: now.toISOString(),
    protocol: result.answer.protocolName,
    contentId: result.answer.contentId,
    kids: result.answer.kids.map((kid) => kid.toString()),
    storedKids: storedKeys.answeredKids(),
    keySeedId: seed.seedId,
    credential: c.var.credentialId,
  });
  c.set("issuance", { tenantId: tenant.tenantId, keys: result.answer.kids.length });
  return new Response(signed.xml, { status: 200, headers: { "Content-Type": "application/xml; charset=utf-8", ...headers } });
}
