import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "./app-env";
import { summarizeRequest } from "./request-summary";
import { writeUsageEvent } from "./usage-events";

/**
 * The request log (README "Usage and monitoring"): once a request is answered, one JSON line on the Worker's log
 * (`console.log`, collected by Workers Logs under `[observability]` in wrangler.toml) and one usage data point when
 * `USAGE_EVENTS` is bound (usage-events.ts). `REQUEST_LOG = "off"` leaves the line out: the test bindings set it, so
 * the thousands of requests of `npm test` print nothing and pay no console cost; production keeps the default, on.
 * Outermost middleware, so the status is the final one (errors included: Hono answers them before returning here).
 * @example {"tenant":"c72d…","route":"/api/spekev2","method":"POST","protocol":"SpekeV2","status":200,"keys":8,"ms":14}
 */
export function requestLog(): MiddlewareHandler<AppEnv> {
  return async function requestLogMiddleware(c, next) {
    const started = Date.now();
    await next();
    try {
      const summary = summarizeRequest(c, Date.now() - started);
      if (c.env.REQUEST_LOG !== "off") console.log(JSON.stringify(summary));
      writeUsageEvent(c.env.USAGE_EVENTS, summary);
    } catch (error) {
      // An answered request stays answered (an acquisition's keys are already recorded): the failure is only logged.
      console.error("request log failed", { error: error instanceof Error ? error.name : "unknown" });
    }
  };
}
