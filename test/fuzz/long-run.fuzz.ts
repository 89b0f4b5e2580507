/// <reference types="node" />
import { afterAll, beforeAll, expect, it } from "vitest";
import { startService, type RunningService } from "../interop/service";
import type { Fetcher } from "./checks";
import { FUZZ_TARGETS, type FuzzTarget, type FuzzTenant } from "./generators";
import { knownGoodProblems, setUpFuzzTenant } from "./known-good";
import { describeFailure, fuzzTarget, type FuzzFailure, type FuzzReport } from "./runner";
import { serviceFetcher, type ServiceFetcher } from "./service-fetcher";

/**
 * `npm run fuzz`: the long run. The production bundle served by Miniflare on 127.0.0.1 (test/interop/service.ts),
 * every fuzz target of generators.ts in chunks of CHUNK_RUNS inputs, round-robin over a few concurrent lanes,
 * until FUZZ_RUNS inputs or FUZZ_SECONDS have passed. Prints a summary: inputs, inputs per second, statuses per
 * target, and each failure with its replay seed and the shrunk input's shape (never a body, key or secret).
 *
 * FUZZ_SECONDS (600), FUZZ_RUNS (100000), FUZZ_SEED (random, printed), FUZZ_CONCURRENCY (4),
 * FUZZ_TARGET (only targets whose name contains it), FUZZ_REPLAY (a failure's JSON replay line).
 */
const SECONDS = positive("FUZZ_SECONDS", 600);
const RUNS = positive("FUZZ_RUNS", 100_000);
const SEED = positive("FUZZ_SEED", Math.floor(Math.random() * 2 ** 31));
const CONCURRENCY = positive("FUZZ_CONCURRENCY", 4);
const CHUNK_RUNS = 500;
/** A target that keeps failing has shown its defect: stop spending the run on shrinking it again. */
const MAX_FAILURES_PER_TARGET = 3;

let service: RunningService;
let harness: ServiceFetcher;
let fetcher: Fetcher;
let tenant: FuzzTenant;

beforeAll(async () => {
  // The fuzz property concerns input handling; rate limits have their own test.
  service = await startService({ unlimitedRates: true });
  harness = serviceFetcher(service.url);
  fetcher = harness.fetcher;
  tenant = await setUpFuzzTenant(fetcher);
});

afterAll(async () => {
  await service?.stop();
});

it("answers every fuzzed input without a 5xx or a leak, and keys still equal the derivation after", async () => {
  const replay = process.env.FUZZ_REPLAY;
  const started = Date.now();
  const reports = replay ? [await replayFailure(replay)] : await longRun();
  const elapsedMs = Date.now() - started;
  const problems = await knownGoodProblems(fetcher, tenant);
  const failures = reports.flatMap((report) => (report.failure ? [report.failure] : []));
  console.log(summary(reports, elapsedMs, failures, problems));
  expect(failures.map(describeFailure)).toEqual([]);
  expect(problems).toEqual([]);
});

async function longRun(): Promise<FuzzReport[]> {
  const targets = FUZZ_TARGETS.filter((target) => target.name.includes(process.env.FUZZ_TARGET ?? ""));
  const deadline = Date.now() + SECONDS * 1000;
  const chunksPerTarget = Math.ceil(RUNS / targets.length / CHUNK_RUNS);
  // Round-robin: chunk 0 of every target, then chunk 1 …, so a run stopped by the clock covers every target.
  const queue: { target: FuzzTarget; seed: number }[] = [];
  for (let chunk = 0; chunk < chunksPerTarget; chunk++) {
    targets.forEach((target, index) => queue.push({ target, seed: SEED + chunk * 1000 + index }));
  }
  const reports: FuzzReport[] = [];
  const failuresOf = new Map<string, number>();
  const lane = async () => {
    for (let next = queue.shift(); next && Date.now() < deadline; next = queue.shift()) {
      if ((failuresOf.get(next.target.name) ?? 0) >= MAX_FAILURES_PER_TARGET) continue;
      const report = await fuzzTarget(next.target, {
        fetcher,
        tenant,
        numRuns: CHUNK_RUNS,
        seed: next.seed,
        timeLimitMs: deadline - Date.now(),
      });
      reports.push(report);
      if (report.failure) failuresOf.set(next.target.name, (failuresOf.get(next.target.name) ?? 0) + 1);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, lane));
  return reports;
}

