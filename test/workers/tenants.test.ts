import { SELF, env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { TEST_BINDINGS } from "../test-bindings";
import { BASE, api, basic, createTenant, type KeySeedJson } from "./support/api";

describe("Operator API", () => {
  it("creates a tenant with a management key and one generated default seed", async () => {
    const tenant = await createTenant("Acme");
    expect(tenant.tenantId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(tenant.managementKey).toMatch(/^[A-Za-z0-9_-]{43}$/); // 256 bits, base64url
    const seeds = await (await api(tenant, "GET", "/api/KeySeeds")).json<KeySeedJson[]>();
    expect(seeds).toHaveLength(1);
    expect(seeds[0]).toMatchObject({ Id: tenant.keySeedId, Generated: true, IsDefault: true });
  });

  it("accepts an empty body and returns metadata without secrets", async () => {
    const created = await SELF.fetch(`${BASE}/admin/tenants`, {
      method: "POST",
      headers: { Authorization: `Bearer ${TEST_BINDINGS.ADMIN_TOKEN}` },
    });
    expect(created.status).toBe(201);
    const { tenantId, managementKey } = await created.json<{ tenantId: string; managementKey: string }>();
    const metadata = await SELF.fetch(`${BASE}/admin/tenants/${tenantId}`, {
      headers: { Authorization: `Bearer ${TEST_BINDINGS.ADMIN_TOKEN}` },
    });
    expect(metadata.status).toBe(200);
    const text = await metadata.text();
    expect(JSON.parse(text)).toMatchObject({ tenantId, keySeedCount: 1 });
    expect(text).not.toContain(managementKey);
  });

  it.each([
    ["no Authorization header", undefined],
    ["a wrong token", "Bearer wrong-token"],
    ["Basic instead of Bearer", `Basic ${btoa("admin:" + TEST_BINDINGS.ADMIN_TOKEN)}`],
  ])("refuses %s with 401", async (_case, authorization) => {
    const response = await SELF.fetch(`${BASE}/admin/tenants`, {
      method: "POST",
      ...(authorization && { headers: { Authorization: authorization } }),
    });
    expect(response.status).toBe(401);
    expect(response.headers.get("X-AxDRM-ErrorMessage")).toMatch(/Bearer/);
  });

  it("answers 404 for an unknown tenant and 400 for a malformed id", async () => {
    const headers = { Authorization: `Bearer ${TEST_BINDINGS.ADMIN_TOKEN}` };
    expect((await SELF.fetch(`${BASE}/admin/tenants/${crypto.randomUUID()}`, { headers })).status).toBe(404);
    expect((await SELF.fetch(`${BASE}/admin/tenants/not-a-uuid`, { headers })).status).toBe(400);
  });

  it("refuses a malformed tenant body with 400 and creates nothing", async () => {
    const before = await env.SNAPSHOTS.list();
    const response = await SELF.fetch(`${BASE}/admin/tenants`, {
      method: "POST",
      headers: { Authorization: `Bearer ${TEST_BINDINGS.ADMIN_TOKEN}` },
      body: "{not json",
    });
    expect(response.status).toBe(400);
    expect((await env.SNAPSHOTS.list()).keys.length).toBe(before.keys.length);
  });
});

describe("tenant authentication", () => {
  it("lets the management key in, lower- or upper-case tenant id", async () => {
    const tenant = await createTenant();
    expect((await api(tenant, "GET", "/api/KeySeeds")).status).toBe(200);
    const upper = { ...tenant, authorization: basic(tenant.tenantId.toUpperCase(), tenant.managementKey) };
    expect((await api(upper, "GET", "/api/keyseeds")).status).toBe(200);
  });

  it.each([
    ["no Authorization header", () => undefined],
    ["a wrong key for a real tenant", (t: { tenantId: string }) => basic(t.tenantId, "wrong")],
    ["an unknown tenant", () => basic(crypto.randomUUID(), "whatever")],
    ["another tenant's key", (_t: { tenantId: string }, other: { managementKey: string }) => basic(_t.tenantId, other.managementKey)],
    ["Bearer instead of Basic", (t: { managementKey: string }) => `Bearer ${t.managementKey}`],
    ["Basic without a colon", () => `Basic ${btoa("no-colon")}`],
    ["Basic that is not base64", () => "Basic ***"],
    ["a tenant id that is not a UUID", (t: { managementKey: string }) => basic("tenant", t.managementKey)],
  ])("answers %s with the same 401", async (_case, makeHeader) => {
    const tenant = await createTenant();
    const other = await createTenant();
    const authorization = makeHeader(tenant as never, other as never);
    const response = await SELF.fetch(`${BASE}/api/KeySeeds`, { ...(authorization && { headers: { Authorization: authorization } }) });
    expect(response.status).toBe(401);
    expect(response.headers.get("WWW-Authenticate")).toMatch(/^Basic/);
    expect(await response.json()).toEqual({ error: expect.stringContaining("Authentication failed") });
    expect(response.headers.get("X-AxDRM-ErrorMessage")).toMatch(/^Authentication failed/);
    expect(response.headers.get("Access-Control-Expose-Headers")).toBe("X-AxDRM-ErrorMessage");
  });
});
