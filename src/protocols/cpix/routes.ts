import { Hono, type Context } from "hono";
import type { AppEnv } from "../../http/app-env";
import { readBodyBytes } from "../../http/body";
import { chooseSeed, recordIssuance, signallingSettings } from "../acquisition-support";
import { acquireCpix, acquireCpixDocument, type AcquisitionResult, type CpixProtocol } from "./acquire";
import { cpixGetRequest } from "./get-request";
import { readSchemeParameter } from "./schemes";
import { SPEKE_CPIX_VERSIONS, type SpekeV2Version } from "./speke-v2-rules";
import { acquisitionFailureResponse } from "./wire";

/** Identifies the key provider (SPEKE v2 `X-Speke-User-Agent`, v1 `Speke-User-Agent`, mandatory). */
export const SPEKE_USER_AGENT = "edge-key-service/0.1";

/** Key Acquisition over CPIX: SPEKE v2.0/v2.1, SPEKE v1, plain CPIX (POST and GET); behind tenant auth. */
export const cpixRoutes = new Hono<AppEnv>();

cpixRoutes.post("/spekev2", async (c) => {
  const requested = c.req.header("X-Speke-Version")?.trim();
  const versionHeaders = { "X-Speke-User-Agent": SPEKE_USER_AGENT };
  if (requested === undefined || !Object.hasOwn(SPEKE_CPIX_VERSIONS, requested)) {
    const supported = Object.keys(SPEKE_CPIX_VERSIONS);
    return acquisitionFailureResponse({ reason: "speke-version", received: requested, supported }, versionHeaders);
  }
  // "X-Speke-Version … cannot be modified by the key provider" (AWS SPEKE v2 docs, vod-workflow-method-v2): echo it.
  const headers = { ...versionHeaders, "X-Speke-Version": requested };
  return handlePost(c, { kind: "speke-v2", version: requested as SpekeV2Version }, headers);
});

cpixRoutes.post("/speke", async (c) => {
  const scheme = readSchemeParameter(c.req.query("protectionScheme"));
  const headers = { "Speke-User-Agent": SPEKE_USER_AGENT };
  if (scheme === "invalid")
    return acquisitionFailureResponse(
      { reason: "invalid-request", message: "protectionScheme must be one of cenc, cbcs, cens, cbc1" },
      headers,
    );
  return handlePost(c, { kind: "speke-v1", scheme }, headers);
});

cpixRoutes.post("/cpix", (c) => handlePost(c, { kind: "cpix" }, {}));

cpixRoutes.get("/cpix/:contentId", async (c) => {
  const request = await cpixGetRequest(c.req.param("contentId"), (name) => c.req.queries(name) ?? [], c.var.tenant.tenantId);
  if (!request.ok) return acquisitionFailureResponse(request.failure);
  return answer(c, {}, (context) => acquireCpixDocument(request.document, { kind: "cpix" }, context), "cpix-get");
});

async function handlePost(c: Context<AppEnv>, protocol: CpixProtocol, headers: Record<string, string>): Promise<Response> {
  const body = await readBodyBytes(c.req.raw);
  if (!body.ok) return acquisitionFailureResponse({ reason: "too-large" }, headers);
  return answer(c, headers, (context) => acquireCpix(body.bytes, protocol, context));
}

/** Picks the seed, runs the acquisition, records what was issued and renders the document or the error. */
async function answer(
  c: Context<AppEnv>,
  headers: Record<string, string>,
  acquire: (context: Parameters<typeof acquireCpix>[2]) => Promise<AcquisitionResult>,
  protocolName?: string,
): Promise<Response> {
  const tenant = c.var.tenant;
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
  const result = await acquire({
    tenantId: tenant.tenantId,
    seed: seed.seed,
    settings: signallingSettings(tenant.snapshot.settings),
    overrideKeyIds: overrideParameter === "true",
  });
  if (!result.ok) return acquisitionFailureResponse(result.failure, headers);
  recordIssuance(c.env, c.executionCtx, tenant.tenantId, {
    time: now.toISOString(),
    protocol: protocolName ?? result.answer.protocolName,
    contentId: result.answer.contentId,
    kids: result.answer.kids.map((kid) => kid.toString()),
    keySeedId: seed.seedId,
    credential: c.var.credentialId,
  });
  return new Response(result.answer.xml, { status: 200, headers: { "Content-Type": "application/xml; charset=utf-8", ...headers } });
}
