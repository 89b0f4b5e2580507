/**
 * Issue 25: every KV value the read path trusts carries a MAC bound to its key; a bad one is a storage fault (503)
 * that asks the tenant object to republish it, never "absent" (docs/storage.md §Authenticated KV values, §Self-healing).
 */
import { env, runInDurableObject } from "cloudflare:test";
import { beforeEach, describe, expect, it } from "vitest";
import { allowedOriginKey } from "../../src/tenancy/allowed-origins-directory";
import { authenticateKvValue, kvMacKeys } from "../../src/tenancy/kv-authentication";
import { startTenantObject } from "../../src/tenancy/operations/publication-operations";
import { openTenantContext } from "../../src/tenancy/operations/tenant-context";
import { contentKeyRecordKey, snapshotKey, type TenantSnapshot } from "../../src/tenancy/snapshot";
import { TenantStore } from "../../src/tenancy/tenant-store";
import { api, createTenant } from "./support/api";
import { tenantObjectOf } from "./support/content-keys";
import { acquire, expectFaultOrRight, freshRequest, tenantStoringKid } from "./support/corruption";
import { KID } from "./support/cpix-requests";
import { authenticatedJson, readPublishedSnapshot } from "./support/kv-values";
import { tenantWithTestSeed } from "./support/tenant-with-seed";

beforeEach(() => TenantStore.clear());

/** Writes `json` at `key` authenticated with the deployment's real MAC key: a value only a writer's bug could make. */
async function putAuthenticated(key: string, json: string): Promise<void> {
  await env.SNAPSHOTS.put(key, await authenticateKvValue(key, json, await kvMacKeys(env)));
}

async function snapshotJson(tenantId: string): Promise<string> {
  const value = (await env.SNAPSHOTS.get(snapshotKey(tenantId)))!;
  return value.slice(value.indexOf("\n") + 1);
}

