import { cloudflareTest } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";
import { TEST_BINDINGS, TEST_RATE_LIMITS } from "./test/test-bindings.ts";

/**
 * Two projects: `workers` runs inside workerd with real KV and Durable Objects; `interop` runs in Node,
 * where real peer tools (xmllint, Shaka Packager, ffmpeg) can be spawned against the service. A third, `fuzz`,
 * is the long fuzz run (`npm run fuzz`); `npm test` names the first two and so leaves it out.
 */
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
        test: { name: "workers", include: ["test/workers/**/*.test.ts"], testTimeout: 30_000 },
      },
      {
        // The long fuzz run against the production bundle on 127.0.0.1 (test/fuzz/long-run.fuzz.ts).
        test: {
          name: "fuzz",
          include: ["test/fuzz/**/*.fuzz.ts"],
          environment: "node",
          globalSetup: ["./test/interop/worker-bundle.ts"],
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
          testTimeout: 300_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
