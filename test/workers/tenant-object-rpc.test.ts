import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { snapshotKey } from "../../src/tenancy/snapshot";
import { tenantObject } from "../../src/tenancy/tenant-client";
import type { TenantObject } from "../../src/tenancy/tenant-object";
import { createTenant } from "./support/api";

const NOW = "2026-11-23T12:00:00.000Z";
const SOME_ID = "5b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d";
const ACTOR = { credentialId: "c", requestPath: "/api/x", time: new Date(NOW) };
const SOME_CERTIFICATE = { id: SOME_ID, certificateDer: new Uint8Array(8), subject: "CN=x", fingerprint: "00", notAfter: NOW };

type TenantStub = DurableObjectStub<TenantObject>;

/** Every method of every record target but tenant().create and tenant().rewrapDataKey, called as src/ calls it. */
const RPC_CALLS: readonly [string, (tenant: TenantStub) => Promise<unknown>][] = [
  ["tenant().metadata", (tenant) => tenant.tenant().metadata(new Date(NOW))],
  ["tenant().snapshot", (tenant) => tenant.tenant().snapshot()],
  ["tenant().republish", (tenant) => tenant.tenant().republish({ kind: "snapshot" })],
  ["tenant().change", (tenant) => tenant.tenant().change({ suspended: true }, ACTOR)],
  ["tenant().prepareCpixUrl", (tenant) => tenant.tenant().prepareCpixUrl("c", NOW, ACTOR)],
  ["tenant().rotateCpixUrlSecret", (tenant) => tenant.tenant().rotateCpixUrlSecret(ACTOR)],
  ["settings().get", (tenant) => tenant.settings().get()],
  ["settings().put", (tenant) => tenant.settings().put({ widevineProvider: "x" }, ACTOR)],
  [
    "settings().putHarmonicConfiguration",
    (tenant) => tenant.settings().putHarmonicConfiguration({ harmonicRequireSignatures: false, harmonicEncryptContentKeys: false }, ACTOR),
  ],
  ["keySeeds().list", (tenant) => tenant.keySeeds().list({ top: 10, skip: 0 }, new Date(NOW))],
  ["keySeeds().get", (tenant) => tenant.keySeeds().get(SOME_ID, new Date(NOW))],
  ["keySeeds().create", (tenant) => tenant.keySeeds().create({ id: SOME_ID, name: "x" }, ACTOR)],
  ["keySeeds().import", (tenant) => tenant.keySeeds().import([{ id: SOME_ID, data: new Uint8Array(30) }], ACTOR)],
  ["keySeeds().update", (tenant) => tenant.keySeeds().update(SOME_ID, { isDefault: true }, ACTOR)],
  ["keySeeds().delete", (tenant) => tenant.keySeeds().delete(SOME_ID, ACTOR)],
  ["keySeeds().recordExport", (tenant) => tenant.keySeeds().recordExport([SOME_ID], ACTOR)],
  ["contentKeys().list", (tenant) => tenant.contentKeys().list({ conditions: [], orderBy: [] }, { top: 10, skip: 0 })],
  ["contentKeys().get", (tenant) => tenant.contentKeys().get(SOME_ID)],
  ["contentKeys().create", (tenant) => tenant.contentKeys().create({ id: SOME_ID, name: "x" }, ACTOR)],
  ["contentKeys().import", (tenant) => tenant.contentKeys().import([{ id: SOME_ID, key: new Uint8Array(16) }], ACTOR)],
  ["contentKeys().rename", (tenant) => tenant.contentKeys().rename(SOME_ID, "x", ACTOR)],
  ["contentKeys().delete", (tenant) => tenant.contentKeys().delete(SOME_ID, ACTOR)],
  ["contentKeys().selectForExport", (tenant) => tenant.contentKeys().selectForExport({ ids: [SOME_ID] })],
  ["contentKeys().recordExport", (tenant) => tenant.contentKeys().recordExport([SOME_ID], ACTOR)],
  [
    "widevineSigners().create",
    (tenant) => tenant.widevineSigners().create({ id: SOME_ID, providerName: "x", rsaPublicKeySpki: new Uint8Array(8) }, ACTOR),
  ],
  ["widevineSigners().list", (tenant) => tenant.widevineSigners().list()],
  ["widevineSigners().delete", (tenant) => tenant.widevineSigners().delete(SOME_ID, ACTOR)],
  ["signingKeys().create", (tenant) => tenant.signingKeys().create({ ...SOME_CERTIFICATE, privateKeyPkcs8: new Uint8Array(8) }, ACTOR)],
  ["signingKeys().list", (tenant) => tenant.signingKeys().list()],
  ["signingKeys().delete", (tenant) => tenant.signingKeys().delete(SOME_ID, ACTOR)],
  ["trustedRequesters().create", (tenant) => tenant.trustedRequesters().create(SOME_CERTIFICATE, ACTOR)],
  ["trustedRequesters().list", (tenant) => tenant.trustedRequesters().list()],
  ["trustedRequesters().delete", (tenant) => tenant.trustedRequesters().delete(SOME_ID, ACTOR)],
  [
    "logs().append",
    (tenant) =>
      tenant.logs().append([{ time: NOW, protocol: "cpix", contentId: "c", kids: [SOME_ID], keySeedId: SOME_ID, credential: "x" }]),
  ],
  ["logs().listIssuance", (tenant) => tenant.logs().listIssuance({ top: 10, skip: 0 })],
  ["logs().list", (tenant) => tenant.logs().list({}, { top: 10, skip: 0 }, new Date(NOW))],
  ["logs().usage", (tenant) => tenant.logs().usage({ from: NOW, to: NOW }, "hour", new Date(NOW))],
  ["logs().usageTotals", (tenant) => tenant.logs().usageTotals({ from: NOW, to: NOW }, new Date(NOW))],
  ["credentials().create", (tenant) => tenant.credentials().create({ name: "x", scopes: ["acquire"] }, ACTOR)],
  ["credentials().list", (tenant) => tenant.credentials().list()],
  ["credentials().get", (tenant) => tenant.credentials().get(SOME_ID)],
  ["credentials().delete", (tenant) => tenant.credentials().delete(SOME_ID, ACTOR)],
  ["credentials().issueOperator", (tenant) => tenant.credentials().issueOperator("x", ACTOR)],
];