describe("the snapshot is refused unless its MAC verifies, and then republished by the tenant object", () => {
  it("a snapshot whose JSON changed under its MAC answers 503, then the republished one answers the right keys", async () => {
    const tenant = await tenantWithTestSeed();
    const stored = await tenantStoringKid(tenant);
    const key = snapshotKey(tenant.tenantId);
    const value = (await env.SNAPSHOTS.get(key))!;
    await env.SNAPSHOTS.put(key, value.replace('"contentKeys"', '"contentKeyz"'));
    expect(await expectFaultOrRight(await acquire(tenant), stored)).toBe("fault");
    // The refused read asked the object; it wrote the snapshot again from its own storage, with no management write.
    expect(await env.SNAPSHOTS.get(key)).not.toContain('"contentKeyz"');
    expect(await expectFaultOrRight(await acquire(tenant), stored)).toBe("right");
  });

  it("a snapshot without the MAC header (the format-1 bare JSON) is a storage fault, not an unknown tenant", async () => {
    const tenant = await tenantWithTestSeed();
    const stored = await tenantStoringKid(tenant);
    await env.SNAPSHOTS.put(snapshotKey(tenant.tenantId), await snapshotJson(tenant.tenantId));
    expect(await expectFaultOrRight(await acquire(tenant), stored)).toBe("fault");
    expect(await expectFaultOrRight(await acquire(tenant), stored)).toBe("right");
  });

  it("a snapshot copied to another tenant's key fails there (the MAC covers the KV key)", async () => {
    const victim = await tenantWithTestSeed();
    const other = await tenantWithTestSeed();
    const stored = await tenantStoringKid(victim);
    await env.SNAPSHOTS.put(snapshotKey(victim.tenantId), (await env.SNAPSHOTS.get(snapshotKey(other.tenantId)))!);
    expect(await expectFaultOrRight(await acquire(victim), stored)).toBe("fault");
  });

  it("a snapshot with a valid MAC but no stored-key membership is refused (503), never read as 'derive every KID'", async () => {
    const tenant = await tenantWithTestSeed();
    const stored = await tenantStoringKid(tenant);
    const snapshot = JSON.parse(await snapshotJson(tenant.tenantId)) as Record<string, unknown>;
    delete snapshot.contentKeys;
    await putAuthenticated(snapshotKey(tenant.tenantId), JSON.stringify(snapshot));
    expect(await expectFaultOrRight(await acquire(tenant), stored)).toBe("fault");
    expect(await expectFaultOrRight(await acquire(tenant), stored)).toBe("right");
  });

  it("a snapshot whose filter is missing while it counts stored keys is refused (503)", async () => {
    const tenant = await tenantWithTestSeed();
    const stored = await tenantStoringKid(tenant);
    const snapshot = JSON.parse(await snapshotJson(tenant.tenantId)) as { contentKeys: Record<string, unknown> };
    delete snapshot.contentKeys.filter;
    await putAuthenticated(snapshotKey(tenant.tenantId), JSON.stringify(snapshot));
    expect(await expectFaultOrRight(await acquire(tenant), stored)).toBe("fault");
  });

  it("a seed that does not open (SealedValueError) answers 503 with Retry-After, not 500", async () => {
    const tenant = await tenantWithTestSeed();
    const stored = await tenantStoringKid(tenant);
    const snapshot = JSON.parse(await snapshotJson(tenant.tenantId)) as TenantSnapshot & { seeds: Record<string, string> };
    const sealed = snapshot.seeds[tenant.seedId]!;
    snapshot.seeds[tenant.seedId] = sealed.slice(0, -2) + (sealed.endsWith("AA") ? "BB" : "AA");
    await putAuthenticated(snapshotKey(tenant.tenantId), JSON.stringify(snapshot));
    const response = await acquire(tenant);
    expect(response.status).toBe(503);
    expect(response.headers.get("Retry-After")).toBe("5");
    expect(await expectFaultOrRight(response, stored)).toBe("fault");
  });

  it("a wrapped data key that does not open answers an acquisition 503, not 500", async () => {
    const tenant = await createTenant();
    const snapshot = JSON.parse(await snapshotJson(tenant.tenantId)) as TenantSnapshot;
    await putAuthenticated(snapshotKey(tenant.tenantId), JSON.stringify({ ...snapshot, wrappedDataKey: "v1.1.AAAA" }));
    const response = await freshRequest("/api/SpekeV2", {
      method: "POST",
      headers: { Authorization: tenant.authorization, "Content-Type": "application/xml", "X-Speke-Version": "2.0" },
      body: "<x/>",
    });
    expect(response.status).toBe(503);
  });
});

describe("a stored content key's record is refused unless its MAC verifies, never answered with the derived key", () => {
  it("a record whose field was renamed answers 503, then the record the object rewrote answers the stored key", async () => {
    const tenant = await tenantWithTestSeed();
    const stored = await tenantStoringKid(tenant);
    const key = contentKeyRecordKey(tenant.tenantId, KID);
    await env.SNAPSHOTS.put(key, (await env.SNAPSHOTS.get(key))!.replace('"sealedValue"', '"sealedValu3"'));
    expect(await expectFaultOrRight(await acquire(tenant), stored)).toBe("fault");
    expect(await env.SNAPSHOTS.get(key)).toContain('"sealedValue"');
    expect(await expectFaultOrRight(await acquire(tenant), stored)).toBe("right");
  });

  it("a record with a valid MAC but an IV of the wrong length is refused (503)", async () => {
    const tenant = await tenantWithTestSeed();
    const stored = await tenantStoringKid(tenant);
    const key = contentKeyRecordKey(tenant.tenantId, KID);
    const record = authenticatedJson<Record<string, unknown>>((await env.SNAPSHOTS.get(key))!);
    await putAuthenticated(key, JSON.stringify({ ...record, iv: "AAAAAAAAAAA=" }));
    expect(await expectFaultOrRight(await acquire(tenant), stored)).toBe("fault");
    expect(await expectFaultOrRight(await acquire(tenant), stored)).toBe("right");
  });
});

