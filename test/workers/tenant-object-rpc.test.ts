import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { snapshotKey } from "../../src/tenancy/snapshot";
import type { TenantObject } from "../../src/tenancy/tenant-object";
import { createTenant } from "./support/api";

const NOW = "2026-11-23T12:00:00.000Z";
const SOME_ID = "5b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d";
const ACTOR = { credentialId: "c", requestPath: "/api/x", time: NOW };

type TenantStub = DurableObjectStub<TenantObject>;

/** Every RPC method but createTenant, called as src/ calls it. */
const RPC_CALLS: readonly [string, (tenant: TenantStub) => Promise<unknown>][] = [
  ["getMetadata", (tenant) => tenant.getMetadata(NOW)],
  ["listKeySeeds", (tenant) => tenant.listKeySeeds({ top: 10, skip: 0 }, NOW)],
  ["getKeySeed", (tenant) => tenant.getKeySeed(SOME_ID, NOW)],
  ["createKeySeed", (tenant) => tenant.createKeySeed({ id: SOME_ID, name: "x" }, NOW, ACTOR)],
  ["importKeySeeds", (tenant) => tenant.importKeySeeds([{ id: SOME_ID, data: new Uint8Array(30) }], NOW, ACTOR)],
  ["updateKeySeed", (tenant) => tenant.updateKeySeed(SOME_ID, { isDefault: true }, NOW, ACTOR)],
  ["deleteKeySeed", (tenant) => tenant.deleteKeySeed(SOME_ID, NOW, ACTOR)],
  ["listContentKeys", (tenant) => tenant.listContentKeys({ conditions: [], orderBy: [] }, { top: 10, skip: 0 })],
  ["getContentKey", (tenant) => tenant.getContentKey(SOME_ID)],
  ["createContentKey", (tenant) => tenant.createContentKey({ id: SOME_ID, name: "x" }, NOW, ACTOR)],
  ["importContentKeys", (tenant) => tenant.importContentKeys([{ id: SOME_ID, key: new Uint8Array(16) }], NOW, ACTOR)],
  ["renameContentKey", (tenant) => tenant.renameContentKey(SOME_ID, "x", NOW, ACTOR)],
  ["deleteContentKey", (tenant) => tenant.deleteContentKey(SOME_ID, NOW, ACTOR)],
  ["selectContentKeysForExport", (tenant) => tenant.selectContentKeysForExport({ ids: [SOME_ID] })],
  ["recordContentKeyExport", (tenant) => tenant.recordContentKeyExport([SOME_ID], ACTOR)],
  ["getSettings", (tenant) => tenant.getSettings()],
  ["putSettings", (tenant) => tenant.putSettings({ widevineProvider: "x" }, ACTOR)],
  [
    "addWidevineCredential",
    (tenant) => tenant.addWidevineCredential({ id: SOME_ID, providerName: "x", rsaPublicKeySpki: new Uint8Array(8) }, NOW, ACTOR),
  ],
  ["listWidevineCredentials", (tenant) => tenant.listWidevineCredentials()],
  ["deleteWidevineCredential", (tenant) => tenant.deleteWidevineCredential(SOME_ID, ACTOR)],
  [
    "appendIssuance",
    (tenant) =>
      tenant.appendIssuance([{ time: NOW, protocol: "cpix", contentId: "c", kids: [SOME_ID], keySeedId: SOME_ID, credential: "x" }]),
  ],
  ["listIssuance", (tenant) => tenant.listIssuance({ top: 10, skip: 0 })],
  ["currentSnapshot", (tenant) => tenant.currentSnapshot()],
  ["createCredential", (tenant) => tenant.createCredential({ name: "x", scopes: ["acquire"] }, ACTOR)],
  ["listCredentials", (tenant) => tenant.listCredentials()],
  ["getCredential", (tenant) => tenant.getCredential(SOME_ID)],
  ["deleteCredential", (tenant) => tenant.deleteCredential(SOME_ID, ACTOR)],
  ["issueOperatorCredential", (tenant) => tenant.issueOperatorCredential("x", ACTOR)],
  ["listLogs", (tenant) => tenant.listLogs({}, { top: 10, skip: 0 }, NOW)],
];

function tenantStub(name: string): TenantStub {
  return env.TENANTS.get(env.TENANTS.idFromName(name));
}

describe("tenant object RPC surface", () => {
  it.each(RPC_CALLS)("%s answers no-tenant from an object that holds no tenant, and writes nothing", async (_method, call) => {
    const name = crypto.randomUUID();
    const stub = tenantStub(name);
    expect(await call(stub)).toEqual({ ok: false, failure: { reason: "no-tenant" } });
    const rows = await runInDurableObject(stub, (_instance, state) =>
      ["tenant", "key_seeds", "settings", "widevine_credentials", "issuance_log", "credentials", "audit_log", "content_keys"].map(
        (table) => state.storage.sql.exec<{ n: number }>(`SELECT count(*) AS n FROM ${table}`).one().n,
      ),
    );
    expect(rows).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    expect(await env.SNAPSHOTS.get(snapshotKey(name))).toBeNull();
  });

  it("rewrapDataKey answers no-tenant from an object that holds no tenant, and writes nothing", async () => {
    const name = crypto.randomUUID();
    const stub = tenantStub(name);
    expect(await stub.rewrapDataKey(1)).toEqual({ outcome: "no-tenant" });
    const rows = await runInDurableObject(
      stub,
      (_instance, state) => state.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM tenant").one().n,
    );
    expect(rows).toBe(0);
    expect(await env.SNAPSHOTS.get(snapshotKey(name))).toBeNull();
  });

  it("appends issuance records and lists them as a typed page, newest first", async () => {
    const { tenantId } = await createTenant();
    const stub = tenantStub(tenantId);
    const record = (contentId: string) => ({
      time: NOW,
      protocol: "cpix",
      contentId,
      kids: [SOME_ID],
      keySeedId: SOME_ID,
      credential: "c",
    });
    expect(await stub.appendIssuance([record("a"), record("b")])).toEqual({ ok: true, value: { appended: 2 } });
    expect(await stub.appendIssuance([record("c")])).toEqual({ ok: true, value: { appended: 1 } });
    const page = await stub.listIssuance({ top: 2, skip: 0 });
    expect(page).toEqual({ ok: true, value: { total: 3, items: [record("c"), record("b")] } });
  });

  it("answers metadata and the current snapshot as typed results", async () => {
    const { tenantId, keySeedId } = await createTenant("typed");
    const stub = tenantStub(tenantId);
    expect(await stub.getMetadata(NOW)).toMatchObject({ ok: true, value: { tenantId, name: "typed", defaultKeySeedId: keySeedId } });
    const snapshot = await stub.currentSnapshot();
    expect(snapshot).toMatchObject({ ok: true, value: { tenantId, defaultSeed: { current: keySeedId } } });
  });
});
