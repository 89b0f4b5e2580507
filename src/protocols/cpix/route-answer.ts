import type { Context } from "hono";
import type { AppEnv } from "../../http/app-env";
import { readBodyBytes } from "../../http/body";
import { storedKeyLookup, trackedStoredKeyLookup } from "../../tenancy/stored-content-keys";
import { chooseSeed, recordIssuance } from "../acquisition-support";
import { unsignedGetRefusal } from "./acquisition-access";
import { cpixSecurity, signedAnswer, type CpixSecurityOf } from "./acquisition-security";
import { acquireCpix, acquireCpixDocument, type AcquisitionContext, type AcquisitionResult } from "./acquire";
import type { CpixProfile, CpixUrlProfile } from "./profile";
import { acquisitionFailureResponse } from "./wire";

/** Response headers a CPIX route adds to every answer of its protocol (SPEKE's user agent and version). */
export type AnswerHeaders = Readonly<Record<string, string>>;
export const NO_HEADERS: AnswerHeaders = {};

/** A CPIX route whose request is the body: read under the 1 MiB limit, then answered with `profile`. */
export async function answerBody(
  c: Context<AppEnv>,
  profile: CpixProfile,
  headers: AnswerHeaders,
  securityOf: CpixSecurityOf = cpixSecurity,
): Promise<Response> {
  const body = await readBodyBytes(c.req.raw);
  if (!body.ok) return acquisitionFailureResponse({ reason: "too-large" }, headers);
  return answer(c, headers, (context) => acquireCpix(body.bytes, profile, context), securityOf);
}

/** A CPIX route whose request is its URL (CPIX GET, Anevia), with Basic credentials or a signed URL. */
export async function answerUrl(c: Context<AppEnv>, profile: CpixUrlProfile): Promise<Response> {
  const url = { param: (name: string) => c.req.param(name), queries: (name: string) => c.req.queries(name) ?? [] };
  // A signed URL's token is the request's signature; Basic credentials on a GET carry none.
  const tenant = c.get("tenant");
  if (tenant.policy.documentSecurity.requireSignedRequests && c.get("authenticatedBy") !== "signed-url")
    return acquisitionFailureResponse(unsignedGetRefusal());
  const request = await profile.requestFromUrl(url, tenant.tenantId);
  if (!request.ok) return acquisitionFailureResponse(request.failure);
  return answer(c, NO_HEADERS, (context) => acquireCpixDocument(request.document, profile, context), cpixSecurity);
}

/** Picks the seed, runs the acquisition, commits the record of what was issued, then renders the document or the error. */
async function answer(
  c: Context<AppEnv>,
  headers: AnswerHeaders,
  acquire: (context: AcquisitionContext) => Promise<AcquisitionResult>,
  securityOf: CpixSecurityOf,
): Promise<Response> {
  // `c.get`, not `c.var`: Hono builds `c.var` as a new object of every variable on each read (Object.fromEntries).
  const tenant = c.get("tenant");
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
  await recordIssuance(c.env, c.executionCtx, tenant, c.get("authenticatedBy"), {
    time: now.toISOString(),
    protocol: result.answer.protocolName,
    contentId: result.answer.contentId,
    kids: result.answer.kids.map((kid) => kid.toString()),
    storedKids: storedKeys.answeredKids(),
    keySeedId: seed.seedId,
    credential: c.get("credentialId"),
  });
  c.set("issuance", { tenantId: tenant.tenantId, keys: result.answer.kids.length });
  return new Response(signed.xml, { status: 200, headers: { "Content-Type": "application/xml; charset=utf-8", ...headers } });
}