describe("management authenticates against the tenant object, so a bad snapshot never locks its tenant out", () => {
  it("lists and creates seeds while the snapshot in KV is bad, and the snapshot is republished", async () => {
    const tenant = await createTenant();
    const key = snapshotKey(tenant.tenantId);
    await env.SNAPSHOTS.put(key, "EKS/2 1 AAAA\n{}");
    const list = await freshRequest("/api/KeySeeds", { headers: { Authorization: tenant.authorization } });
    expect(list.status).toBe(200);
    expect((await readPublishedSnapshot(tenant.tenantId))?.tenantId).toBe(tenant.tenantId);
    await env.SNAPSHOTS.put(key, "not even JSON");
    TenantStore.clear();
    expect((await api(tenant, "POST", "/api/KeySeeds", { Name: "while broken" })).status).toBe(201);
  });

  it("refuses a wrong secret with 401 while the snapshot is bad", async () => {
    const tenant = await createTenant();
    await env.SNAPSHOTS.put(snapshotKey(tenant.tenantId), "EKS/2 1 AAAA\n{}");
    const wrong = `Basic ${btoa(`${tenant.tenantId}:not-the-key`)}`;
    expect((await freshRequest("/api/KeySeeds", { headers: { Authorization: wrong } })).status).toBe(401);
  });

  it("answers 401 without calling a Durable Object for a tenant id that has no snapshot", async () => {
    const guessed = crypto.randomUUID();
    const response = await freshRequest("/api/KeySeeds", { headers: { Authorization: `Basic ${btoa(`${guessed}:x`)}` } });
    expect(response.status).toBe(401);
  });
});

describe("the tenant object republishes after a restart when its last publish is unconfirmed", () => {
  it("a commit whose KV write never happened is published by the alarm the restart arms", async () => {
    const tenant = await tenantWithTestSeed();
    const stub = tenantObjectOf(tenant);
    await env.SNAPSHOTS.delete(snapshotKey(tenant.tenantId));
    await runInDurableObject(stub, async (_instance, state) => {
      // As after a crash between the commit and its KV write: the state moved, the confirmation did not.
      state.storage.sql.exec("DELETE FROM meta WHERE name = 'published_version'");
      await state.storage.deleteAlarm();
      await startTenantObject(openTenantContext(state.storage, env, () => env));
      expect(await state.storage.getAlarm()).not.toBeNull();
    });
    // The alarm is due at once and workerd may be running it already; run its handler here too, so the test waits for
    // a publish (a second one writes the same state).
    await runInDurableObject(stub, (instance) => instance.alarm());
    expect((await readPublishedSnapshot(tenant.tenantId))?.tenantId).toBe(tenant.tenantId);
  });

  it("a confirmed publish arms nothing at the restart", async () => {
    const tenant = await tenantWithTestSeed();
    await runInDurableObject(tenantObjectOf(tenant), async (_instance, state) => {
      await state.storage.deleteAlarm();
      await startTenantObject(openTenantContext(state.storage, env, () => env));
      expect(await state.storage.getAlarm()).toBeNull();
    });
  });
});

describe("the CORS origin directory is authenticated too", () => {
  const ORIGIN = "https://console.example.com";
  const preflight = () =>
    freshRequest("/api/KeySeeds", { method: "OPTIONS", headers: { Origin: ORIGIN, "Access-Control-Request-Method": "GET" } });

  it("an entry without its MAC answers the preflight 503, and the object rewrites its entries", async () => {
    const tenant = await createTenant();
    expect((await api(tenant, "PUT", "/api/Settings", { AllowedOrigins: [ORIGIN] })).status).toBe(200);
    expect((await preflight()).headers.get("Access-Control-Allow-Origin")).toBe(ORIGIN);
    await env.SNAPSHOTS.put(allowedOriginKey(ORIGIN, tenant.tenantId), "1");
    const refused = await preflight();
    expect(refused.status).toBe(503);
    expect(refused.headers.get("Retry-After")).toBe("5");
    expect((await preflight()).headers.get("Access-Control-Allow-Origin")).toBe(ORIGIN);
  });
});
