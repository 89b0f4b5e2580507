import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import worker from "../../src/index";
import { TEST_BINDINGS } from "../test-bindings";
import { BASE } from "./support/api";

/** The Worker as `wrangler dev` runs it with a .dev.vars that lacks or garbles its secrets. */
async function fetchWith(bindings: Partial<Env>, path: string, init: RequestInit = {}): Promise<Response> {
  const context = createExecutionContext();
  const configured = { ...env, ...bindings } as Env;
  const response = await worker.fetch(new Request(`${BASE}${path}`, init), configured, context);
  await waitOnExecutionContext(context);
  return response;
}

const ADMIN = { Authorization: `Bearer ${TEST_BINDINGS.ADMIN_TOKEN}` };
/** Two well-formed keys: the test bindings' one and the bytes 0x20..0x3f. */
const KEY_A = TEST_BINDINGS.KEY_ENCRYPTION_KEY;
const KEY_B = "ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8=";
const TENANT = { Authorization: `Basic ${btoa("00000000-0000-4000-8000-000000000000:x")}` };

describe("a Worker started without its secrets", () => {
  it.each([
    ["/admin/tenants", "POST", ADMIN, { ADMIN_TOKEN: undefined }, "ADMIN_TOKEN is not set"],
    ["/admin/tenants", "POST", ADMIN, { KEY_ENCRYPTION_KEY: undefined }, "KEY_ENCRYPTION_KEY is not set"],
    ["/api/KeySeeds", "GET", TENANT, { KEY_ENCRYPTION_KEY: undefined }, "KEY_ENCRYPTION_KEY is not set"],
    ["/api/KeySeeds", "GET", TENANT, { KEY_ENCRYPTION_KEY: "" }, "KEY_ENCRYPTION_KEY is not set"],
    ["/api/SpekeV2", "POST", TENANT, { KEY_ENCRYPTION_KEY: undefined }, "KEY_ENCRYPTION_KEY is not set"],
    ["/cenc/getcontentkey/acme", "POST", {}, { KEY_ENCRYPTION_KEY: undefined }, "KEY_ENCRYPTION_KEY is not set"],
  ] as const)("answers %s %s with 503 naming the missing secret and how to set it", async (path, method, headers, bindings, named) => {
    const response = await fetchWith(bindings, path, { method, headers });
    expect(response.status).toBe(503);
    const { error } = await response.json<{ error: string }>();
    expect(error).toContain(named);
    expect(error).toContain("npm start");
    expect(error).toContain("wrangler secret put");
    // A deployed Worker is wrangler.toml's [env.staging] or [env.production]: the command names which.
    expect(error).toContain(`wrangler secret put ${named.split(" ")[0]} --env <staging|production>`);
    expect(response.headers.get("X-AxDRM-ErrorMessage")).toBe(error);
  });

  it.each([
    ["not base64", "not*base64"],
    ["16 bytes", btoa("0123456789abcdef")],
  ])("names a KEY_ENCRYPTION_KEY that is %s with 503", async (_case, value) => {
    const response = await fetchWith({ KEY_ENCRYPTION_KEY: value }, "/api/KeySeeds", { headers: TENANT });
    expect(response.status).toBe(503);
    expect((await response.json<{ error: string }>()).error).toBe(
      "Service not configured: KEY_ENCRYPTION_KEY must be base64 of exactly 32 bytes (e.g. `openssl rand -base64 32`)",
    );
  });

  it.each([
    [
      "a list entry whose version is not a number",
      `two:${KEY_A}`,
      "KEY_ENCRYPTION_KEY entry 1 of 1 must be <version>:<base64 of 32 bytes>",
    ],
    [
      "a list entry of 16 bytes",
      `2:${btoa("0123456789abcdef")},1:${KEY_A}`,
      "KEY_ENCRYPTION_KEY entry 1 (version 2) must be base64 of exactly 32 bytes",
    ],
    ["a list naming one version twice", `2:${KEY_A},2:${KEY_B}`, "KEY_ENCRYPTION_KEY lists version 2 twice: give each key its own version"],
    ["a list with a trailing comma", `2:${KEY_A},`, "KEY_ENCRYPTION_KEY entry 2 of 2 must be <version>:<base64 of 32 bytes>"],
    ["a list with version 0", `0:${KEY_A}`, "KEY_ENCRYPTION_KEY entry 1 of 1 must be <version>:<base64 of 32 bytes>"],
  ])("names %s in KEY_ENCRYPTION_KEY with 503, without the key", async (_case, value, named) => {
    const response = await fetchWith({ KEY_ENCRYPTION_KEY: value }, "/api/KeySeeds", { headers: TENANT });
    expect(response.status).toBe(503);
    const { error } = await response.json<{ error: string }>();
    expect(error).toContain(named);
    expect(error).not.toContain(KEY_A);
    expect(error).not.toContain(KEY_B);
  });

  it("names a KEY_ENCRYPTION_KEY_VERSION that is not a positive integer with 503", async () => {
    const response = await fetchWith({ KEY_ENCRYPTION_KEY_VERSION: "0" }, "/api/KeySeeds", { headers: TENANT });
    expect(response.status).toBe(503);
    expect((await response.json<{ error: string }>()).error).toBe(
      "Service not configured: KEY_ENCRYPTION_KEY_VERSION must be a positive integer (wrangler.toml [vars])",
    );
  });

  it("accepts a list of versioned keys, the current one first, and then does not read KEY_ENCRYPTION_KEY_VERSION", async () => {
    const response = await fetchWith(
      { KEY_ENCRYPTION_KEY: ` 2:${KEY_B} , 1:${KEY_A} `, KEY_ENCRYPTION_KEY_VERSION: "0" },
      "/api/KeySeeds",
      {
        headers: TENANT,
      },
    );
    expect(response.status).toBe(401);
  });

  it("still answers /healthz, so a health check tells a running Worker from a stopped one", async () => {
    const response = await fetchWith({ ADMIN_TOKEN: undefined, KEY_ENCRYPTION_KEY: undefined }, "/healthz");
    expect(response.status).toBe(200);
  });

  it("needs no ADMIN_TOKEN for tenant routes: a tenant still gets its usual 401", async () => {
    const response = await fetchWith({ ADMIN_TOKEN: undefined }, "/api/KeySeeds", { headers: TENANT });
    expect(response.status).toBe(401);
  });
});
