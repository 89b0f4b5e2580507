/// <reference types="node" />
import { spawn } from "node:child_process";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { TEST_BINDINGS } from "../test-bindings";

/**
 * Runs the real Worker for Node-side interop tests: the production bundle (`wrangler deploy --dry-run`) served
 * by Miniflare on 127.0.0.1, so peer tools (Shaka Packager, curl, …) talk to it over a real socket.
 * Bindings come from wrangler.toml (read at every start, so new KV/DO bindings are picked up) with the test
 * secrets of test/test-bindings.ts; `.dev.vars` is not used. Storage is in memory and gone after `stop()`. The static
 * assets of wrangler.toml's `[assets]` (the console under public/, with its `_headers`) are served as `wrangler dev`
 * and a deployment serve them: Miniflare gets them from the same worker options.
 */

export interface RunningService {
  /** Origin without a trailing slash, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  stop(): Promise<void>;
}

const PROJECT_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
/** Inside the project: Miniflare refuses module paths that leave its root. */
const BUILD_ROOT = join(PROJECT_ROOT, ".wrangler", "interop-dist");
/** No network at test time: the `cf` object is Miniflare's built-in fallback, wrangler sends no metrics. */
const OFFLINE_ENV = { CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false" };

/**
 * Builds and starts the service; resolves once it accepts requests.
 * @example const service = await startService(); await fetch(`${service.url}/admin/tenants`, …); await service.stop();
 */
export async function startService(options: { unlimitedRates?: boolean; bindings?: Record<string, string> } = {}): Promise<RunningService> {
  const outdir = join(BUILD_ROOT, `${process.pid}-${Date.now().toString(36)}`);
  await mkdir(outdir, { recursive: true });
  try {
    await buildWorker(outdir);
    Object.assign(process.env, OFFLINE_ENV);
    const [{ Miniflare }, wrangler] = await Promise.all([import("miniflare"), import("wrangler")]);
    const configPath = join(PROJECT_ROOT, "wrangler.toml");
    const config = wrangler.unstable_readConfig({ config: configPath });
    // KV namespaces, Durable Objects (SQLite per the migrations) and every other binding the config declares.
    const { workerOptions } = wrangler.unstable_getMiniflareWorkerOptions(configPath);
    const miniflare = new Miniflare({
      ...workerOptions,
      ...(options.unlimitedRates && { ratelimits: unreachableRateLimits(workerOptions.ratelimits) }),
      name: config.name,
      rootPath: PROJECT_ROOT,
      modulesRoot: outdir,
      modules: true,
      scriptPath: relative(PROJECT_ROOT, join(outdir, "index.js")),
      // Plain vars from wrangler.toml, then the fixed test secrets and a test's own; never the developer's .dev.vars.
      bindings: { ...stringVars(config.vars), ...TEST_BINDINGS, ...options.bindings },
      host: "127.0.0.1",
      port: await freePort(),
      cf: false,
    });
    const ready = await miniflare.ready;
    return {
      url: ready.origin,
      async stop() {
        await miniflare.dispose();
        await rm(outdir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(outdir, { recursive: true, force: true });
    throw error;
  }
}

/** A built bundle for `startPersistedService`; `remove()` deletes it. */
export interface ServiceBundle {
  readonly scriptPath: string;
  remove(): Promise<void>;
}

/** Builds the production bundle once, for services started and killed several times over it. */
export async function buildServiceBundle(): Promise<ServiceBundle> {
  await mkdir(BUILD_ROOT, { recursive: true });
  const outdir = await mkdtemp(join(BUILD_ROOT, `${process.pid}-`));
  await buildWorker(outdir);
  return { scriptPath: join(outdir, "index.js"), remove: () => rm(outdir, { recursive: true, force: true }) };
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
  const childOptions = {
    projectRoot: PROJECT_ROOT,
    scriptPath: bundle.scriptPath,
    persistDir,
    port: await freePort(),
    bindings: TEST_BINDINGS,
    unlimitedRates: options.unlimitedRates ?? false,
  };
  const child = spawn(process.execPath, [join(PROJECT_ROOT, "test", "interop", "persisted-service.mjs")], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, ...OFFLINE_ENV, WRANGLER_LOG: "error", PERSISTED_SERVICE_OPTIONS: JSON.stringify(childOptions) },
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

/** `wrangler deploy --dry-run --outdir`: the exact bundle `wrangler deploy` would upload. */
async function buildWorker(outdir: string): Promise<void> {
  const wrangler = join(PROJECT_ROOT, "node_modules", ".bin", "wrangler");
  const output: string[] = [];
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(wrangler, ["deploy", "--dry-run", "--outdir", outdir], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, ...OFFLINE_ENV },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout.on("data", (chunk: Buffer) => output.push(chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => output.push(chunk.toString()));
    child.on("error", reject);
    child.on("close", resolve);
  });
  if (code !== 0) throw new Error(`wrangler deploy --dry-run exited with ${code}:\n${output.join("").slice(-4000)}`);
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

function stringVars(vars: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.entries(vars).map(([name, value]) => [name, typeof value === "string" ? value : JSON.stringify(value)]));
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
