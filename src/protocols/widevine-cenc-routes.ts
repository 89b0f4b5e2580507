import { Hono, type Context } from "hono";
import { tenantStore } from "../http/auth";
import type { AppEnv } from "../http/app-env";
import { MAX_BODY_BYTES, readBodyBytes } from "../http/body";
import type { KeySeedValue } from "../domain/content-key";
import { toBase64 } from "../domain/bytes";
import type { LoadedTenant } from "../tenancy/tenant-store";
import { recordIssuance, signallingSettings } from "./acquisition-support";
import { encodeSignedResponse, failureResponse, handleCommonEncryptionRequest } from "./widevine-cenc";

/**
 * Widevine Common Encryption API: `POST /api/WidevineProtectionInfo` and Shaka's documented
 * `/cenc/getcontentkey/{signer}`. Authenticated by the request signature, not a header; every answer is
 * HTTP 200 with the protocol's own `status` (Axinom Key Service API help, POST api/WidevineProtectionInfo).
 */
export const widevineCencRoutes = new Hono<AppEnv>();

widevineCencRoutes.post("/api/widevineprotectioninfo", (c) => answer(c, undefined));
widevineCencRoutes.post("/cenc/getcontentkey/:signer", (c) => answer(c, c.req.param("signer")));

async function answer(c: Context<AppEnv>, pathSigner: string | undefined): Promise<Response> {
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
  let tenant: LoadedTenant | undefined;
  let seedId: string | undefined;
  try {
    const outcome = await handleCommonEncryptionRequest(body.bytes, {
      ...(pathSigner !== undefined && { pathSigner }),
      async resolveSigner(signer) {
        const tenantId = await store.tenantIdForSigner(signer);
        tenant = tenantId === undefined ? undefined : await store.load(tenantId, (refresh) => c.executionCtx.waitUntil(refresh));
        const found = tenant && (await tenant.widevineSigner(signer));
        if (!tenant || !found) return undefined;
        // A signer bound to a seed uses only that seed; if it is gone, loadTenantKeys finds none (ACCESS_DENIED)
        // rather than silently issuing keys from another seed the license side would not expect.
        seedId = found.keySeedId ?? tenant.defaultSeedId(now);
        return { tenantId: tenant.tenantId, credential: found.credential };
      },
      async loadTenantKeys() {
        const seed: KeySeedValue | undefined = tenant && seedId !== undefined ? await tenant.seed(seedId) : undefined;
        return { seed, settings: signallingSettings(tenant?.snapshot.settings ?? {}) };
      },
    });
    if (outcome.keys && tenant && seedId !== undefined) {
      recordIssuance(c.env, c.executionCtx, tenant.tenantId, {
        time: now.toISOString(),
        protocol: "widevine-cenc",
        // content_id is bytes; printable ones (the usual case) are logged as text, others as base64.
        contentId: outcome.contentId === undefined ? null : contentIdText(outcome.contentId),
        kids: [...new Set(outcome.keys.map((key) => key.kid.toString()))],
        keySeedId: seedId,
        credential: `widevine:${outcome.signer ?? pathSigner ?? ""}`,
      });
    }
    return c.json(outcome.body);
  } catch (error) {
    console.error("widevine cenc internal error", { error: error instanceof Error ? error.name : "unknown" });
    return c.json(encodeSignedResponse(failureResponse({ reason: "internal-error" })));
  }
}

function contentIdText(contentId: Uint8Array): string {
  const text = new TextDecoder().decode(contentId);
  return /^[\x20-\x7e]*$/.test(text) ? text : `base64:${toBase64(contentId)}`;
}
