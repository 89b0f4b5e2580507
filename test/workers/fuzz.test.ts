import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import worker from "../../src/index";
import type { Fetcher } from "../fuzz/checks";
import { FUZZ_TARGETS, type FuzzTenant } from "../fuzz/generators";
import { knownGoodProblems, setUpFuzzTenant } from "../fuzz/known-good";
import { describeFailure, fuzzTarget } from "../fuzz/runner";
import { BASE } from "./support/api";

/** Rate limiters that always allow: the property concerns input handling; rate limits have their own test. */
const ALWAYS_ALLOW: RateLimit = { limit: async () => ({ success: true }) };
const UNLIMITED_ENV = { ...env, ACQUISITION_RATE_LIMITER: ALWAYS_ALLOW, MANAGEMENT_RATE_LIMITER: ALWAYS_ALLOW } as Env;

/**
 * Fuzzing as a habit: every endpoint gets a few hundred generated inputs per run (mutated real CPIX documents,
 * JSON bodies, query strings, signed Widevine requests), from a fixed seed so a failure replays. The long run is
 * `npm run fuzz` (test/fuzz/long-run.fuzz.ts), with the same generators.
 */
const RUNS_PER_TARGET = 200;
const SEED = 20_260_501;

/**
 * Calls the Worker's own fetch handler with the real bindings (KV, Durable Objects) rather than `SELF.fetch`,
 * whose cost grows with every request a workerd instance has served (cloudflare/workers-sdk#15446): thousands of
 * requests through `SELF` take minutes, through the handler seconds. Background work (the issuance log) is
 * awaited before the answer is handed back, as the runtime would finish it.
 */
const fetcher: Fetcher = async (path, init) => {
  const context = createExecutionContext();
  const response = await worker.fetch(new Request(`${BASE}${path}`, init), UNLIMITED_ENV, context);
  const body = await response.arrayBuffer();
  await waitOnExecutionContext(context);
  return new Response(body.byteLength === 0 ? null : body, { status: response.status, headers: response.headers });
};

let tenant: FuzzTenant;

beforeAll(async () => {
  tenant = await setUpFuzzTenant(fetcher);
});

describe.each(FUZZ_TARGETS.map((target, index) => ({ target, index, name: target.name })))("fuzzed $name", ({ target, index }) => {
  it("never answers 5xx, explains every error, leaks no seed or key, and keys still equal the derivation after", async () => {
    const report = await fuzzTarget(target, { fetcher, tenant, numRuns: RUNS_PER_TARGET, seed: SEED + index });
    expect(report.failure && describeFailure(report.failure)).toBeUndefined();
    expect(report.inputs + Object.values(report.excluded).reduce((sum, n) => sum + n, 0)).toBeGreaterThanOrEqual(RUNS_PER_TARGET);
    expect(await knownGoodProblems(fetcher, tenant)).toEqual([]);
  });
});
