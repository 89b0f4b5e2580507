/** Fixed secrets and settings for the test suites: never used outside them. */
export const TEST_BINDINGS = {
  ADMIN_TOKEN: "test-admin-token-0123456789abcdef",
  /** Base64 of the bytes 0x00..0x1f. */
  KEY_ENCRYPTION_KEY: "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
  DEFAULT_SEED_SWITCH_DELAY_SECONDS: "0",
  /** No request log line (src/http/request-log.ts): a suite's thousands of requests would flood its output. */
  REQUEST_LOG: "off",
} as const;

/**
 * Rate limits for the workers test project, small enough for a test to reach in seconds (production's, in
 * wrangler.toml, are far higher). Tests that need many calls on one tenant must stay under these.
 */
export const TEST_RATE_LIMITS = {
  ACQUISITION_RATE_LIMITER: { simple: { limit: 120, period: 60 } },
  MANAGEMENT_RATE_LIMITER: { simple: { limit: 100, period: 60 } },
  AUTH_FAILURE_RATE_LIMITER: { simple: { limit: 30, period: 60 } },
} as const;
