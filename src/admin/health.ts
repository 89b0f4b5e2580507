import { routeGroup } from "../http/route-group";
import { runHealthChecks } from "./health-checks";
import { healthResponse } from "./health-wire";

/**
 * `GET /admin/health` (README "Usage and monitoring"): a KV write and read, a Durable Object round trip, and every
 * configured key-encryption key version opening its canary; 200 with the checks, or 503 naming the failing ones.
 * Behind adminAuth: it writes to KV, so it is not for anonymous pollers (`GET /healthz` is).
 */
export const healthRoutes = routeGroup({ kind: "operator" });

healthRoutes.routes.get("/health", async (c) => {
  const results = await runHealthChecks(c.env);
  const failing = results.filter((result) => result.problem !== undefined);
  // The names and reasons only: what the answer says, never a key.
  if (failing.length > 0)
    console.error("health check failed", { checks: failing.map(({ name, problem }) => ({ name, reason: problem!.reason })) });
  return healthResponse(results);
});
