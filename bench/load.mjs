import autocannon from "autocannon";

/**
 * One timed load run with autocannon (npm, in this Node process): fixed connections, fixed duration, no
 * pipelining. Every response body must equal `expectBody` (the response checked before the run), so a wrong
 * answer is counted even when its status is 200 (the Widevine CENC API answers every failure with 200). A
 * scenario timing a refusal passes `expectStatus`; answers of any other status class are then counted as wrong.
 * An answer that differs at every request by design (content keys encrypted under a fresh document key) is checked
 * with `verifyBody` instead: every body must pass the scenario's own check.
 */
export async function measure({
  url,
  method = "GET",
  headers = {},
  body,
  expectBody,
  verifyBody,
  expectStatus,
  connections,
  durationSeconds,
}) {
  // Latencies kept at full precision here: autocannon's own histogram rounds to whole milliseconds.
  const latencies = [];
  const instance = autocannon({
    url,
    method,
    headers,
    ...(body !== undefined && { body }),
    ...(verifyBody !== undefined ? { verifyBody } : expectBody !== undefined && { expectBody }),
    connections,
    duration: durationSeconds,
    pipelining: 1,
    timeout: 10,
  });
  instance.on("response", (_client, _statusCode, _bytes, responseTime) => latencies.push(responseTime));
  const result = await instance;
  latencies.sort((a, b) => a - b);
  // A scenario that expects a refusal (`expectStatus`, e.g. 422) counts that status class as its answers.
  const expectedClass = expectStatus === undefined ? "2xx" : `${Math.floor(expectStatus / 100)}xx`;
  const ok = result[expectedClass];
  return {
    requestsPerSecond: ok / result.duration,
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    total: result.requests.total,
    ok,
    /** Answers of another status class than the expected one (non-2xx for the usual scenario). */
    non2xx: expectStatus === undefined ? result.non2xx : result["1xx"] + result["2xx"] + result["3xx"] + result["4xx"] + result["5xx"] - ok,
    errors: result.errors + result.timeouts,
    mismatches: result.mismatches,
    durationSeconds: result.duration,
  };
}

function percentile(sorted, fraction) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)];
}