/** The tenant object as src/ calls it (tenant-client.ts: faults mapped, each record target released after its call). */
function tenantStub(name: string): TenantStub {
  return tenantObject(env, name);
}

/** The object's own stub, for runInDurableObject. */
function objectStub(name: string): TenantStub {
  return env.TENANTS.get(env.TENANTS.idFromName(name));
}

describe("tenant object RPC surface", () => {
  it.each(RPC_CALLS)("%s answers no-tenant from an object that holds no tenant, and writes nothing", async (_method, call) => {
    const name = crypto.randomUUID();
    const stub = tenantStub(name);
    expect(await call(stub)).toEqual({ ok: false, failure: { reason: "no-tenant" } });
    const rows = await runInDurableObject(objectStub(name), (_instance, state) =>
      [
        "tenant",
        "key_seeds",
        "settings",
        "widevine_credentials",
        "issuance_log",
        "credentials",
        "audit_log",
        "content_keys",
        "usage_hours",
        "usage_content_ids",
      ].map((table) => state.storage.sql.exec<{ n: number }>(`SELECT count(*) AS n FROM ${table}`).one().n),
    );
    expect(rows).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(await env.SNAPSHOTS.get(snapshotKey(name))).toBeNull();
  });

  it("tenant().rewrapDataKey answers no-tenant from an object that holds no tenant, and writes nothing", async () => {
    const name = crypto.randomUUID();
    const stub = tenantStub(name);
    expect(await stub.tenant().rewrapDataKey(1)).toEqual({ outcome: "no-tenant" });
    const rows = await runInDurableObject(
      objectStub(name),
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
    expect(await stub.logs().append([record("a"), record("b")])).toEqual({ ok: true, value: { appended: 2 } });
    expect(await stub.logs().append([record("c")])).toEqual({ ok: true, value: { appended: 1 } });
    const page = await stub.logs().listIssuance({ top: 2, skip: 0 });
    expect(page).toEqual({ ok: true, value: { total: 3, items: [record("c"), record("b")] } });
  });

  it("answers metadata and the current snapshot as typed results", async () => {
    const { tenantId, keySeedId } = await createTenant("typed");
    const stub = tenantStub(tenantId);
    expect(await stub.tenant().metadata(new Date(NOW))).toMatchObject({
      ok: true,
      value: { tenantId, name: "typed", defaultKeySeedId: keySeedId },
    });
    const snapshot = await stub.tenant().snapshot();
    expect(snapshot).toMatchObject({ ok: true, value: { tenantId, defaultSeed: { current: keySeedId } } });
  });
});
