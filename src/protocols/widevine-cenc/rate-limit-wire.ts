import type { Context } from "hono";
import type { AppEnv } from "../../http/app-env";
import { errorHeaders } from "../../http/errors";
import { encodeSignedResponse } from "./envelope";
import { failureResponse } from "./failure";

/**
 * The one Widevine Common Encryption answer that is not HTTP 200: the signer's tenant has used up its acquisition
 * budget (src/http/rate-limits.ts). 429 with `Retry-After` (RFC 6585 §4) for HTTP clients, the protocol's own body
 * (`INTERNAL_ERROR`, the status Shaka Packager retries with back-off) and the message in `X-AxDRM-ErrorMessage`.
 */
export function rateLimitedAnswer(c: Context<AppEnv>, retryAfterSeconds: number): Response {
  const body = encodeSignedResponse(failureResponse({ reason: "rate-limited", retryAfterSeconds }));
  const message = `Rate limit of acquisitions for this tenant reached; retry in ${retryAfterSeconds} s`;
  return c.json(body, 429, { "Retry-After": String(retryAfterSeconds), ...errorHeaders(message) });
}
