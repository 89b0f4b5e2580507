import { SELF, env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { TEST_BINDINGS } from "../test-bindings";
import { signedWidevineRequest } from "./support/widevine-requests";
import { BASE, api, createTenant, type TestTenant } from "./support/api";
import { VALID_SPEKE_V2 } from "./support/cpix-requests";
import { auditEntries } from "./support/logs";
import { postCpix, tenantWithTestSeed } from "./support/tenant-with-seed";

const OPERATOR = { Authorization: `Bearer ${TEST_BINDINGS.ADMIN_TOKEN}` };
const KID = "339c45b5-fb6d-4bd9-994c-eabd9d41c95b";
const SEVEN_DAYS_MS = 7 * 24 * 60 * 60 * 1000;

interface TenantPage {
  items: { tenantId: string; name: string; created: string; suspended: boolean }[];
  cursor?: string;
}

function operator(method: string, path: string, body?: unknown): Promise<Response> {
  return SELF.fetch(`${BASE}${path}`, {
    method,
    headers: { ...OPERATOR, ...(body !== undefined && { "Content-Type": "application/json" }) },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
}

async function setSuspended(tenant: TestTenant, suspended: boolean): Promise<void> {
  const response = await operator("PUT", `/admin/tenants/${tenant.tenantId}`, { suspended });
  expect(response.status).toBe(200);
  expect(await response.json()).toMatchObject({ tenantId: tenant.tenantId, suspended });
}

/** Every page of the listing, following the cursor. */
async function everyListedTenant(limit: number): Promise<TenantPage["items"]> {
  const items: TenantPage["items"] = [];
  let cursor: string | undefined;
  do {
    const response = await operator("GET", `/admin/tenants?limit=${limit}${cursor ? `&cursor=${cursor}` : ""}`);
    expect(response.status).toBe(200);
    const page = await response.json<TenantPage>();
    expect(page.items.length).toBeLessThanOrEqual(limit);
    items.push(...page.items);
    cursor = page.cursor;
  } while (cursor !== undefined);
  return items;
}

async function signedCpixUrl(tenant: TestTenant): Promise<string> {
  const expiresAt = new Date(Date.now() + 3600_000).toISOString();
  const response = await api(tenant, "POST", "/api/CpixUrls", { ContentId: "movie", Query: `kid=${KID}`, ExpiresAt: expiresAt });
  expect(response.status).toBe(201);
  return (await response.json<{ Url: string }>()).Url;
}

describe("GET /admin/tenants", () => {
  it("lists every tenant once across pages, in id order, with name, creation and suspension", async () => {
    const created = await Promise.all(["one", "two", "three"].map((name) => createTenant(name)));
    const listed = await everyListedTenant(2);
    const ids = listed.map((item) => item.tenantId);
    expect(ids).toEqual([...ids].sort());
    expect(new Set(ids).size).toBe(ids.length);
    for (const [index, tenant] of created.entries()) {
      const item = listed.find((entry) => entry.tenantId === tenant.tenantId);
      expect(item).toMatchObject({ name: ["one", "two", "three"][index], suspended: false });
      expect(Date.parse(item!.created)).not.toBeNaN();
    }
    expect(JSON.stringify(listed)).not.toContain(created[0]!.managementKey);
  });

  it("answers a page without cursor when nothing follows", async () => {
    await createTenant();
    const response = await operator("GET", "/admin/tenants?limit=100&cursor=ffffffff-ffff-ffff-ffff-fffffffffffe");
    expect(await response.json()).toEqual({ items: [] });
  });

  it.each([
    ["limit=0", "limit must be an integer from 1 to 100"],
    ["limit=101", "limit must be an integer from 1 to 100"],
    ["limit=ten", "limit must be an integer from 1 to 100"],
    ["limit=1&limit=2", "limit may be given once"],
    ["cursor=not-a-tenant", "cursor must be the cursor of a previous page (a tenant id)"],
  ])("refuses %s with 400 naming the rule", async (query, message) => {
    const response = await operator("GET", `/admin/tenants?${query}`);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: message });
  });

  it("refuses a tenant's own credential with 401", async () => {
    const tenant = await createTenant();
    const response = await SELF.fetch(`${BASE}/admin/tenants`, { headers: { Authorization: tenant.authorization } });
    expect(response.status).toBe(401);
  });
});

describe("suspending and resuming a tenant", () => {
  it("refuses every tenant route with 403 Tenant suspended, each acquisition in its protocol's shape", async () => {
    const tenant = await tenantWithTestSeed();
    const widevine = await signedWidevineRequest(tenant, KID);
    const url = await signedCpixUrl(tenant);
    expect((await widevine()).status).toBe("OK");
    await setSuspended(tenant, true);

    const management = await api(tenant, "GET", "/api/KeySeeds");
    expect(management.status).toBe(403);
    expect(await management.json()).toMatchObject({ error: "Tenant suspended" });

    const speke = await postCpix(tenant, "/api/SpekeV2", VALID_SPEKE_V2, { "X-Speke-Version": "2.0" });
    expect(speke.status).toBe(403);
    expect(speke.headers.get("Content-Type")).toMatch(/^text\/plain/);
    expect(await speke.text()).toBe("Tenant suspended");
    expect(speke.headers.get("X-AxDRM-ErrorMessage")).toBe("Tenant suspended");

    expect(await widevine()).toEqual({ status: "ACCESS_DENIED", status_message: "Tenant suspended" });

    const signed = await SELF.fetch(url);
    expect(signed.status).toBe(403);
    expect(await signed.text()).toBe("Tenant suspended");
  });

  it("keeps answering 401 to a caller without the tenant's credential, so suspension is not told to strangers", async () => {
    const tenant = await createTenant();
    await setSuspended(tenant, true);
    const response = await api({ ...tenant, authorization: `Basic ${btoa(`${tenant.tenantId}:wrong`)}` }, "GET", "/api/KeySeeds");
    expect(response.status).toBe(401);
  });

  it("serves the tenant again after resuming, with nothing lost, and audits both", async () => {
    const tenant = await tenantWithTestSeed();
    const widevine = await signedWidevineRequest(tenant, KID);
    const url = await signedCpixUrl(tenant);
    const seedsBefore = await (await api(tenant, "GET", "/api/KeySeeds")).json();
    await setSuspended(tenant, true);
    await setSuspended(tenant, false);

    expect(await (await api(tenant, "GET", "/api/KeySeeds")).json()).toEqual(seedsBefore);
    const speke = await postCpix(tenant, "/api/SpekeV2", VALID_SPEKE_V2, { "X-Speke-Version": "2.0" });
    expect(speke.status).toBe(200);
    expect((await widevine()).status).toBe("OK");
    expect((await SELF.fetch(url)).status).toBe(200);

    const audit = (await auditEntries(tenant)).filter((entry) => entry.Category === 113);
    // Newest first, as GET /api/Logs lists.
    expect(audit.map((entry) => entry.Action)).toEqual(["ResumeTenant", "SuspendTenant"]);
    for (const entry of audit) {
      expect(entry).toMatchObject({ ObjectId: tenant.tenantId, RequestPath: `/admin/tenants/${tenant.tenantId}` });
    }
  });

  it("shows the suspension and a new name in the listing", async () => {
    const tenant = await createTenant("before");
    const renamed = await operator("PUT", `/admin/tenants/${tenant.tenantId}`, { name: "after", suspended: true });
    expect(await renamed.json()).toMatchObject({ name: "after", suspended: true });
    const listed = (await everyListedTenant(100)).find((item) => item.tenantId === tenant.tenantId);
    expect(listed).toMatchObject({ name: "after", suspended: true });
  });

  it.each([
    ['{"suspended": "yes"}', 400],
    ['{"name": 5}', 400],
    ["{not json", 400],
  ])("refuses the body %s with %i and changes nothing", async (body, status) => {
    const tenant = await createTenant();
    const response = await SELF.fetch(`${BASE}/admin/tenants/${tenant.tenantId}`, { method: "PUT", headers: OPERATOR, body });
    expect(response.status).toBe(status);
    expect((await api(tenant, "GET", "/api/KeySeeds")).status).toBe(200);
  });

  it("answers 404 for an unknown tenant and 400 for a malformed id", async () => {
    expect((await operator("PUT", `/admin/tenants/${crypto.randomUUID()}`, { suspended: true })).status).toBe(404);
    expect((await operator("PUT", "/admin/tenants/not-a-uuid", { suspended: true })).status).toBe(400);
  });
});

describe("GET /admin/tenants/{id}", () => {
  it("answers the suspension and a pending deletion as the listing and PUT do", async () => {
    const tenant = await createTenant();
    const read = async () => (await operator("GET", `/admin/tenants/${tenant.tenantId}`)).json<Record<string, unknown>>();
    const active = await read();
    expect(active).toMatchObject({ tenantId: tenant.tenantId, suspended: false, keySeedCount: 1 });
    expect(active).not.toHaveProperty("deleteAt");

    await setSuspended(tenant, true);
    const suspended = await read();
    expect(suspended).toMatchObject({ suspended: true });
    expect(suspended).not.toHaveProperty("deleteAt");

    const scheduled = await operator("DELETE", `/admin/tenants/${tenant.tenantId}?confirm=${tenant.tenantId}`);
    const { deleteAt } = await scheduled.json<{ deleteAt: string }>();
    expect(await read()).toMatchObject({ suspended: true, deleteAt });

    await setSuspended(tenant, false);
    const resumed = await read();
    expect(resumed).toMatchObject({ suspended: false });
    expect(resumed).not.toHaveProperty("deleteAt");
  });
});

describe("deleting a tenant", () => {
  it("refuses a tenant that is not suspended with 409, and a wrong or missing confirm with 400", async () => {
    const tenant = await createTenant();
    const notSuspended = await operator("DELETE", `/admin/tenants/${tenant.tenantId}?confirm=${tenant.tenantId}`);
    expect(notSuspended.status).toBe(409);
    await setSuspended(tenant, true);
    expect((await operator("DELETE", `/admin/tenants/${tenant.tenantId}?confirm=${crypto.randomUUID()}`)).status).toBe(400);
    expect((await operator("DELETE", `/admin/tenants/${tenant.tenantId}`)).status).toBe(400);
    expect((await operator("DELETE", `/admin/tenants/${crypto.randomUUID()}?confirm=x`)).status).toBe(400);
    const unknown = crypto.randomUUID();
    expect((await operator("DELETE", `/admin/tenants/${unknown}?confirm=${unknown}`)).status).toBe(404);
  });

  it("schedules the erasure seven days on, keeps the deadline on a repeat, and resuming cancels it", async () => {
    const tenant = await createTenant();
    await setSuspended(tenant, true);
    const before = Date.now();
    const scheduled = await operator("DELETE", `/admin/tenants/${tenant.tenantId}?confirm=${tenant.tenantId}`);
    expect(scheduled.status).toBe(202);
    const { deleteAt } = await scheduled.json<{ deleteAt: string }>();
    expect(Date.parse(deleteAt) - before).toBeGreaterThanOrEqual(SEVEN_DAYS_MS);
    expect(Date.parse(deleteAt) - Date.now()).toBeLessThanOrEqual(SEVEN_DAYS_MS);
    const again = await operator("DELETE", `/admin/tenants/${tenant.tenantId}?confirm=${tenant.tenantId}`);
    expect(await again.json()).toEqual({ deleteAt });

    const resumed = await operator("PUT", `/admin/tenants/${tenant.tenantId}`, { suspended: false });
    expect(await resumed.json()).not.toHaveProperty("deleteAt");
    await runDurableObjectAlarm(objectOf(tenant));
    expect((await operator("GET", `/admin/tenants/${tenant.tenantId}`)).status).toBe(200);
    const actions = (await auditEntries(tenant)).filter((entry) => entry.Category === 113).map((entry) => entry.Action);
    expect(actions).toEqual(["ResumeTenant", "CancelTenantDeletion", "ScheduleTenantDeletion", "SuspendTenant"]);
  });

  it("erases the object, every KV record of the tenant and its directory entry once the grace period is over", async () => {
    const tenant = await tenantWithTestSeed();
    await signedWidevineRequest(tenant, KID);
    expect((await api(tenant, "PUT", "/api/Settings", { AllowedOrigins: ["https://player.example"] })).status).toBe(200);
    expect((await api(tenant, "POST", "/api/ContentKeys", { Id: KID, Name: "random" })).status).toBe(201);
    expect((await env.SNAPSHOTS.list()).keys.filter((key) => key.name.includes(tenant.tenantId)).length).toBeGreaterThanOrEqual(3);
    await setSuspended(tenant, true);
    await operator("DELETE", `/admin/tenants/${tenant.tenantId}?confirm=${tenant.tenantId}`);
    const stub = objectOf(tenant);

    // Before the deadline the alarm erases nothing.
    await runDurableObjectAlarm(stub);
    expect((await operator("GET", `/admin/tenants/${tenant.tenantId}`)).status).toBe(200);

    await runInDurableObject(stub, (_instance, state) => {
      state.storage.sql.exec("UPDATE tenant SET delete_at = ?", new Date(Date.now() - 1000).toISOString());
    });
    // The armed alarm is days away; runDurableObjectAlarm runs it now, as the runtime would at its time.
    expect(await runDurableObjectAlarm(stub)).toBe(true);

    expect((await operator("GET", `/admin/tenants/${tenant.tenantId}`)).status).toBe(404);
    const kvKeys = (await env.SNAPSHOTS.list()).keys.map((key) => key.name);
    expect(kvKeys.filter((name) => name.includes(tenant.tenantId))).toEqual([]);
    const holders = await Promise.all(
      (await env.SNAPSHOTS.list({ prefix: "signer/" })).keys.map(async (key) => env.SNAPSHOTS.get(key.name)),
    );
    expect(holders).not.toContain(tenant.tenantId);
    expect((await everyListedTenant(100)).map((item) => item.tenantId)).not.toContain(tenant.tenantId);
    const tables = await runInDurableObject(stub, (_instance, state) => state.storage.sql.exec("SELECT count(*) AS n FROM tenant").one().n);
    expect(tables).toBe(0);
  });
});

function objectOf(tenant: TestTenant): DurableObjectStub {
  return env.TENANTS.get(env.TENANTS.idFromName(tenant.tenantId));
}
