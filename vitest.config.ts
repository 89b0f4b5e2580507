import { existsSync, readFileSync, readdirSync } from "node:fs";
import { availableParallelism } from "node:os";
import { dirname, join, resolve } from "node:path";
import { cloudflareTest } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";
import { TEST_BINDINGS, TEST_RATE_LIMITS } from "./test/test-bindings.ts";

/**
 * `npm test` runs three projects. `workers` and `workers-unit` run inside workerd (test/workers/): `workers` the files
 * that call the Worker with real KV and Durable Objects, `workers-unit` those that never reach its bindings (no
 * `cloudflare:test` in them or in the test helpers they import). `interop` runs in Node, where real peer tools
 * (xmllint, Shaka Packager, ffmpeg) are spawned against the service. A fourth, `fuzz`, is the long fuzz run
 * (`npm run fuzz`). Run one file with `npx vitest run test/workers/foo.test.ts`, whichever project holds it.
 *
 * `npm test` runs the interop files first, then the workers files (`sequence.groupOrder`), each project several
 * files at a time. Vitest's default (one less than the cores) runs one file at a time on a 2-core machine, which
 * leaves a core idle: an interop file waits on the tools it spawns, and a workers file spends most of its time
 * starting a workerd runtime and loading modules through vitest's one Node process, so the workers projects run one
 * file more than there are cores. The `workers-unit` files share their runtimes (isolate: false): starting a runtime
 * for each took three quarters of their time. A `workers` file keeps a runtime of its own: storage is per runtime,
 * and the Workers pool (0.15) slows down with every request and Durable Object a runtime has served.
 */
const CORES = availableParallelism();

const TEST_ROOT = resolve("test");

/** Whether `file` or a test helper it imports (transitively; src/ never does) imports `cloudflare:test` or `cloudflare:workers`. */
function reachesBindings(file: string, seen = new Set<string>()): boolean {
  if (seen.has(file)) return false;
  seen.add(file);
  const text = readFileSync(file, "utf8");
  if (/from "cloudflare:(test|workers)"/.test(text)) return true;
  return [...text.matchAll(/from "(\.{1,2}\/[^"]+)"/g)].some(([, specifier]) => {
    const target = resolve(dirname(file), specifier!);
    const path = [target, `${target}.ts`].find((candidate) => candidate.endsWith(".ts") && existsSync(candidate));
    return path !== undefined && path.startsWith(TEST_ROOT) && reachesBindings(path, seen);
  });
}

/** test/workers files that never reach the Worker's bindings, as include globs. */
const WORKERS_UNIT_FILES = readdirSync("test/workers")
  .filter((name) => name.endsWith(".test.ts"))
  .map((name) => join("test", "workers", name))
  .filter((file) => !reachesBindings(resolve(file)));

/** The Workers pool: the Worker and its bindings (wrangler.toml) with the test secrets and rate limits. */
function workersPool() {
  return cloudflareTest({
    main: "./src/index.ts",
    wrangler: { configPath: "./wrangler.toml" },
    miniflare: { bindings: { ...TEST_BINDINGS }, ratelimits: TEST_RATE_LIMITS },
  });
}

/** What both workers projects share: run after the interop files, one file more at a time than there are cores. */
const WORKERS_TEST = {
  testTimeout: 30_000,
  sequence: { groupOrder: 1 },
  maxWorkers: Math.max(3, CORES),
  setupFiles: ["./test/workers/support/single-prototype-proxy.ts", "./test/workers/support/documented-routes.ts"],
};

/**
 * The tests read the route declarations' documentation (`__OPENAPI__ && (() => ({…}))`, src/http/route-doc.ts), which
 * wrangler.toml's `[define]` leaves out of the Worker bundle. The workers projects also set it in a setup file.
 */
const DOCUMENTED = { __OPENAPI__: "true" };

export default defineConfig({
  test: {
    testTimeout: 30_000,
    projects: [
      {
        define: DOCUMENTED,
        plugins: [workersPool()],
        test: { name: "workers", include: ["test/workers/**/*.test.ts"], exclude: WORKERS_UNIT_FILES, ...WORKERS_TEST },
      },
      {
        define: DOCUMENTED,
        plugins: [workersPool()],
        test: { name: "workers-unit", include: WORKERS_UNIT_FILES, isolate: false, ...WORKERS_TEST },
      },
      {
        define: DOCUMENTED,
        // The long fuzz run against the production bundle on 127.0.0.1 (test/fuzz/long-run.fuzz.ts).
        test: {
          name: "fuzz",
          include: ["test/fuzz/**/*.fuzz.ts"],
          environment: "node",
          globalSetup: ["./test/interop/worker-bundle.ts"],
          // One file at a time: each prints its own inputs per second.
          fileParallelism: false,
          // FUZZ_SECONDS bounds the run; the margin covers the build, the service start and the final checks.
          testTimeout: (Number(process.env.FUZZ_SECONDS) || 600) * 1000 + 300_000,
          hookTimeout: 120_000,
        },
      },
      {
        define: DOCUMENTED,
        test: {
          name: "interop",
          include: ["test/interop/**/*.test.ts"],
          environment: "node",
          // The production bundle, built once for the run and shared by every service a file starts (service.ts).
          globalSetup: ["./test/interop/worker-bundle.ts"],
          // Files share their Node process and its loaded modules (Miniflare, xmllint-wasm, the src/ modules they
          // read) instead of a fresh process each: a fifth less CPU for the project. They keep no state between them
          // but the bundle, and each stops what it starts (services, Chromium) in its afterAll.
          isolate: false,
          sequence: { groupOrder: 0 },
          maxWorkers: Math.max(2, CORES - 1),
          testTimeout: 300_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
