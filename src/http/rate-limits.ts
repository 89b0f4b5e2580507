/**
 * Per-tenant rate limits with the Workers Rate Limiting binding (`[[ratelimits]]` in wrangler.toml; Miniflare
 * simulates it). Budgets are counted per Cloudflare location, as the binding does. The limits themselves live in
 * wrangler.toml; this module maps a request to its budget and key, and answers a refusal with 429 +
 * `Retry-After` (RFC 6585 §4, RFC 9110 §10.2.3).
 */

/** The window of every limiter in wrangler.toml (`simple.period`). */
export const RATE_LIMIT_PERIOD_SECONDS = 60;

/** Which budget a request draws from: acquisitions and management calls are limited separately. */
export type RateLimitBudget = "acquisition" | "management";

/** The binding behind each budget. */
function limiterFor(env: Env, budget: RateLimitBudget): RateLimit {
  return budget === "acquisition" ? env.ACQUISITION_RATE_LIMITER : env.MANAGEMENT_RATE_LIMITER;
}

/** True when the tenant has used up this budget in the current window; counts this request. */
export async function overTenantBudget(env: Env, budget: RateLimitBudget, tenantId: string): Promise<boolean> {
  const { success } = await limiterFor(env, budget).limit({ key: `${budget}:${tenantId}` });
  return !success;
}

/**
 * Failed authentications per client address. The binding cannot be asked without counting, so a client that
 * went over is remembered in this isolate until the window ends and refused before its credentials are checked;
 * other isolates of the location learn it at that client's next failure, since the count is shared.
 */
const blockedClients = new Map<string, number>();
const MAX_BLOCKED_CLIENTS = 10_000;

/**
 * The address a request came from: `CF-Connecting-IP`, which Cloudflare's edge sets on every request. Absent
 * only off the edge (`wrangler dev`, tests), where every client would share one budget; there it is undefined
 * and failed authentications are not limited.
 */
export function clientAddress(request: Request): string | undefined {
  return request.headers.get("CF-Connecting-IP") ?? undefined;
}

/** Seconds until this client may try to authenticate again, or 0 when it may now. */
export function authenticationBlockedFor(client: string | undefined, now = Date.now()): number {
  if (client === undefined) return 0;
  const until = blockedClients.get(client);
  if (until === undefined) return 0;
  if (until <= now) {
    blockedClients.delete(client);
    return 0;
  }
  return Math.ceil((until - now) / 1000);
}

/** Counts a failed authentication; true when the client is now over its budget (and blocked in this isolate). */
export async function countAuthenticationFailure(env: Env, client: string | undefined, now = Date.now()): Promise<boolean> {
  if (client === undefined) return false;
  const { success } = await env.AUTH_FAILURE_RATE_LIMITER.limit({ key: `auth-failure:${client}` });
  if (success) return false;
  if (blockedClients.size >= MAX_BLOCKED_CLIENTS) blockedClients.delete(blockedClients.keys().next().value!);
  blockedClients.set(client, now + RATE_LIMIT_PERIOD_SECONDS * 1000);
  return true;
}
