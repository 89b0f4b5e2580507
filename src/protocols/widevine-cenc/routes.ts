import type { Context } from "hono";
import * as v from "valibot";
import { fromUtf8, toBase64 } from "../../domain/bytes";
import { AccessWithdrawn } from "../../http/access-recheck";
import { tenantStore } from "../../http/auth";
import type { LazyRouteDoc, RouteDocParts } from "../../http/route-doc";
import { routeGroup } from "../../http/route-group";
import type { AppEnv } from "../../http/app-env";
import { MAX_BODY_BYTES, readBodyBytes } from "../../http/body";
import { RATE_LIMIT_PERIOD_SECONDS, overTenantBudget } from "../../http/rate-limits";
import { StorageUnavailable } from "../../tenancy/storage-fault";
import { SealedValueError } from "../../tenancy/envelope";
import { storedKeyLookup, trackedStoredKeyLookup, type TrackedStoredKeyLookup } from "../../tenancy/stored-content-keys";
import type { LoadedTenant } from "../../tenancy/loaded-tenant";
import { ACQUISITION_TAG } from "../acquisition-route-doc-parts";
import { recordIssuance } from "../acquisition-support";
import { encodeSignedResponse } from "./envelope";
import { failureResponse } from "./failure";
import { handleCommonEncryptionRequest, type ResolvedSigner, type WidevineCencLookups } from "./handler";
import { rateLimitedAnswer } from "./rate-limit-wire";
import { DRM_TYPES, TRACK_TYPES } from "./request";

/**
 * Widevine Common Encryption API: `POST /api/WidevineProtectionInfo` and Shaka's documented
 * `/cenc/getcontentkey/{signer}`. Authenticated by the request signature, not a header; every answer is
 * HTTP 200 with the protocol's own `status` (Axinom Key Service API help, POST api/WidevineProtectionInfo).
 */
export const widevineCencRoutes = routeGroup({ kind: "signed-request" }, storageUnavailableAnswer);

/** Both paths answer alike; `extra` is what the second one's documentation says besides. */
function widevineCencDoc(extra: Partial<RouteDocParts> = {}): RouteDocParts {
  const signedResponse = v.object({ response: v.pipe(v.string(), v.metadata({ contentEncoding: "base64" })) });
  return {
    tag: ACQUISITION_TAG,
    summary: "Widevine Common Encryption API: content keys and PSSH for a signed request",
    description:
      "Google's Widevine Common Encryption API as Shaka Packager speaks it (widevine_common_encryption.proto). Errors are answered with HTTP 200 and a non-OK status inside the response.",
    errors: "widevine",
    body: { kind: "protocol-json", ...widevineEnvelope(), description: "SignedModularDrmRequest" },
    responses: {
      200: {
        kind: "json",
        description: "SignedModularDrmResponse: response is base64 of the inner JSON (status OK with tracks, or an error status)",
        schema: signedResponse,
      },
      429: {
        kind: "json",
        description: "The signer's tenant used up its acquisition budget; the inner status says so too",
        schema: signedResponse,
      },
    },
    ...extra,
  };
}

const protectionInfoDoc: LazyRouteDoc | false = __OPENAPI__ && (() => widevineCencDoc());
const getContentKeyDoc: LazyRouteDoc | false =
  __OPENAPI__ &&
  (() =>
    widevineCencDoc({
      summary: "Widevine Common Encryption API at Google's path (Shaka Packager --key_server_url)",
      pathParameters: { signer: "The provider name (ignored; the body's signer decides)" },
    }));

widevineCencRoutes.declare("post", "/api/WidevineProtectionInfo", protectionInfoDoc, (c) => answer(c, undefined));
widevineCencRoutes.declare("post", "/cenc/getcontentkey/{signer}", getContentKeyDoc, (c) => answer(c, c.req.param("signer")));

/** The signer's tenant has used up its acquisition budget (src/http/rate-limits.ts). */
class TenantOverBudget extends Error {}

/** The signer's tenant is suspended (issue 28). */
class TenantSuspended extends Error {}

/** A signer found in its tenant's snapshot, with the seed it issues from. */
interface TenantSigner extends ResolvedSigner {
  readonly tenant: LoadedTenant;
  /**
   * The signer's own seed, else the tenant default at the request time. A signer bound to a seed uses only that
   * seed; if it is gone, no seed loads (ACCESS_DENIED) rather than keys from a seed the license side would not expect.
   */
  readonly seedId: string;
}

