import type { MiddlewareHandler } from "hono";
import { someTenantAllows, writeAllowedOrigins } from "../tenancy/allowed-origins-directory";
import { kvMacKeys } from "../tenancy/kv-authentication";
import { requestRepublish } from "../tenancy/republish-request";
import { StoredValueCorrupt } from "../tenancy/storage-fault";
import type { AppEnv } from "./app-env";

/**
 * CORS preflights (Fetch standard, "CORS-preflight request"). A preflight carries no credentials, so it cannot
 * say which tenant it is for; it is allowed when some tenant lists the origin in `AllowedOrigins`, found in a
 * small KV directory (`cors-origin/<origin>/<tenantId>`, written when a tenant saves its settings). The request
 * that follows is checked against its own tenant's list (browser-guard.ts), so a preflight allowed for another
 * tenant's origin gains nothing.
 */

/** Headers a browser client of the Management API sends. */
const ALLOWED_HEADERS = "Authorization, Content-Type";
const ALLOWED_METHODS = "GET, POST, PUT, DELETE";
/** How long a browser may reuse a preflight answer (seconds). */
const PREFLIGHT_MAX_AGE = "600";

/** Records which origins a tenant allows, removing the ones it no longer lists (each entry carries its MAC). */
export async function publishAllowedOrigins(env: Env, tenantId: string, before: readonly string[], after: readonly string[]) {
  const added = after.filter((origin) => !before.includes(origin));
  const removed = before.filter((origin) => !after.includes(origin));
  await writeAllowedOrigins(env.SNAPSHOTS, await kvMacKeys(env), tenantId, added, removed);
}

/** Answers `OPTIONS` preflights under /api; names the origin only when a tenant allows it. */
export function corsPreflight(): MiddlewareHandler<AppEnv> {
  return async function corsPreflightMiddleware(c, next) {
    const origin = c.req.header("Origin");
    if (c.req.method !== "OPTIONS" || !origin || !c.req.header("Access-Control-Request-Method")) return next();
    const headers: Record<string, string> = { Vary: "Origin" };
    let allowed: boolean;
    try {
      allowed = await someTenantAllows(c.env.SNAPSHOTS, origin, await kvMacKeys(c.env));
    } catch (error) {
      // A bad entry: its tenant's object writes its entries again; this preflight is a storage fault (503, app.ts).
      const asked = error instanceof StoredValueCorrupt ? requestRepublish(c.env, error) : undefined;
      if (asked) c.executionCtx.waitUntil(asked);
      throw error;
    }
    if (allowed) {
      Object.assign(headers, {
        "Access-Control-Allow-Origin": origin,
        "Access-Control-Allow-Methods": ALLOWED_METHODS,
        "Access-Control-Allow-Headers": ALLOWED_HEADERS,
        "Access-Control-Max-Age": PREFLIGHT_MAX_AGE,
      });
    }
    return new Response(null, { status: 204, headers });
  };
}
