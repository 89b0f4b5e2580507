/// <reference types="node" />
import { createServer } from "node:net";
import { join, relative } from "node:path";
import { inject } from "vitest";
import { TEST_BINDINGS } from "../test-bindings";
import { OFFLINE_ENV, PROJECT_ROOT } from "./worker-bundle";

/**
 * Runs the real Worker for Node-side interop tests: the production bundle (`wrangler deploy --dry-run`, built once
 * per run by worker-bundle.ts) served by Miniflare on 127.0.0.1, so peer tools (Shaka Packager, curl, …) talk to it
 * over a real socket. Bindings come from wrangler.toml (read once per run, so new KV/DO bindings are picked up) with
 * the test secrets of test/test-bindings.ts; `.dev.vars` is not used. Storage is in memory and gone after `stop()`. The static
 * assets of wrangler.toml's `[assets]` (the console under public/, with its `_headers`) are served as `wrangler dev`
 * and a deployment serve them: Miniflare gets them from the same worker options.
 */

export interface RunningService {
  /** Origin without a trailing slash, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  stop(): Promise<void>;
}

/**
 * Starts the service on the run's bundle; resolves once it accepts requests.
 * @example const service = await startService(); await fetch(`${service.url}/admin/tenants`, …); await service.stop();
 */
export async function startService(options: { unlimitedRates?: boolean; bindings?: Record<string, string> } = {}): Promise<RunningService> {
  // Built once per run by the project's globalSetup (worker-bundle.ts, vitest.config.ts).
  const bundle = inject("workerBundle");
  if (!bundle) throw new Error("startService needs the worker bundle of worker-bundle.ts: add it to the project's globalSetup");
  Object.assign(process.env, OFFLINE_ENV);
  const { Miniflare } = await import("miniflare");
  const { workerOptions } = bundle;
  const miniflare = new Miniflare({
    ...workerOptions,
    ...(options.unlimitedRates && { ratelimits: unreachableRateLimits(workerOptions.ratelimits) }),
    name: bundle.name,
    rootPath: PROJECT_ROOT,
    modulesRoot: bundle.outdir,
    modules: true,
    scriptPath: relative(PROJECT_ROOT, join(bundle.outdir, "index.js")),
    // Plain vars from wrangler.toml, then the fixed test secrets and a test's own; never the developer's .dev.vars.
    bindings: { ...bundle.vars, ...TEST_BINDINGS, ...options.bindings },
    host: "127.0.0.1",
    port: await freePort(),
    cf: false,
  });
  const ready = await miniflare.ready;
  return {
    url: ready.origin,
    stop: () => miniflare.dispose(),
  };
}

/**
 * wrangler.toml's rate-limit bindings with a limit no run reaches, for a long fuzz run that sends far more than a
 * tenant may in a minute (the limiter itself is tested in test/workers/rate-limits.test.ts). Each request still
 * calls the binding.
 */
function unreachableRateLimits<L extends { simple: { limit: number } }>(ratelimits: Record<string, L> = {}): Record<string, L> {
  return Object.fromEntries(
    Object.entries(ratelimits).map(([name, limits]) => [name, { ...limits, simple: { ...limits.simple, limit: 1_000_000_000 } }]),
  );
}

/** Asks the OS for a free loopback port (bind to 0, read it, release it). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}
