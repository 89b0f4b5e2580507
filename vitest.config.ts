import { availableParallelism } from "node:os";
import { cloudflareTest } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";
import { TEST_BINDINGS, TEST_RATE_LIMITS } from "./test/test-bindings.ts";

/**
 * Two projects: `workers` runs inside workerd with real KV and Durable Objects; `interop` runs in Node,
 * where real peer tools (xmllint, Shaka Packager, ffmpeg) can be spawned against the service. A third, `fuzz`,
 * is the long fuzz run (`npm run fuzz`); `npm test` names the first two and so leaves it out.
 *
 * `npm test` runs the interop files first, then the workers files (`sequence.groupOrder`), each project several
 * files at a time. Vitest's default (one less than the cores) runs one file at a time on a 2-core machine, which
 * leaves a core idle: an interop file waits on the tools it spawns, and a workers file spends most of its time
 * starting a workerd runtime and loading modules through vitest's one Node process, so the workers project runs one
 * file more than there are cores.
 */
const CORES = availableParallelism();

export default defineConfig({
  test: {
    testTimeout: 30_000,
    projects: [
      {
        plugins: [
          cloudflareTest({
            main: "./src/index.ts",
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: { bindings: { ...TEST_BINDINGS }, ratelimits: TEST_RATE_LIMITS },
          }),
        ],
        test: {
          name: "workers",
          include: ["test/workers/**/*.test.ts"],
          testTimeout: 30_000,
          sequence: { groupOrder: 1 },
          maxWorkers: Math.max(3, CORES),
        },
      },
      {
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