async function answer(c: Context<AppEnv>, pathSigner: string | undefined): Promise<Response> {
  c.set("protocol", "WidevineCenc");
  const body = await readBodyBytes(c.req.raw);
  if (!body.ok) {
    return c.json(
      encodeSignedResponse(
        failureResponse({ reason: "malformed-request", field: "body", rule: `must be at most ${MAX_BODY_BYTES} bytes` }),
      ),
    );
  }
  const store = tenantStore(c.env);
  const now = new Date();
  let storedKeys: TrackedStoredKeyLookup | undefined;
  const lookups: WidevineCencLookups<TenantSigner> = {
    ...(pathSigner !== undefined && { pathSigner }),
    async resolveSigner(signer) {
      const tenantId = await store.tenantIdForSigner(signer);
      const tenant = tenantId === undefined ? undefined : await store.load(tenantId, (refresh) => c.executionCtx.waitUntil(refresh));
      const found = tenant && (await tenant.widevineSigner(signer));
      if (!tenant || !found) return undefined;
      return { tenantId: tenant.tenantId, credential: found.credential, tenant, seedId: found.keySeedId ?? tenant.defaultSeedId(now) };
    },
    async loadTenantKeys({ tenant, seedId }) {
      // Told only once the signature verified, so nobody learns another tenant is suspended.
      if (tenant.suspended) throw new TenantSuspended();
      // Counted only once the signature verified, so nobody can spend another tenant's budget.
      if (await overTenantBudget(c.env, "acquisition", tenant.tenantId)) throw new TenantOverBudget();
      return {
        seed: await tenant.seed(seedId),
        storedKeys: (storedKeys = trackedStoredKeyLookup(storedKeyLookup(c.env, tenant))),
        settings: tenant.policy.signalling,
      };
    },
  };
  try {
    const outcome = await handleCommonEncryptionRequest(body.bytes, lookups);
    if (outcome.keys && outcome.resolvedSigner) {
      const { tenant, seedId } = outcome.resolvedSigner;
      // Recorded before answered: a failed commit throws StorageUnavailable, answered as INTERNAL_ERROR below.
      await recordIssuance(c.env, c.executionCtx, tenant, "widevine-signer", {
        time: now.toISOString(),
        protocol: "widevine-cenc",
        // content_id is bytes; printable ones (the usual case) are logged as text, others as base64.
        contentId: outcome.contentId === undefined ? null : contentIdText(outcome.contentId),
        kids: [...new Set(outcome.keys.map((key) => key.kid.toString()))],
        storedKids: storedKeys?.answeredKids() ?? [],
        keySeedId: seedId,
        credential: `widevine:${outcome.signer ?? pathSigner ?? ""}`,
      });
      c.set("issuance", { tenantId: tenant.tenantId, keys: outcome.keys.length });
    }
    return c.json(outcome.body);
  } catch (error) {
    if (error instanceof StorageUnavailable || error instanceof SealedValueError) throw error;
    if (error instanceof TenantOverBudget) return rateLimitedAnswer(c, RATE_LIMIT_PERIOD_SECONDS);
    if (error instanceof TenantSuspended) return c.json(encodeSignedResponse(failureResponse({ reason: "tenant-suspended" })));
    // Found as the keys were recorded (access-recheck.ts): answered as the same state found before, the signer of an
    // erased tenant being one no tenant has.
    if (error instanceof AccessWithdrawn) {
      const reason = error.withdrawn === "tenant-suspended" ? "tenant-suspended" : "unknown-signer";
      return c.json(encodeSignedResponse(failureResponse({ reason })));
    }
    console.error("widevine cenc internal error", { error: error instanceof Error ? error.name : "unknown" });
    return c.json(encodeSignedResponse(failureResponse({ reason: "internal-error" })));
  }
}

/**
 * A storage fault in the protocol's own shape: HTTP 200 with `INTERNAL_ERROR`, which Shaka Packager retries with
 * back-off (`widevine_key_source.cc`); a 503 would end its run at once, since its key fetcher retries no HTTP
 * failure but a time-out. `Retry-After` is added for other clients.
 */
function storageUnavailableAnswer(retryAfterSeconds: number): Response {
  return Response.json(encodeSignedResponse(failureResponse({ reason: "storage-unavailable", retryAfterSeconds })), {
    headers: { "Retry-After": String(retryAfterSeconds) },
  });
}

function contentIdText(contentId: Uint8Array): string {
  const text = fromUtf8(contentId);
  return /^[\x20-\x7e]*$/.test(text) ? text : `base64:${toBase64(contentId)}`;
}

/**
 * The Widevine CENC API envelope and, as `request`'s decoded content (JSON Schema `contentSchema`), the inner
 * CommonEncryptionRequest: described, not validated (request.ts reads it).
 */
function widevineEnvelope() {
  const base64 = (description: string) => v.pipe(v.string(), v.metadata({ contentEncoding: "base64", description }));
  const inner = v.object({
    content_id: base64("The content identifier"),
    policy: v.optional(v.string()),
    tracks: v.array(v.object({ type: v.picklist(TRACK_TYPES) })),
    drm_types: v.optional(v.array(v.picklist(DRM_TYPES))),
    protection_scheme: v.optional(v.union([v.string(), v.number()])),
    first_crypto_period_index: v.optional(v.number()),
    crypto_period_count: v.optional(v.number()),
    crypto_period_seconds: v.optional(v.number()),
    video_feature: v.optional(v.string()),
  });
  const envelope = v.object({
    request: v.pipe(
      v.string(),
      v.metadata({
        contentEncoding: "base64",
        contentMediaType: "application/json",
        description: "base64 of the CommonEncryptionRequest JSON",
      }),
    ),
    signature: base64("AES-CBC of SHA-1(request) with the signer's key and IV, or RSASSA-PSS/SHA-1"),
    signer: v.pipe(v.string(), v.description("The provider name of a credential from /api/WidevineProtectionInfoCredentials")),
  });
  return { schema: envelope, encodedContent: { request: inner } };
}
