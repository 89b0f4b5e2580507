/** Fixed secrets and settings for the test suites: never used outside them. */
export const TEST_BINDINGS = {
  ADMIN_TOKEN: "test-admin-token-0123456789abcdef",
  /** Base64 of the bytes 0x00..0x1f. */
  KEY_ENCRYPTION_KEY: "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
  DEFAULT_SEED_SWITCH_DELAY_SECONDS: "0",
} as const;
