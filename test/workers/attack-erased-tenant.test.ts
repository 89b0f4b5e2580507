import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { afterEach, describe, expect, it } from "vitest";
import { SNAPSHOT_STALENESS_BOUND_SECONDS } from "../../src/tenancy/snapshot-freshness";
import { snapshotKey } from "../../src/tenancy/snapshot";
import { tenantObject } from "../../src/tenancy/tenant-client";
import { TenantStore } from "../../src/tenancy/tenant-store";
import { OPERATOR_ACTOR } from "../../src/tenancy/tenant-types";
import { TEST_BINDINGS } from "../test-bindings";
import { createTenant } from "./support/api";

/**
 * Attack: keep using a tenant the operator suspended, deleted and erased, from an isolate that read it before the
 * suspension and served it nothing since (a busy isolate keeps a tenant cached for as long as it stays in the cache's
 * budget). Erasure deletes the KV snapshot; an isolate that found no snapshot used to keep answering from the tenant
 * it had cached, whatever its age: the erased tenant's credentials authenticated and its seeds opened, for ever.
 */

afterEach(() => TenantStore.clear());

const OPERATOR = { credentialId: OPERATOR_ACTOR, requestPath: "/admin/tenants", time: new Date() };

describe("an isolate that cached a tenant before it was suspended and erased", () => {
  it("no longer serves it once KV has had no snapshot for longer than the staleness bound", async () => {
    const tenant = await createTenant();
    TenantStore.clear();
    let clock = Date.now();
    const isolate = new TenantStore(env.SNAPSHOTS, TEST_BINDINGS.KEY_ENCRYPTION_KEY, "1", () => clock);
    const before = await isolate.load(tenant.tenantId);
    expect(before?.suspended).toBe(false);
    expect(await before!.authenticate(tenant.managementKey, new Date())).toBeDefined();

    // Suspended, deleted and erased through the object, as another isolate would: this one's cache is not primed.
    const object = tenantObject(env, tenant.tenantId);
    expect((await object.tenant().change({ suspended: true }, OPERATOR)).ok).toBe(true);
    expect((await object.tenant().scheduleDeletion(OPERATOR)).outcome).toBe("scheduled");
    const stub = env.TENANTS.get(env.TENANTS.idFromName(tenant.tenantId));
    await runInDurableObject(stub, (_instance, state) => {
      state.storage.sql.exec("UPDATE tenant SET delete_at = ?", new Date(Date.now() - 1000).toISOString());
    });
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await env.SNAPSHOTS.get(snapshotKey(tenant.tenantId))).toBeNull();

    clock += SNAPSHOT_STALENESS_BOUND_SECONDS * 1000;
    const cached = TenantStore.stats().tenants;
    expect(await isolate.load(tenant.tenantId)).toBeUndefined();
    // The entry is dropped, not kept to answer again (the runtime's cache may hold other files' tenants too).
    expect(TenantStore.stats().tenants).toBe(cached - 1);
  });

  it("still serves a tenant it has just created while KV does not show it yet (read-your-writes)", async () => {
    const tenant = await createTenant();
    TenantStore.clear();
    const clock = Date.now();
    const isolate = new TenantStore(env.SNAPSHOTS, TEST_BINDINGS.KEY_ENCRYPTION_KEY, "1", () => clock);
    const snapshot = await tenantObject(env, tenant.tenantId).tenant().snapshot();
    expect(snapshot.ok).toBe(true);
    if (!snapshot.ok) return;
    await isolate.prime(snapshot.value);
    // KV answering "none" for a key written a moment ago: a read cached before the write, or not yet propagated.
    await env.SNAPSHOTS.delete(snapshotKey(tenant.tenantId));
    expect((await isolate.load(tenant.tenantId))?.tenantId).toBe(tenant.tenantId);
  });
});
