import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { TEST_BINDINGS } from "../test-bindings";
import { BASE, api, createTenant, type KeySeedJson, type TestTenant } from "./support/api";

const EVIL = "https://evil.example";
const CONSOLE = "https://console.example.com";

/** A form-style cross-site POST, as the security review sent it: text/plain, Origin of another site. */
const CROSS_SITE_FORM = { "Content-Type": "text/plain", Origin: EVIL, "Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "no-cors" };

async function signers(tenant: TestTenant): Promise<unknown[]> {
  return (await api(tenant, "GET", "/api/WidevineProtectionInfoCredentials")).json();
}

describe("cross-site request forgery", () => {
  it("refuses the review's cross-site form POST registering a Widevine signer with 403, and registers nothing", async () => {
    const tenant = await createTenant();
    const response = await api(
      tenant,
      "POST",
      "/api/WidevineProtectionInfoCredentials",
      JSON.stringify({ ProviderName: `evil-${crypto.randomUUID()}` }),
      CROSS_SITE_FORM,
    );
    expect(response.status).toBe(403);
    expect((await response.json<{ error: string }>()).error).toBe(
      `Cross-origin request from ${EVIL} refused: add the origin to AllowedOrigins in /api/Settings to allow it`,
    );
    expect(response.headers.get("Access-Control-Allow-Origin")).toBeNull();
    expect(await signers(tenant)).toEqual([]);
  });

  it("refuses the review's cross-site PUT switching the default seed, and the default stays", async () => {
    const tenant = await createTenant();
    const created = await (await api(tenant, "POST", "/api/KeySeeds", { Name: "other" })).json<KeySeedJson>();
    const response = await api(tenant, "PUT", `/api/KeySeeds/${created.Id}`, JSON.stringify({ IsDefault: true }), CROSS_SITE_FORM);
    expect(response.status).toBe(403);
    const seeds = await (await api(tenant, "GET", "/api/KeySeeds")).json<KeySeedJson[]>();
    expect(seeds.find((seed) => seed.IsDefault)?.Id).toBe(tenant.keySeedId);
  });

  it("refuses a cross-site request that sends Fetch Metadata but no Origin", async () => {
    const tenant = await createTenant();
    const response = await api(tenant, "GET", "/api/KeySeeds", undefined, { "Sec-Fetch-Site": "cross-site" });
    expect(response.status).toBe(403);
  });

  it("refuses cross-site acquisitions too", async () => {
    const tenant = await createTenant();
    const response = await api(tenant, "GET", "/api/Cpix/movie?drm=widevine", undefined, { Origin: EVIL });
    expect(response.status).toBe(403);
  });

  it("refuses cross-origin Operator API calls, which have no allow-list", async () => {
    const response = await SELF.fetch(`${BASE}/admin/tenants`, {
      method: "POST",
      headers: { Authorization: `Bearer ${TEST_BINDINGS.ADMIN_TOKEN}`, "Content-Type": "application/json", Origin: EVIL },
      body: "{}",
    });
    expect(response.status).toBe(403);
  });

  it("lets same-origin browser requests and non-browser clients through", async () => {
    const tenant = await createTenant();
    expect((await api(tenant, "GET", "/api/KeySeeds", undefined, { Origin: BASE, "Sec-Fetch-Site": "same-origin" })).status).toBe(200);
    expect((await api(tenant, "GET", "/api/KeySeeds")).status).toBe(200);
  });
});

describe("management writes take JSON only", () => {
  it.each([
    ["text/plain", "text/plain"],
    ["a form", "application/x-www-form-urlencoded"],
    ["multipart", "multipart/form-data; boundary=x"],
    ["no content type", undefined],
  ])("answers %s with 415 and changes nothing", async (_case, contentType) => {
    const tenant = await createTenant();
    const response = await SELF.fetch(`${BASE}/api/KeySeeds`, {
      method: "POST",
      headers: { Authorization: tenant.authorization, ...(contentType && { "Content-Type": contentType }) },
      body: JSON.stringify({ Name: "x" }),
    });
    expect(response.status).toBe(415);
    expect((await response.json<{ error: string }>()).error).toBe("Content-Type must be application/json");
    expect(await (await api(tenant, "GET", "/api/KeySeeds")).json()).toHaveLength(1);
  });

  it("accepts application/json with a charset", async () => {
    const tenant = await createTenant();
    const response = await api(tenant, "POST", "/api/KeySeeds", JSON.stringify({ Name: "x" }), {
      "Content-Type": "application/json; charset=utf-8",
    });
    expect(response.status).toBe(201);
  });
});

describe("the allow-list of origins (AllowedOrigins)", () => {
  async function tenantAllowing(...origins: string[]): Promise<TestTenant> {
    const tenant = await createTenant();
    expect((await api(tenant, "PUT", "/api/Settings", { AllowedOrigins: origins })).status).toBe(200);
    return tenant;
  }

  it("lets an allowed origin call the API and names only that origin in the CORS answer", async () => {
    const tenant = await tenantAllowing(CONSOLE);
    const allowed = await api(tenant, "GET", "/api/KeySeeds", undefined, { Origin: CONSOLE, "Sec-Fetch-Site": "cross-site" });
    expect(allowed.status).toBe(200);
    expect(allowed.headers.get("Access-Control-Allow-Origin")).toBe(CONSOLE);
    const other = await api(tenant, "GET", "/api/KeySeeds", undefined, { Origin: EVIL, "Sec-Fetch-Site": "cross-site" });
    expect(other.status).toBe(403);
    expect(other.headers.get("Access-Control-Allow-Origin")).toBeNull();
  });

  it("answers a preflight naming the origin only when a tenant allows it", async () => {
    const origin = `https://${crypto.randomUUID()}.example`;
    const preflight = (from: string) =>
      SELF.fetch(`${BASE}/api/KeySeeds`, {
        method: "OPTIONS",
        headers: { Origin: from, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization, content-type" },
      });
    const before = await preflight(origin);
    expect(before.status).toBe(204);
    expect(before.headers.get("Access-Control-Allow-Origin")).toBeNull();
    const tenant = await tenantAllowing(origin);
    const after = await preflight(origin);
    expect(after.headers.get("Access-Control-Allow-Origin")).toBe(origin);
    expect(after.headers.get("Access-Control-Allow-Headers")).toContain("Authorization");
    expect((await preflight(EVIL)).headers.get("Access-Control-Allow-Origin")).toBeNull();
    // Taken off the list, the origin is no longer named.
    expect((await api(tenant, "PUT", "/api/Settings", { AllowedOrigins: [] })).status).toBe(200);
    expect((await preflight(origin)).headers.get("Access-Control-Allow-Origin")).toBeNull();
  });

  it.each([["https://console.example.com/"], ["console.example.com"], ["ftp://x.example"], ["https://x.example/path"], [42]])(
    "refuses %s as an origin with 400 naming the entry",
    async (origin) => {
      const tenant = await createTenant();
      const response = await api(tenant, "PUT", "/api/Settings", { AllowedOrigins: [origin] });
      expect(response.status).toBe(400);
      expect((await response.json<{ error: string }>()).error).toMatch(/^AllowedOrigins\[0\] must be an origin/);
    },
  );
});

describe("the Basic challenge", () => {
  it("is never sent to a browser, so it never prompts for or caches tenant credentials", async () => {
    const response = await SELF.fetch(`${BASE}/api/KeySeeds`, { headers: { "Sec-Fetch-Mode": "cors", "Sec-Fetch-Site": "same-origin" } });
    expect(response.status).toBe(401);
    expect(response.headers.get("WWW-Authenticate")).toBeNull();
  });

  it("is sent to other clients, which may send credentials only when challenged", async () => {
    const response = await SELF.fetch(`${BASE}/api/SpekeV2`, { method: "POST" });
    expect(response.status).toBe(401);
    expect(response.headers.get("WWW-Authenticate")).toMatch(/^Basic realm=/);
  });
});
