/**
 * The isolate's tenant cache (src/tenancy/tenant-store.ts) is bounded by an estimate of bytes and evicts the least
 * recently used tenant first; an evicted tenant is read from KV again on its next request.
 */
import { env } from "cloudflare:test";
import { afterEach, describe, expect, it } from "vitest";
import { snapshotKey } from "../../src/tenancy/snapshot";
import { estimatedTenantBytes, TENANT_CACHE_MAX_BYTES, TenantStore } from "../../src/tenancy/tenant-store";
import { TEST_BINDINGS } from "../test-bindings";
import { createTenant } from "./support/api";

afterEach(() => {
  TenantStore.setCacheBudget(TENANT_CACHE_MAX_BYTES);
  TenantStore.clear();
});

function reader(): TenantStore {
  return new TenantStore(env.SNAPSHOTS, TEST_BINDINGS.KEY_ENCRYPTION_KEY, "1");
}

async function entryBytes(tenantId: string): Promise<number> {
  return estimatedTenantBytes((await env.SNAPSHOTS.get(snapshotKey(tenantId)))!.length);
}

describe("the tenant cache", () => {
  it("counts a first load as a miss and the next as a hit, with the entry's estimated bytes", async () => {
    const tenant = await createTenant();
    TenantStore.clear();
    const store = reader();
    expect((await store.load(tenant.tenantId))?.tenantId).toBe(tenant.tenantId);
    expect((await store.load(tenant.tenantId))?.tenantId).toBe(tenant.tenantId);
    expect(TenantStore.stats()).toEqual({ hits: 1, misses: 1, tenants: 1, estimatedBytes: await entryBytes(tenant.tenantId) });
  });

  it("stays within its byte budget by evicting the least recently used tenant, which a later load reads again", async () => {
    const [a, b, c] = [await createTenant("a"), await createTenant("b"), await createTenant("c")];
    TenantStore.clear();
    const bytes = Math.max(await entryBytes(a.tenantId), await entryBytes(b.tenantId), await entryBytes(c.tenantId));
    // Room for two tenants, not three.
    TenantStore.setCacheBudget(2 * bytes + bytes / 2);
    const store = reader();
    await store.load(a.tenantId);
    await store.load(b.tenantId);
    await store.load(a.tenantId); // a is now more recently used than b
    await store.load(c.tenantId); // over budget: b goes
    expect(TenantStore.stats()).toMatchObject({ hits: 1, misses: 3, tenants: 2 });
    expect(TenantStore.stats().estimatedBytes).toBeLessThanOrEqual(2 * bytes + bytes / 2);

    await store.load(a.tenantId);
    await store.load(c.tenantId);
    expect(TenantStore.stats()).toMatchObject({ hits: 3, misses: 3 });
    expect((await store.load(b.tenantId))?.tenantId).toBe(b.tenantId);
    expect(TenantStore.stats()).toMatchObject({ hits: 3, misses: 4, tenants: 2 });
  });

  it("keeps the tenant just loaded even when it alone is over the budget", async () => {
    const tenant = await createTenant();
    TenantStore.clear();
    TenantStore.setCacheBudget(1);
    const store = reader();
    expect((await store.load(tenant.tenantId))?.tenantId).toBe(tenant.tenantId);
    expect(TenantStore.stats().tenants).toBe(1);
  });
});
