import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "./app-env";
import { requestFailureResponse } from "./request-errors";

/**
 * Browsers must not be turned against a tenant (cross-site request forgery). A browser says where a request
 * comes from: `Sec-Fetch-Site` (Fetch Metadata, W3C) and `Origin` (RFC 6454 §7, sent on every cross-origin
 * request and on same-origin POSTs). A request from another origin is refused unless the tenant put that origin
 * on its allow-list (`AllowedOrigins` in /api/Settings); non-browser clients send neither header and pass.
 */

/** True when the request carries Fetch Metadata, which only browsers send. */
export function isBrowserRequest(request: Request): boolean {
  const headers = request.headers;
  return headers.has("Sec-Fetch-Site") || headers.has("Sec-Fetch-Mode") || headers.has("Sec-Fetch-Dest");
}

/** The origin a browser request comes from when it is not this service's own, else undefined. */
export function foreignOrigin(request: Request): string | undefined {
  const origin = request.headers.get("Origin");
  const site = request.headers.get("Sec-Fetch-Site");
  // The URL is parsed only when there is an Origin to compare: packagers send none, and this runs on every request.
  if (origin !== null && origin !== new URL(request.url).origin) return origin;
  // A cross-site request without Origin (some GETs) still says so in Fetch Metadata.
  if (site === "cross-site" || site === "same-site") return origin ?? "an unnamed origin";
  return undefined;
}

/** Refuses cross-origin browser requests to the tenant API unless the origin is on the tenant's allow-list. */
export function tenantOriginGuard(): MiddlewareHandler<AppEnv> {
  return async function tenantOriginGuardMiddleware(c, next) {
    const origin = foreignOrigin(c.req.raw);
    if (origin !== undefined) {
      if (!c.var.tenant.policy.cors.allowedOrigins.includes(origin)) {
        return requestFailureResponse({ reason: "foreign-origin", origin, operator: false });
      }
      c.header("Access-Control-Allow-Origin", origin);
      c.header("Vary", "Origin");
    }
    await next();
  };
}

/** Refuses every cross-origin browser request: the Operator API has no allow-list. */
export function operatorOriginGuard(): MiddlewareHandler<AppEnv> {
  return async function operatorOriginGuardMiddleware(c, next) {
    const origin = foreignOrigin(c.req.raw);
    if (origin !== undefined) return requestFailureResponse({ reason: "foreign-origin", origin, operator: true });
    await next();
  };
}
