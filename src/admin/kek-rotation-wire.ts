import { errorHeaders } from "../http/errors";
import type { RotationBatch } from "../tenancy/kek-rotation";

/** Seconds a caller waits before retrying while a deploy rolls out to the tenant objects. */
const ROLLOUT_RETRY_SECONDS = 10;

/** The progress so far, with why the call stopped: a deploy still rolling out (503), or a data key no configured key opens (409). */
export function stoppedResponse({ progress, stop }: RotationBatch): Response {
  let status: 409 | 503;
  let message: string;
  const headers: Record<string, string> = {};
  switch (stop!.reason) {
    case "other-configuration":
      status = 503;
      headers["Retry-After"] = String(ROLLOUT_RETRY_SECONDS);
      message =
        `The object of tenant ${stop!.tenantId} runs with key-encryption key version ${stop!.objectKeyVersion} as current, this ` +
        `Worker with ${progress.keyVersion}: a deploy is still rolling out; call again with the same cursor shortly`;
      break;
    case "cannot-open":
      status = 409;
      message =
        `The data key of tenant ${stop!.tenantId} cannot be opened: ${stop!.problem}. Add the key-encryption key of version ` +
        `${stop!.wrappedKeyVersion ?? "?"} back to KEY_ENCRYPTION_KEY (after the current one) and call again with the same cursor`;
      break;
  }
  return new Response(JSON.stringify({ error: message, ...progress }), {
    status,
    headers: { "Content-Type": "application/json; charset=utf-8", ...errorHeaders(message), ...headers },
  });
}
