import type { MiddlewareHandler } from "hono";
import { storageCall } from "../tenancy/storage-fault";
import type { AppEnv } from "./app-env";

/**
 * CORS preflights (Fetch standard, "CORS-preflight request"). A preflight carries no credentials, so it cannot
 * say which tenant it is for; it is allowed when some tenant lists the origin in `AllowedOrigins`, found in a
 * small KV directory (`cors-origin/<origin>/<tenantId>`, written when a tenant saves its settings). The request
 * that follows is checked against its own tenant's list (browser-guard.ts), so a preflight allowed for another
 * tenant's origin gains nothing.
 */

const DIRECTORY_PREFIX = "cors-origin/";
/** Headers a browser client of the Management API sends. */
const ALLOWED_HEADERS = "Authorization, Content-Type";
const ALLOWED_METHODS = "GET, POST, PUT, DELETE";
/** How long a browser may reuse a preflight answer (seconds). */
const PREFLIGHT_MAX_AGE = "600";

function directoryKey(origin: string, tenantId: string): string {
  return `${DIRECTORY_PREFIX}${encodeURIComponent(origin)}/${tenantId}`;
}

/** Records which origins a tenant allows, removing the ones it no longer lists. */
export async function publishAllowedOrigins(kv: KVNamespace, tenantId: string, before: readonly string[], after: readonly string[]) {
  await storageCall("kv", () =>
    Promise.all([
      ...before.filter((origin) => !after.includes(origin)).map((origin) => kv.delete(directoryKey(origin, tenantId))),
      ...after.filter((origin) => !before.includes(origin)).map((origin) => kv.put(directoryKey(origin, tenantId), "1")),
    ]),
  );
}

async function someTenantAllows(kv: KVNamespace, origin: string): Promise<boolean> {
  const listed = await storageCall("kv", () => kv.list({ prefix: `${DIRECTORY_PREFIX}${encodeURIComponent(origin)}/`, limit: 1 }));
  return listed.keys.length > 0;
}

/** Answers `OPTIONS` preflights under /api; names the origin only when a tenant allows it. */
export function corsPreflight(): MiddlewareHandler<AppEnv> {
  return async function corsPreflightMiddleware(c, next) {
    const origin = c.req.header("Origin");
    if (c.req.method !== "OPTIONS" || !origin || !c.req.header("Access-Control-Request-Method")) return next();
    const headers: Record<string, string> = { Vary: "Origin" };
    if (await someTenantAllows(c.env.SNAPSHOTS, origin)) {
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
