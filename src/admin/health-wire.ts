import { errorHeaders } from "../http/errors";
import type { HealthCheckResult, HealthProblem } from "./health-checks";
import { kekCanaryKey } from "./kek-canary";

/** How much of a thrown error's text an answer carries. */
const MAX_ERROR_TEXT = 200;

/**
 * `GET /admin/health`'s answer: 200 `{status: "ok", checks}` when every check passed; otherwise 503 (RFC 9110 §15.6.4:
 * the service cannot handle requests now) in the Operator API's error shape, the message naming each failing check,
 * with the same `checks`. Nothing in it is a key or secret: check names, times, KEK version numbers, and what failed.
 */
export function healthResponse(results: readonly HealthCheckResult[]): Response {
  const checks = results.map((result) => ({
    name: result.name,
    ok: result.problem === undefined,
    ms: result.ms,
    ...(result.versions && { versions: result.versions }),
    ...(result.problem && { problem: problemSentence(result.problem) }),
  }));
  const failing = checks.filter((check) => !check.ok);
  const headers = { "Content-Type": "application/json; charset=utf-8" };
  if (failing.length === 0) return new Response(JSON.stringify({ status: "ok", checks }), { headers });
  const message = `Health check failed: ${failing.map((check) => `${check.name} (${check.problem})`).join("; ")}`;
  return new Response(JSON.stringify({ error: message, status: "failing", checks }), {
    status: 503,
    headers: { ...headers, ...errorHeaders(message) },
  });
}

function problemSentence(problem: HealthProblem): string {
  switch (problem.reason) {
    case "call-failed":
      return problem.error.slice(0, MAX_ERROR_TEXT);
    case "kv-value-lost":
      return "KV accepted a write and did not return it when read back";
    case "object-answered-otherwise":
      return "the tenant directory object answered another value than it was sent";
    case "kek-canary-does-not-open": {
      const versions = problem.versions.join(", ");
      const keys = problem.versions.map(kekCanaryKey).join(", ");
      return (
        `key-encryption key version ${versions} does not open its canary (${keys} in KV): KEY_ENCRYPTION_KEY holds another ` +
        "key under that version than when the canary was written, and data keys wrapped before the change no longer open. " +
        'Put the earlier key back under that version; a new key gets a version of its own (README "Rotating the key-encryption key")'
      );
    }
    case "kek-not-configured":
      return problem.problem;
  }
}
