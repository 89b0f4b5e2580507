// Child process of test/interop/service.ts `startPersistedService`: serves a built bundle with Miniflare over KV and
// Durable Object state persisted on disk, prints `{"url": …}` on one line once it accepts requests, and runs until it
// is killed. It is its own process group (with the workerd it spawns), so a test can SIGKILL both at once as a
// crash would. Plain ESM: it runs under `node`, with no TypeScript loader.
import { join, relative } from "node:path";
import { Miniflare } from "miniflare";

/**
 * { projectRoot, scriptPath, persistDir, port, bindings, unlimitedRates } and wrangler.toml as the run's bundle read it
 * once (test/interop/worker-bundle.ts): { name, vars, workerOptions }, so this process need not load wrangler.
 */
const options = JSON.parse(process.env.PERSISTED_SERVICE_OPTIONS ?? "{}");
// As test/interop/service.ts, without the console's static assets (not what a crash test exercises).
const { assets: _console, ...workerOptions } = options.workerOptions;
const ratelimits = options.unlimitedRates
  ? Object.fromEntries(
      Object.entries(workerOptions.ratelimits ?? {}).map(([name, limits]) => [
        name,
        { ...limits, simple: { ...limits.simple, limit: 1_000_000_000 } },
      ]),
    )
  : workerOptions.ratelimits;
const miniflare = new Miniflare({
  ...workerOptions,
  ratelimits,
  name: options.name,
  rootPath: options.projectRoot,
  modulesRoot: join(options.scriptPath, ".."),
  modules: true,
  scriptPath: relative(options.projectRoot, options.scriptPath),
  bindings: { ...options.vars, ...options.bindings },
  kvPersist: join(options.persistDir, "kv"),
  durableObjectsPersist: join(options.persistDir, "do"),
  host: "127.0.0.1",
  port: options.port,
  cf: false,
});
const ready = await miniflare.ready;
process.stdout.write(`${JSON.stringify({ url: ready.origin })}\n`);
