import { availableParallelism } from "node:os";
import { cloudflareTest } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";
import { TEST_BINDINGS, TEST_RATE_LIMITS } from "./test/test-bindings.ts";

/**
 * `npm test` runs three projects. `workers` and `workers-own-runtime` run inside workerd (test/workers/), calling the
 * Worker with real KV and Durable Objects or its modules directly; `interop` runs in Node, where real peer tools
 * (xmllint, Shaka Packager, ffmpeg) are spawned against the service. A fourth, `fuzz`, is the long fuzz run
 * (`npm run fuzz`). Run one file with `npx vitest run test/workers/foo.test.ts`, whichever project holds it.
 *
 * `npm test` runs the interop files first, then the workers files (`sequence.groupOrder`), each project several
 * files at a time. Vitest's default (one less than the cores) runs one file at a time on a 2-core machine, which
 * leaves a core idle: an interop file waits on the tools it spawns, and a workers file spends most of its time
 * loading modules through vitest's one Node process, so the workers projects run one file more than there are cores.
 *
 * The `workers` files share their runtimes (isolate: false): a runtime of its own for each file cost a workerd start
 * and a load of the Worker's ~270 modules per file, about two thirds of the project's time. Sharing needs every file
 * to make its own tenants (unique ids), to assume nothing about storage being empty, and to restore what it patches;
 * and it needs test/workers/support/single-prototype-proxy.ts, without which a runtime slows down with every request
 * it serves (a defect of the Workers pool 0.15). The files in OWN_RUNTIME_FILES read or change what belongs to the
 * whole deployment, so each keeps a runtime (and storage) of its own.
 */
const CORES = availableParallelism();

/** test/workers files that need a runtime of their own, each with the deployment-wide state it reads or changes. */
const OWN_RUNTIME_FILES = [
  // A rotation re-wraps every tenant the deployment has and names the first one it stops at; the indexing file also
  // fills KV with a thousand keys under tenant/ that every later rotation would list.
  "test/workers/kek-rotation.test.ts",
  "test/workers/kek-rotation-guards.test.ts",
  "test/workers/kek-rotation-indexing.test.ts",
  // Its KEK rotation (the restore key is sealed again first) must reach `done` over every tenant of the runtime.
  "test/workers/restore-certificate.test.ts",
  // Failed authentications are counted per client address for the whole runtime (other files spend some from
  // random 198.51.100.x addresses), and its tests run inside one rate-limit window.
  "test/workers/rate-limits.test.ts",
  // GET /admin/usage answers every tenant of the deployment, which a test compares with the first page (100) of
  // GET /admin/tenants.
  "test/workers/usage.test.ts",
  // A restore under another KEK puts that key in force for every tenant object of the runtime (support/deployment.ts).
  "test/workers/tenant-backup.test.ts",
];

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
  setupFiles: ["./test/workers/support/single-prototype-proxy.ts", "./test/documented-routes.ts"],
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
        test: { name: "workers", include: ["test/workers/**/*.test.ts"], exclude: OWN_RUNTIME_FILES, isolate: false, ...WORKERS_TEST },
      },
      {
        define: DOCUMENTED,
        plugins: [workersPool()],
        test: { name: "workers-own-runtime", include: OWN_RUNTIME_FILES, ...WORKERS_TEST },
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
          setupFiles: ["./test/documented-routes.ts"],
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
