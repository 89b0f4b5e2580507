import * as v from "valibot";
import type { LazyRouteDoc } from "../http/route-doc";
import { routeGroup } from "../http/route-group";
import { HEALTH_CHECK_NAMES, runHealthChecks } from "./health-checks";
import { healthResponse } from "./health-wire";

/**
 * `GET /admin/health` (README "Usage and monitoring"): a KV write and read, a Durable Object round trip, and every
 * configured key-encryption key version opening its canary; 200 with the checks, or 503 naming the failing ones.
 * Behind adminAuth: it writes to KV, so it is not for anonymous pollers (`GET /healthz` is).
 */
export const healthRoutes = routeGroup({ kind: "operator" });

const healthDoc: LazyRouteDoc | false =
  __OPENAPI__ &&
  (() => {
    const { health, healthFailing } = healthShapes();
    return {
      tag: "Operator",
      summary: "Check KV, a Durable Object and every configured key-encryption key",
      description:
        "Writes and reads back a probe key in KV, makes a round trip to the tenant directory object, and checks that every " +
        "configured key-encryption key version opens its canary (README, Usage and monitoring).",
      responses: {
        200: { kind: "json", description: "Every check passed", schema: health },
        503: { kind: "json", description: "A check failed: the message and the checks name it", schema: healthFailing },
      },
    };
  });

healthRoutes.declare("get", "/admin/health", healthDoc, async (c) => {
  const results = await runHealthChecks(c.env);
  const failing = results.filter((result) => result.problem !== undefined);
  // The names and reasons only: what the answer says, never a key.
  if (failing.length > 0)
    console.error("health check failed", { checks: failing.map(({ name, problem }) => ({ name, reason: problem!.reason })) });
  return healthResponse(results);
});

/** What `GET /admin/health` answers (health-wire.ts): every check, passing (200) or with the failing ones named (503). */
function healthShapes() {
  const healthCheck = v.strictObject({
    name: v.pipe(
      v.picklist(HEALTH_CHECK_NAMES),
      v.description(
        "kv: a KV write read back; durable-object: a round trip to the tenant directory object; kek-canaries: every configured key-encryption key version opens its canary",
      ),
    ),
    ok: v.boolean(),
    ms: v.pipe(v.number(), v.description("Milliseconds the check took")),
    versions: v.optional(
      v.pipe(v.array(v.number()), v.description("kek-canaries: the key-encryption key versions checked, current first")),
    ),
    problem: v.optional(v.pipe(v.string(), v.description("Why the check failed"))),
  });
  return {
    health: v.strictObject({ status: v.literal("ok"), checks: v.array(healthCheck) }),
    healthFailing: v.strictObject({
      error: v.pipe(v.string(), v.description("Names each failing check and why; the same text as X-AxDRM-ErrorMessage")),
      status: v.literal("failing"),
      checks: v.array(healthCheck),
    }),
  };
}
