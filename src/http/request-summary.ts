import type { Context } from "hono";
import { matchedRoutes } from "hono/route";
import type { LoadedTenant } from "../tenancy/loaded-tenant";
import type { AppEnv, UsageProtocol } from "./app-env";

/**
 * What one request did, for its log line and its usage data point. Never a key, seed, secret, body, query or raw path
 * (a content id may be in the path): the route's pattern stands for the path.
 */
export interface RequestSummary {
  /** The tenant served: the authenticated one, or the one an acquisition authenticated by its signature answered. */
  readonly tenant: string | null;
  /** The matched route's pattern (`/api/cpix/:contentId`, lower-case as src/http/paths.ts routes it); null when none matched. */
  readonly route: string | null;
  readonly method: string;
  readonly protocol: UsageProtocol | null;
  readonly status: number;
  /** Content keys answered (0 for every refusal and every route that answers none). */
  readonly keys: number;
  /** Milliseconds from the request to its answer, as the Workers clock counts them (it advances across I/O only). */
  readonly ms: number;
}

/** The summary of a request that has been answered (`c.res` is final). */
export function summarizeRequest(c: Context<AppEnv>, ms: number): RequestSummary {
  // `c.get`, not `c.var`: Hono builds `c.var` as a new object of every variable on each read (Object.fromEntries).
  const issuance = c.get("issuance") as AppEnv["Variables"]["issuance"] | undefined;
  // Unset on routes without tenant auth (operator, public, Widevine): Hono answers undefined for a variable never set.
  const tenant = c.get("tenant") as LoadedTenant | undefined;
  return {
    tenant: issuance?.tenantId ?? tenant?.tenantId ?? null,
    route: routePattern(c),
    method: c.req.method,
    protocol: (c.get("protocol") as UsageProtocol | undefined) ?? null,
    status: c.res.status,
    keys: issuance?.keys ?? 0,
    ms,
  };
}

/** The pattern of the handler the router matched (middleware is registered for every method, as `ALL`). */
function routePattern(c: Context<AppEnv>): string | null {
  const routes = matchedRoutes(c);
  for (let i = routes.length - 1; i >= 0; i--) if (routes[i]!.method !== "ALL") return routes[i]!.path;
  return null;
}
