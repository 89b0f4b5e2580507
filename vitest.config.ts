import { cloudflareTest } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";

/** Fixed test secrets: never used outside the suite. */
export const TEST_ADMIN_TOKEN = "test-admin-token-0123456789abcdef";
export const TEST_KEY_ENCRYPTION_KEY = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

export default defineConfig({
  plugins: [
    cloudflareTest({
      main: "./src/index.ts",
      wrangler: { configPath: "./wrangler.toml" },
      miniflare: {
        bindings: {
          ADMIN_TOKEN: TEST_ADMIN_TOKEN,
          KEY_ENCRYPTION_KEY: TEST_KEY_ENCRYPTION_KEY,
          DEFAULT_SEED_SWITCH_DELAY_SECONDS: "0",
        },
      },
    }),
  ],
  test: {
    include: ["test/**/*.test.ts"],
    exclude: ["test/e2e/**"],
    testTimeout: 30_000,
  },
});