async function replayFailure(line: string): Promise<FuzzReport> {
  const { target: name, seed, path } = JSON.parse(line) as { target: string; seed: number; path: string };
  const target = FUZZ_TARGETS.find((candidate) => candidate.name === name);
  if (!target) throw new Error(`no fuzz target named ${name}`);
  return fuzzTarget(target, { fetcher, tenant, numRuns: CHUNK_RUNS, seed, path });
}

function summary(reports: readonly FuzzReport[], elapsedMs: number, failures: readonly FuzzFailure[], problems: readonly string[]): string {
  interface TargetTotals {
    inputs: number;
    statuses: Record<string, number>;
    excluded: Record<string, number>;
    slowest?: FuzzReport["slowest"];
    largest?: FuzzReport["largest"];
  }
  const byTarget = new Map<string, TargetTotals>();
  for (const report of reports) {
    const entry: TargetTotals = byTarget.get(report.target) ?? { inputs: 0, statuses: {}, excluded: {} };
    entry.inputs += report.inputs;
    if (report.slowest && report.slowest.ms > (entry.slowest?.ms ?? -1)) entry.slowest = report.slowest;
    if (report.largest && report.largest.size > (entry.largest?.size ?? -1)) entry.largest = report.largest;
    for (const [status, count] of Object.entries(report.statuses)) entry.statuses[status] = (entry.statuses[status] ?? 0) + count;
    for (const [defect, count] of Object.entries(report.excluded)) entry.excluded[defect] = (entry.excluded[defect] ?? 0) + count;
    byTarget.set(report.target, entry);
  }
  const inputs = reports.reduce((sum, report) => sum + report.inputs, 0);
  const elapsed = Math.max(elapsedMs, 1) / 1000;
  const lines = [
    `fuzz: ${inputs} inputs in ${Math.round(elapsed)} s (${Math.round(inputs / elapsed)} inputs/s, ${CONCURRENCY} lanes), seed ${SEED}, ` +
      `limits FUZZ_RUNS=${RUNS} FUZZ_SECONDS=${SECONDS}`,
  ];
  for (const [target, entry] of byTarget) {
    const statuses = Object.entries(entry.statuses)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([status, count]) => `${status}: ${count}`)
      .join(", ");
    const excluded = Object.entries(entry.excluded).map(([defect, count]) => `${count} excluded (${defect})`);
    lines.push(`  ${target}: ${entry.inputs} inputs; ${statuses}${excluded.length > 0 ? `; ${excluded.join("; ")}` : ""}`);
    if (entry.slowest) lines.push(`    slowest ${entry.slowest.ms} ms: ${entry.slowest.shape}`);
    if (entry.largest) lines.push(`    largest answer ${entry.largest.size} characters: ${entry.largest.shape}`);
  }
  const retried = Object.entries(harness.sentAgain).map(([code, count]) => `${count} (${code})`);
  if (retried.length > 0) lines.push(`sent again after a connection failure: ${retried.join(", ")}`);
  const own = Object.entries(harness.ownConnection).map(([status, count]) => `${count} (${status})`);
  if (own.length > 0) lines.push(`  of which answered on a connection of their own (early-answer.ts): ${own.join(", ")}`);
  lines.push(failures.length === 0 ? "failures: none" : `failures: ${failures.length}`);
  for (const failure of failures) lines.push(`  ${describeFailure(failure).replaceAll("\n", "\n  ")}`);
  lines.push(
    problems.length === 0
      ? "known-good requests afterwards: keys equal the derivation"
      : `known-good requests afterwards: ${problems.join("; ")}`,
  );
  return lines.join("\n");
}

function positive(name: string, fallback: number): number {
  const value = Number(process.env[name]);
  return Number.isInteger(value) && value > 0 ? value : fallback;
}
