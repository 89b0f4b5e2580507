import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { snapshotKey, type TenantSnapshot } from "../../src/tenancy/snapshot";
import { tenantObject } from "../../src/tenancy/tenant-client";
import { TenantStore } from "../../src/tenancy/tenant-store";
import { TEST_BINDINGS } from "../test-bindings";
import { api, createTenant, randomBase64 } from "./support/api";
import { authenticatedJson } from "./support/kv-values";

/**
 * Makes every KV write of one key fail, as a KV outage would. The tests and the tenant objects run in one isolate
 * and share the SNAPSHOTS binding object, so replacing its `put` reaches the object's own publisher unchanged.
 */
function failWritesOf(key: string): { attempts: () => number } {
  const put = env.SNAPSHOTS.put.bind(env.SNAPSHOTS);
  let attempts = 0;
  vi.spyOn(env.SNAPSHOTS, "put").mockImplementation(async (name, ...rest) => {
    if (name !== key) return put(name, ...rest);
    attempts++;
    throw new Error("injected KV write failure");
  });
  return { attempts: () => attempts };
}

/** The snapshot a reader in a fresh isolate loads: isolate memory forgotten, then KV. */
async function freshReaderSnapshot(tenantId: string): Promise<TenantSnapshot | undefined> {
  TenantStore.clear();
  const reader = new TenantStore(env.SNAPSHOTS, TEST_BINDINGS.KEY_ENCRYPTION_KEY, "1");
  return (await reader.load(tenantId))?.snapshot;
}

afterEach(() => {
  vi.restoreAllMocks();
  TenantStore.clear();
});

describe("a tenant change whose snapshot write to KV fails", () => {
  it("leaves readers on the previous complete snapshot until the alarm publishes the newest one", async () => {
    const tenant = await createTenant();
    const key = snapshotKey(tenant.tenantId);
    const stub = env.TENANTS.get(env.TENANTS.idFromName(tenant.tenantId));
    const before = (await env.SNAPSHOTS.get(key))!;
    const seedId = crypto.randomUUID();

    const outage = failWritesOf(key);
    // Two changes to two record kinds while KV refuses writes; each commits in the object and answers 200.
    expect((await api(tenant, "POST", "/api/Import/KeySeeds", [{ Id: seedId, Data: randomBase64(30) }])).status).toBe(200);
    expect((await api(tenant, "PUT", `/api/KeySeeds/${seedId}`, { IsDefault: true })).status).toBe(200);
    expect((await api(tenant, "PUT", "/api/Settings", { WidevineProvider: "after-outage" })).status).toBe(200);
    expect(outage.attempts()).toBe(3);

    // KV still holds the old snapshot byte for byte, and a fresh reader gets it whole: old seeds, old default, old settings.
    expect(await env.SNAPSHOTS.get(key)).toBe(before);
    expect(await freshReaderSnapshot(tenant.tenantId)).toEqual(authenticatedJson(before));
    expect(await runInDurableObject(stub, (_instance, state) => state.storage.getAlarm())).not.toBeNull();

    vi.restoreAllMocks();
    expect(await runDurableObjectAlarm(stub)).toBe(true);

    const current = await tenantObject(env, tenant.tenantId).tenant().snapshot();
    if (!current.ok) throw new Error(`no snapshot: ${current.failure.reason}`);
    const after = authenticatedJson<TenantSnapshot>((await env.SNAPSHOTS.get(key))!);
    expect(after).toEqual(current.value);
    expect(after.version).toBe(authenticatedJson<TenantSnapshot>(before).version + 3);
    expect(after).toMatchObject({ defaultSeed: { current: seedId }, settings: { widevineProvider: "after-outage" } });
    expect(Object.keys(after.seeds)).toContain(seedId);
    expect(await freshReaderSnapshot(tenant.tenantId)).toEqual(after);
  });

  it("publishes at once and arms no alarm when KV accepts the write", async () => {
    const tenant = await createTenant();
    const stub = env.TENANTS.get(env.TENANTS.idFromName(tenant.tenantId));
    expect((await api(tenant, "PUT", "/api/Settings", { WidevineProvider: "direct" })).status).toBe(200);
    expect(await freshReaderSnapshot(tenant.tenantId)).toMatchObject({ settings: { widevineProvider: "direct" } });
    expect(await runInDurableObject(stub, (_instance, state) => state.storage.getAlarm())).toBeNull();
  });
});
