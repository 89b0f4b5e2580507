import fc from "fast-check";
import { sendAndCheck, secretsOf, type Fetcher } from "./checks";
import type { FuzzTarget, FuzzTenant } from "./generators";
import { knownDefectOf } from "./known-defects";

/** Runs one fuzz target as a fast-check property and reports what it saw, without any body, key or secret. */

export interface FuzzOptions {
  readonly fetcher: Fetcher;
  readonly tenant: FuzzTenant;
  readonly numRuns: number;
  readonly seed: number;
  /** Stops generating new inputs after this long (the run then counts as passed so far). */
  readonly timeLimitMs?: number;
  /** fast-check's replay path of a reported failure. */
  readonly path?: string;
}

export interface FuzzFailure {
  readonly target: string;
  readonly seed: number;
  readonly path: string;
  /** The shrunk input's shape: endpoint, field names, value kinds and sizes. */
  readonly shape: string;
  readonly violation: string;
}

export interface FuzzReport {
  readonly target: string;
  /** Requests sent, shrinking included. */
  readonly inputs: number;
  /** Inputs left out because they belong to a known, recorded defect (known-defects.ts), by defect. */
  readonly excluded: Readonly<Record<string, number>>;
  /** Count of each HTTP status (or "timeout"). */
  readonly statuses: Readonly<Record<string, number>>;
  readonly failure?: FuzzFailure;
  /** The input that took longest to answer, and how long (a hang in the making shows here first). */
  readonly slowest?: { readonly ms: number; readonly shape: string };
  /** The largest answer, in characters (a small request with a huge answer is worth a look). */
  readonly largest?: { readonly size: number; readonly shape: string };
  readonly interrupted: boolean;
  readonly elapsedMs: number;
}

/** A violation as fast-check sees it: the message says what was wrong, never what was sent. */
class PropertyViolation extends Error {}

export async function fuzzTarget(target: FuzzTarget, options: FuzzOptions): Promise<FuzzReport> {
  const secrets = secretsOf(options.tenant);
  const statuses: Record<string, number> = {};
  const excluded: Record<string, number> = {};
  let inputs = 0;
  let slowest: { ms: number; recipe: unknown } | undefined;
  let largest: { size: number; recipe: unknown } | undefined;
  const started = Date.now();
  const property = fc.asyncProperty(target.recipe, async (recipe) => {
    const request = await target.render(recipe, options.tenant);
    const defect = knownDefectOf(target.name, request);
    if (defect) {
      excluded[defect] = (excluded[defect] ?? 0) + 1;
      return;
    }
    inputs++;
    const sent = Date.now();
    const outcome = await sendAndCheck(options.fetcher, request, target.errorStyle, secrets);
    const ms = Date.now() - sent;
    if (!slowest || ms > slowest.ms) slowest = { ms, recipe };
    if (!largest || outcome.size > largest.size) largest = { size: outcome.size, recipe };
    statuses[outcome.status] = (statuses[outcome.status] ?? 0) + 1;
    if (outcome.violation) throw new PropertyViolation(outcome.violation);
    if (!outcome.status.startsWith("2") || !target.afterwards) return;
    for (const next of target.afterwards(request, options.tenant)) {
      const after = await sendAndCheck(options.fetcher, next, "text", secrets);
      if (after.violation)
        throw new PropertyViolation(`after a ${outcome.status}, ${next.method} ${next.path.split("?")[0]} broke: ${after.violation}`);
    }
  });
  const details = await fc.check(property, {
    seed: options.seed,
    numRuns: options.numRuns,
    ...(options.path !== undefined && { path: options.path }),
    ...(options.timeLimitMs !== undefined && { interruptAfterTimeLimit: options.timeLimitMs, markInterruptAsFailure: false }),
  });
  const failure: FuzzFailure | undefined =
    details.failed && details.counterexample
      ? {
          target: target.name,
          seed: details.seed,
          path: details.counterexamplePath ?? "",
          shape: target.describe(details.counterexample[0]),
          violation:
            details.errorInstance instanceof PropertyViolation
              ? details.errorInstance.message
              : `the harness threw ${errorName(details.errorInstance)}`,
        }
      : undefined;
  return {
    target: target.name,
    inputs,
    excluded,
    statuses,
    ...(failure && { failure }),
    ...(slowest && { slowest: { ms: slowest.ms, shape: target.describe(slowest.recipe) } }),
    ...(largest && { largest: { size: largest.size, shape: target.describe(largest.recipe) } }),
    interrupted: details.interrupted,
    elapsedMs: Date.now() - started,
  };
}

/** One line per failure: enough to replay it (`FUZZ_REPLAY`) and to see its shape. */
export function describeFailure(failure: FuzzFailure): string {
  return `${failure.target}: ${failure.violation}\n  replay: FUZZ_REPLAY='${JSON.stringify({ target: failure.target, seed: failure.seed, path: failure.path })}' npm run fuzz\n  shrunk input: ${failure.shape}`;
}

function errorName(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message.slice(0, 200)}` : "a non-error";
}
