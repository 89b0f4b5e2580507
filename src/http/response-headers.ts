import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "./app-env";

/**
 * Headers every response carries. `X-Content-Type-Options: nosniff` (Fetch standard): a browser never guesses a
 * type other than the one declared. `Cache-Control: no-store` (RFC 9111 §5.2.2.5): answers carry content keys,
 * seeds' ids, one-time secrets and tenant data, which no shared or browser cache may keep; a route that wants
 * caching sets its own Cache-Control.
 */
export function responseHeaders(): MiddlewareHandler<AppEnv> {
  return async function responseHeadersMiddleware(c, next) {
    await next();
    const headers = c.res.headers;
    headers.set("X-Content-Type-Options", "nosniff");
    if (!headers.has("Cache-Control")) headers.set("Cache-Control", "no-store");
  };
}
