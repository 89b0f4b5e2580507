import { cloudflareTest } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";
import { TEST_BINDINGS, TEST_RATE_LIMITS } from "./test/test-bindings.ts";

/**
 * Two projects: `workers` runs inside workerd with real KV and Durable Objects; `interop` runs in Node,
 * where real peer tools (xmllint, Shaka Packager, ffmpeg) can be spawned against the service.
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
        test: {
          name: "interop",
          include: ["test/interop/**/*.test.ts"],
          environment: "node",
          testTimeout: 300_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
