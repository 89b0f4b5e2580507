/// <reference types="node" />
import { spawn } from "node:child_process";
import { mkdir, rm } from "node:fs/promises";
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
