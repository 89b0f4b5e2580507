/// <reference types="node" />
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { join, relative } from "node:path";
import { inject } from "vitest";
import { TEST_BINDINGS } from "../test-bindings";
import { OFFLINE_ENV, PROJECT_ROOT, type WorkerBundle } from "./worker-bundle";

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

/** A built bundle for `startPersistedService`; `remove()` deletes it. */
export interface ServiceBundle {
  readonly scriptPath: string;
  /** The bundle and wrangler.toml's bindings as the run read them once. */
  readonly worker: WorkerBundle;
  remove(): Promise<void>;
}

/** The run's production bundle (built once by worker-bundle.ts), for services started and killed several times over it. */
export async function buildServiceBundle(): Promise<ServiceBundle> {
  const bundle = inject("workerBundle");
  if (!bundle) throw new Error("buildServiceBundle needs the worker bundle of worker-bundle.ts: add it to the project's globalSetup");
  // The run owns the bundle and removes it at its end.
  return { scriptPath: join(bundle.outdir, "index.js"), worker: bundle, remove: async () => {} };
}

/** A service in a process group of its own (Node and workerd), which `kill()` ends with SIGKILL, as a crash would. */
export interface KillableService extends Omit<RunningService, "stop"> {
  kill(): Promise<void>;
}

/**
 * Serves `bundle` over KV and Durable Object state persisted in `persistDir` (test/interop/persisted-service.mjs):
 * a service started again on the same directory finds what the killed one committed.
 */
export async function startPersistedService(
  bundle: ServiceBundle,
  persistDir: string,
  options: { unlimitedRates?: boolean } = {},
): Promise<KillableService> {
  const { name, vars, workerOptions } = bundle.worker;
  const childOptions = {
    name,
    vars,
    workerOptions,
    projectRoot: PROJECT_ROOT,
    scriptPath: bundle.scriptPath,
    persistDir,
    port: await freePort(),
    bindings: TEST_BINDINGS,
    unlimitedRates: options.unlimitedRates ?? false,
  };
  const child = spawn(process.execPath, [join(PROJECT_ROOT, "test", "interop", "persisted-service.mjs")], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, ...OFFLINE_ENV, PERSISTED_SERVICE_OPTIONS: JSON.stringify(childOptions) },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  const errors: string[] = [];
  child.stderr.on("data", (chunk: Buffer) => errors.push(chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const line = output.split("\n").find((text) => text.startsWith('{"url"'));
      if (line) resolve((JSON.parse(line) as { url: string }).url.replace(/\/$/, ""));
    });
    child.on("exit", (code) => reject(new Error(`persisted service exited with ${code}:\n${errors.join("").slice(-4000)}`)));
  });
  return {
    url,
    async kill() {
      // The whole group: the Node process and the workerd it spawned, with no chance to flush anything.
      if (child.pid !== undefined && child.exitCode === null) process.kill(-child.pid, "SIGKILL");
      await exited;
    },
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
