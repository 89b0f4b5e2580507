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

  it("still answers /healthz, so a health check tells a running Worker from a stopped one", async () => {
    const response = await fetchWith({ ADMIN_TOKEN: undefined, KEY_ENCRYPTION_KEY: undefined }, "/healthz");
    expect(response.status).toBe(200);
  });

  it("needs no ADMIN_TOKEN for tenant routes: a tenant still gets its usual 401", async () => {
    const response = await fetchWith({ ADMIN_TOKEN: undefined }, "/api/KeySeeds", { headers: TENANT });
    expect(response.status).toBe(401);
  });
});
