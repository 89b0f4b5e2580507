import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createServer } from "node:net";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";
import { Miniflare } from "miniflare";
import { unstable_getMiniflareWorkerOptions, unstable_readConfig } from "wrangler";

/**
 * The production Worker as the benchmark runs it: the `wrangler deploy --dry-run` bundle served by Miniflare
 * on a real 127.0.0.1 socket (the approach of test/interop/service.ts, in plain ESM so `node bench/run.mjs`
 * needs no TypeScript loader). Miniflare directly, not `wrangler dev`: its proxy and per-request logging cost
 * ~40–60 % of the throughput (measured).
 */

export const PROJECT_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
/** Inside the project and git-ignored: Miniflare refuses module paths that leave its root. */
export const OUT_ROOT = join(PROJECT_ROOT, "bench", ".out");
/** The Worker to measure; BENCH_WRANGLER_CONFIG points at another config (e.g. a patched copy of src/) to compare. */
export const CONFIG_PATH = process.env.BENCH_WRANGLER_CONFIG
  ? resolve(process.env.BENCH_WRANGLER_CONFIG)
  : join(PROJECT_ROOT, "wrangler.toml");
/** No network: Miniflare's fallback `cf` object, no wrangler metrics. */
export const OFFLINE_ENV = { CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false" };
// WRANGLER_LOG: quiet wrangler's config reader ("Using secrets defined in .dev.vars": those are replaced below anyway).
Object.assign(process.env, OFFLINE_ENV, { WRANGLER_LOG: "error" });

/** Fresh secrets for every run; the admin token is what the bench itself presents. */
export function benchSecrets() {
  return {
    ADMIN_TOKEN: randomBytes(24).toString("base64url"),
    KEY_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
  };
}

/** `wrangler deploy --dry-run --outdir`: the exact bundle `wrangler deploy` would upload, and what wrangler printed. */
export async function buildWorker(outdir, extraArgs = []) {
  const wrangler = join(PROJECT_ROOT, "node_modules", ".bin", "wrangler");
  const output = [];
  const code = await new Promise((resolve, reject) => {
    const child = spawn(wrangler, ["deploy", "--dry-run", "--config", CONFIG_PATH, "--outdir", outdir, ...extraArgs], {
      cwd: PROJECT_ROOT,
      // Default log level here: the "Total Upload" line is part of what the bench reports.
      env: { ...process.env, ...OFFLINE_ENV, WRANGLER_LOG: "log" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout.on("data", (chunk) => output.push(chunk.toString()));
    child.stderr.on("data", (chunk) => output.push(chunk.toString()));
    child.on("error", reject);
    child.on("close", resolve);
  });
  if (code !== 0) throw new Error(`wrangler deploy --dry-run exited with ${code}:\n${output.join("").slice(-4000)}`);
  return { scriptPath: join(outdir, "index.js"), output: output.join("") };
}

/**
 * Starts Miniflare on the bundle with wrangler.toml's bindings (KV, both SQLite Durable Objects) and the
 * bench's vars. `persistDir` keeps KV and DO state on disk so a second instance starts from it (cold start);
 * `miniflareOptions` adds to or overrides the rest (e.g. `inspectorPort` for bench/profile.mjs).
 */
export async function startService(scriptPath, secrets, { persistDir, miniflareOptions = {} } = {}) {
  const config = unstable_readConfig({ config: CONFIG_PATH });
  // The console's static assets are left out: Miniflare emulates the platform's asset routing with two extra Workers
  // in front of ours, which cost ~350 µs of isolate time per request locally (/healthz: ~435 µs with them, ~90 µs
  // without). On Cloudflare that routing is the platform's and not the Worker's CPU, so the bench measures the
  // Worker alone (bench/RESULTS.md).
  const { assets: _console, ...workerOptions } = unstable_getMiniflareWorkerOptions(config).workerOptions;
  const port = await freePort();
  const constructed = performance.now();
  const miniflare = new Miniflare({
    ...workerOptions,
    name: config.name,
    rootPath: PROJECT_ROOT,
    modulesRoot: dirname(scriptPath),
    modules: true,
    scriptPath: relative(PROJECT_ROOT, scriptPath),
    // Replaces the bindings wrangler read (which include a developer's .dev.vars) with the bench's own.
    bindings: {
      ...stringVars(config.vars),
      // A new default seed takes effect at once (no KV propagation to wait for on one machine).
      DEFAULT_SEED_SWITCH_DELAY_SECONDS: "0",
      KEY_ENCRYPTION_KEY_VERSION: "1",
      // One JSON line per request would flood the bench's output (~41,000 lines a run); its cost, ~1.5 µs a request
      // in V8 with the sink stubbed, is measured apart (src/http/request-log.ts) and left out of these rows.
      REQUEST_LOG: "off",
      ...secrets,
    },
    ratelimits: unreachableRateLimits(workerOptions.ratelimits),
    ...(persistDir && { kvPersist: join(persistDir, "kv"), durableObjectsPersist: join(persistDir, "do") }),
    host: "127.0.0.1",
    port,
    cf: false,
    ...miniflareOptions,
  });
  const ready = await miniflare.ready;
  /** From `new Miniflare()` until the socket accepts requests. */
  const startMs = performance.now() - constructed;
  return { miniflare, url: ready.origin, startMs, stop: () => miniflare.dispose() };
}

/**
 * wrangler.toml's rate-limit bindings with a limit no run reaches. The bench measures throughput, not the
 * limiter: one scenario sends more acquisitions in 5 s than a tenant may make in a minute, and every later
 * scenario would time 429s. Each request still calls the binding, as in production.
 */
function unreachableRateLimits(ratelimits = {}) {
  return Object.fromEntries(
    Object.entries(ratelimits).map(([name, options]) => [name, { ...options, simple: { ...options.simple, limit: 1_000_000_000 } }]),
  );
}

function stringVars(vars) {
  return Object.fromEntries(
    Object.entries(vars ?? {}).map(([name, value]) => [name, typeof value === "string" ? value : JSON.stringify(value)]),
  );
}

/** Asks the OS for a free loopback port (bind to 0, read it, release it). */
export function freePort() {
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
