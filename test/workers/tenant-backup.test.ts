import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { MAX_BACKUP_BYTES } from "../../src/admin/tenant-backup";
import { BACKUP_CONTENT_TYPE } from "../../src/backup/backup-document";
import { fromBase64, fromHex, fromUtf8, toBase64, utf8 } from "../../src/domain/bytes";
import { aesRequestSignature } from "../../src/protocols/widevine-cenc/signature";
import { latestSchemaVersion } from "../../src/tenancy/schema";
import { signerKey, snapshotKey } from "../../src/tenancy/snapshot";
import { TENANT_MIGRATIONS } from "../../src/tenancy/stores/tenant-stores";
import type { DumpedTable, TenantDump } from "../../src/tenancy/tenant-dump";
import { TABLES_NOT_DUMPED } from "../../src/tenancy/tenant-dump";
import { tenantObject } from "../../src/tenancy/tenant-client";
import type { TenantObject } from "../../src/tenancy/tenant-object";
import { TEST_BINDINGS } from "../test-bindings";
import { api, randomBase64, type TestTenant } from "./support/api";
import { tenantStoringKid } from "./support/corruption";
import { createCredential } from "./support/credentials";
import { AUDIO_KID, CPIX_PROTOCOLS, KID } from "./support/cpix-requests";
import { Deployment } from "./support/deployment";
import { makeTestCertificate } from "./support/make-certificate";
import { readResponse } from "./support/speke-v2-requests";
import { tenantWithTestSeed } from "./support/tenant-with-seed";

/** The restoring deployment's key-encryption key: the bytes 0x20..0x3f, under version 2 (the source's is version 1). */
const OTHER_KEK = "2:ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8=";
const ADMIN = { Authorization: `Bearer ${TEST_BINDINGS.ADMIN_TOKEN}`, "Content-Type": "application/json" };
const ACTOR = { credentialId: "operator", requestPath: "/admin/tenants/restore", time: new Date() };
const ORIGIN = "https://player.example";
const SCHEMA_VERSION = latestSchemaVersion(TENANT_MIGRATIONS);

type Rows = Record<string, Record<string, unknown>[]>;

function objectOf(tenantId: string): DurableObjectStub<TenantObject> {
  return env.TENANTS.get(env.TENANTS.idFromName(tenantId));
}

/** Every table of the object with its rows (sqlite_sequence and workerd's own tables aside), rows in rowid order. */
function allRows(tenantId: string): Promise<Rows> {
  return runInDurableObject(objectOf(tenantId), (_instance, state) => {
    const sql = state.storage.sql;
    const names = sql
      .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_cf\\_%' ESCAPE '\\' ORDER BY name")
      .toArray()
      .map((row) => row.name)
      .filter((name) => name !== "sqlite_sequence");
    return Object.fromEntries(names.map((name) => [name, sql.exec(`SELECT * FROM "${name}"`).toArray()]));
  });
}

/** How many rows the tenant's tables hold in all, `meta` aside (migrate's own rows). */
async function tenantRowCount(tenantId: string): Promise<number> {
  const rows = await allRows(tenantId);
  return Object.entries(rows).reduce((sum, [name, table]) => sum + (name === "meta" ? 0 : table.length), 0);
}

async function dumpOf(tenantId: string): Promise<{ payload: Uint8Array; dump: TenantDump }> {
  const answer = await tenantObject(env, tenantId).tenant().backup().dump(new Date());
  if (!answer.ok) throw new Error(answer.failure.reason);
  return { payload: answer.value.payload, dump: JSON.parse(fromUtf8(answer.value.payload)) as TenantDump };
}

function payloadOf(dump: TenantDump): Uint8Array {
  return utf8(JSON.stringify(dump));
}

/** Erases the tenant as its deletion alarm does: object, KV records, signer names, directory entry. */
async function erase(tenantId: string): Promise<void> {
  const change = await fetchAdmin(`/admin/tenants/${tenantId}`, "PUT", { suspended: true });
  expect(change.status).toBe(200);
  expect((await fetchAdmin(`/admin/tenants/${tenantId}?confirm=${tenantId}`, "DELETE")).status).toBe(202);
  await runInDurableObject(objectOf(tenantId), (_instance, state) => {
    state.storage.sql.exec("UPDATE tenant SET delete_at = ?", new Date(Date.now() - 1000).toISOString());
  });
  expect(await runDurableObjectAlarm(objectOf(tenantId))).toBe(true);
}

function fetchAdmin(path: string, method: string, body?: unknown): Promise<Response> {
  return new Deployment({}).fetch(path, { method, headers: ADMIN, ...(body !== undefined && { body: JSON.stringify(body) }) });
}

/** A tenant holding one of everything: seeds, a stored key, a signer, a limited credential, settings, signing key, CPIX URL, logs. */
async function richTenant(): Promise<{
  tenant: TestTenant;
  limited: TestTenant;
  signer: { ProviderName: string; SigningKeyHex: string; SigningIvHex: string };
}> {
  const tenant = await tenantWithTestSeed();
  expect((await api(tenant, "POST", "/api/Import/KeySeeds", [{ Name: "spare", Data: randomBase64(30) }])).status).toBe(200);
  await tenantStoringKid(tenant);
  const signer = await api(tenant, "POST", "/api/WidevineProtectionInfoCredentials", { ProviderName: `backup-${crypto.randomUUID()}` });
  expect(signer.status).toBe(201);
  const { as: limited } = await createCredential(tenant, { Name: "packager", Scopes: ["acquire"], Protocols: ["SpekeV2"] });
  const signingKey = await makeTestCertificate({ commonName: "key service" });
  const added = await api(tenant, "POST", "/api/SigningKeys", {
    Certificate: toBase64(signingKey.der),
    PrivateKey: toBase64(signingKey.pkcs8),
  });
  expect(added.status).toBe(201);
  const requester = await makeTestCertificate({ commonName: "packager" });
  expect((await api(tenant, "POST", "/api/TrustedRequesters", { Certificate: toBase64(requester.der) })).status).toBe(201);
  expect((await api(tenant, "PUT", "/api/Settings", { AllowedOrigins: [ORIGIN], WidevineProvider: "acme" })).status).toBe(200);
  const expiresAt = new Date(Date.now() + 3_600_000).toISOString();
  expect((await api(tenant, "POST", "/api/CpixUrls", { ContentId: "c1", Query: "drm=widevine", ExpiresAt: expiresAt })).status).toBe(201);
  return { tenant, limited, signer: await signer.json() };
}

/** The keys a SPEKE v2.0 request for KID (stored) and AUDIO_KID (derived) answers, with the answer's IVs, as a fresh isolate. */
async function spekeKeys(deployment: Deployment, tenant: TestTenant): Promise<Record<string, string>> {
  const speke = CPIX_PROTOCOLS[0]!;
  const response = await deployment.fetch(speke.path, {
    method: "POST",
    headers: { Authorization: tenant.authorization, "Content-Type": "application/xml", ...speke.headers },
    body: speke.valid,
  });
  expect(response.status).toBe(200);
  const document = readResponse(await response.text());
  return Object.fromEntries(
    (document.contentKeyList?.items ?? []).map((key) => [
      key.kid.toString(),
      `${toBase64(key.value!.bytes)} iv ${key.explicitIV ? toBase64(key.explicitIV.bytes) : "-"}`,
    ]),
  );
}

/** The tracks a Widevine CENC API request signed by the AES signer answers. */
async function widevineTracks(
  deployment: Deployment,
  signer: { ProviderName: string; SigningKeyHex: string; SigningIvHex: string },
): Promise<unknown> {
  const request = utf8(JSON.stringify({ content_id: btoa("movie-1"), tracks: [{ type: "SD" }, { type: "AUDIO" }] }));
  const signature = await aesRequestSignature(request, fromHex(signer.SigningKeyHex)!, fromHex(signer.SigningIvHex)!);
  const response = await deployment.fetch("/api/WidevineProtectionInfo", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ request: toBase64(request), signature: toBase64(signature), signer: signer.ProviderName }),
  });
  expect(response.status).toBe(200);
  const inner = JSON.parse(fromUtf8(fromBase64((await response.json<{ response: string }>()).response)!));
  expect(inner.status).toBe("OK");
  return inner.tracks;
}

describe("a tenant's dump and restore (tenant().backup())", () => {
  it("restores every row after erasure, under another KEK, and answers the same keys and IVs with the old credentials", async () => {
    const source = await Deployment.roll({});
    const { tenant, limited, signer } = await richTenant();
    const keysBefore = await spekeKeys(source, limited);
    const tracksBefore = await widevineTracks(source, signer);
    const before = await allRows(tenant.tenantId);
    const { payload, dump } = await dumpOf(tenant.tenantId);

    expect(dump.schemaVersion).toBe(SCHEMA_VERSION);
    expect(Object.keys(dump.tables).sort()).toEqual(Object.keys(before).sort());
    // Deployment-bound: the wrapped data key and the KV publication marker are left out; the data key travels opened.
    expect(dump.tables.tenant!.columns).not.toContain("wrapped_data_key");
    expect(dump.tables.meta!.rows.map((row) => row[0])).not.toContain("published_version");
    expect(fromBase64(dump.dataKey)).toHaveLength(32);
    for (const name of [
      "key_seeds",
      "content_keys",
      "widevine_credentials",
      "credentials",
      "signing_keys",
      "trusted_requesters",
      "issuance_log",
      "audit_log",
    ]) {
      expect(dump.tables[name]!.rows.length, name).toBeGreaterThan(0);
    }

    await erase(tenant.tenantId);
    expect(await tenantRowCount(tenant.tenantId)).toBe(0);
    expect(await env.SNAPSHOTS.get(snapshotKey(tenant.tenantId))).toBeNull();
    expect(await env.SNAPSHOTS.get(signerKey(signer.ProviderName))).toBeNull();

    const target = await Deployment.roll({ KEY_ENCRYPTION_KEY: OTHER_KEK });
    const restored = await tenantObject(env, tenant.tenantId).tenant().backup().restore(tenant.tenantId, payload, ACTOR);
    expect(restored).toMatchObject({ outcome: "restored", counts: { keySeeds: 3, contentKeys: 1, widevineCredentials: 1 } });

    const after = await allRows(tenant.tenantId);
    for (const [name, rows] of Object.entries(before)) {
      if (name === "tenant") {
        const { wrapped_data_key: wrappedBefore, ...rest } = rows[0]!;
        const { wrapped_data_key: wrappedAfter, ...restAfter } = after.tenant![0]!;
        expect(restAfter).toEqual(rest);
        expect(wrappedBefore).toMatch(/^v1\.1\./);
        expect(wrappedAfter).toMatch(/^v1\.2\./);
      } else if (name === "audit_log") {
        expect(after.audit_log!.slice(0, rows.length)).toEqual(rows);
        expect(after.audit_log!.slice(rows.length)).toMatchObject([{ action: "RestoreTenant", object_id: tenant.tenantId }]);
      } else if (name === "meta") {
        const changing = ["snapshot_version", "published_version", "content_key_membership"];
        expect(after.meta!.filter((row) => !changing.includes(row.name as string))).toEqual(
          rows.filter((row) => !changing.includes(row.name as string)),
        );
        const version = (rows_: Record<string, unknown>[]) => Number(rows_.find((row) => row.name === "snapshot_version")!.value);
        expect(version(after.meta!)).toBeGreaterThan(version(rows));
      } else {
        expect(after[name], name).toEqual(rows);
      }
    }

    // Published to this deployment's KV: the snapshot, the stored key's record, the signer index, the CORS entry.
    expect(await env.SNAPSHOTS.get(snapshotKey(tenant.tenantId))).not.toBeNull();
    expect(await env.SNAPSHOTS.get(signerKey(signer.ProviderName))).toBe(tenant.tenantId);
    expect((await env.SNAPSHOTS.list({ prefix: `cors-origin/${encodeURIComponent(ORIGIN)}/` })).keys.map((key) => key.name)).toContain(
      `cors-origin/${encodeURIComponent(ORIGIN)}/${tenant.tenantId}`,
    );
    expect(await spekeKeys(target, limited)).toEqual(keysBefore);
    expect(Object.keys(keysBefore).sort()).toEqual([KID, AUDIO_KID].sort());
    expect(await widevineTracks(target, signer)).toEqual(tracksBefore);
    // The management key still manages.
    expect((await target.fetch("/api/KeySeeds", { headers: { Authorization: tenant.authorization } })).status).toBe(200);
    await Deployment.roll({ KEY_ENCRYPTION_KEY: TEST_BINDINGS.KEY_ENCRYPTION_KEY });
  });
});

describe("what a dump holds", () => {
  it("walks every table of the object but those it names with a reason, so a store's new table is in every backup", async () => {
    const tenant = await tenantWithTestSeed();
    const { dump } = await dumpOf(tenant.tenantId);
    const tables = await runInDurableObject(objectOf(tenant.tenantId), (_instance, state) =>
      state.storage.sql
        .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'")
        .toArray()
        .map((row) => row.name),
    );
    const leftOut = tables.filter((name) => !(name in dump.tables));
    expect(leftOut.filter((name) => !TABLES_NOT_DUMPED.includes(name) && !name.startsWith("_cf_"))).toEqual([]);
    expect(Object.keys(dump.tables).length).toBeGreaterThanOrEqual(14);
  });

  it("answers no-tenant from an object that holds none, and records nothing", async () => {
    const name = crypto.randomUUID();
    expect(await tenantObject(env, name).tenant().backup().dump(new Date())).toEqual({ ok: false, failure: { reason: "no-tenant" } });
    expect(await tenantObject(env, name).tenant().backup().record("00", ACTOR)).toEqual({ ok: false, failure: { reason: "no-tenant" } });
    expect(await tenantRowCount(name)).toBe(0);
  });

  it("records a backup given out in the source tenant's audit log, naming the certificate's fingerprint", async () => {
    const tenant = await tenantWithTestSeed();
    expect(
      await tenantObject(env, tenant.tenantId)
        .tenant()
        .backup()
        .record("ab".repeat(32), { ...ACTOR, time: new Date() }),
    ).toEqual({ ok: true, value: null });
    const logs = await api(tenant, "GET", "/api/Logs?$top=1");
    expect((await logs.json<{ Action: string; ObjectId: string; Category: number }[]>())[0]).toMatchObject({
      Action: "BackupTenant",
      ObjectId: "ab".repeat(32),
      Category: 113,
    });
  });
});

describe("a restore refused", () => {
  let tenantId: string;
  let providerName: string;
  let dump: TenantDump;

  beforeAll(async () => {
    await Deployment.roll({});
    const tenant = await tenantWithTestSeed();
    providerName = `backup-${crypto.randomUUID()}`;
    expect((await api(tenant, "POST", "/api/WidevineProtectionInfoCredentials", { ProviderName: providerName })).status).toBe(201);
    tenantId = tenant.tenantId;
    dump = (await dumpOf(tenantId)).dump;
    await erase(tenantId);
  });

  /** Restores `changed`, expects `outcome`, and checks the object, the snapshot and the signer index hold nothing. */
  async function expectRefused(changed: TenantDump | Uint8Array, outcome: Record<string, unknown>): Promise<void> {
    const payload = changed instanceof Uint8Array ? changed : payloadOf(changed);
    expect(await tenantObject(env, tenantId).tenant().backup().restore(tenantId, payload, ACTOR)).toEqual(outcome);
    expect(await tenantRowCount(tenantId)).toBe(0);
    expect(await env.SNAPSHOTS.get(snapshotKey(tenantId))).toBeNull();
    expect(await env.SNAPSHOTS.get(signerKey(providerName))).toBeNull();
  }

  const invalid = (problem: string) => ({ outcome: "invalid-payload", problem });

  it("of a newer schema version, naming both versions", async () => {
    await expectRefused(
      { ...dump, schemaVersion: SCHEMA_VERSION + 1 },
      { outcome: "schema-newer", backupVersion: SCHEMA_VERSION + 1, deploymentVersion: SCHEMA_VERSION },
    );
  });

  it("whose data key does not open its seeds", async () => {
    const seedId = dump.tables.key_seeds!.rows[0]![0];
    await expectRefused(
      { ...dump, dataKey: randomBase64(32) },
      invalid(`key seed ${String(seedId)} does not open under the data key the backup carries`),
    );
  });

  it("that is not a dump, or is another tenant's, or whose tables do not fit the schema", async () => {
    await expectRefused(utf8("{"), invalid("the payload is not UTF-8 JSON"));
    await expectRefused(Uint8Array.of(0xff, 0xfe), invalid("the payload is not UTF-8 JSON"));
    await expectRefused({ ...dump, format: 2 } as unknown as TenantDump, invalid("the payload is not a tenant dump of format 1"));
    await expectRefused({ ...dump, tenantId: crypto.randomUUID() }, invalid("the tenant table must hold this tenant's row alone"));
    await expectRefused({ ...dump, dataKey: randomBase64(16) }, invalid("the data key must be base64 of 32 bytes"));
    const tables = dump.tables;
    await expectRefused(
      { ...dump, tables: { ...tables, 'x"; DROP TABLE tenant; --': { columns: [], rows: [] } } },
      invalid('table x"; DROP TABLE tenant; -- is not in its schema version'),
    );
    const credentials = tables.credentials!;
    await expectRefused(
      {
        ...dump,
        tables: {
          ...tables,
          credentials: { columns: [...credentials.columns, "surprise"], rows: credentials.rows.map((row) => [...row, 1]) },
        },
      },
      invalid("table credentials has no column surprise in its schema version"),
    );
    await expectRefused(
      { ...dump, tables: { ...tables, credentials: { ...credentials, rows: [...credentials.rows, ...credentials.rows] } } },
      invalid("a row of table credentials breaks its constraints"),
    );
    await expectRefused(
      { ...dump, tables: { ...tables, credentials: { ...credentials, rows: [credentials.rows[0]!.slice(1)] } } },
      invalid("a row of table credentials breaks its constraints"),
    );
    await expectRefused(
      { ...dump, tables: { ...tables, credentials: "rows" as unknown as DumpedTable } },
      invalid("its tables are not columns and rows"),
    );
  });

  it("while another tenant here holds one of its Widevine provider names, which keeps its claim", async () => {
    const other = await tenantWithTestSeed();
    expect((await api(other, "POST", "/api/WidevineProtectionInfoCredentials", { ProviderName: providerName })).status).toBe(201);
    expect(await tenantObject(env, tenantId).tenant().backup().restore(tenantId, payloadOf(dump), ACTOR)).toEqual({
      outcome: "provider-name-taken",
      providerName,
    });
    expect(await tenantRowCount(tenantId)).toBe(0);
    expect(await env.SNAPSHOTS.get(signerKey(providerName))).toBe(other.tenantId);
    const list = await api(other, "GET", "/api/WidevineProtectionInfoCredentials");
    expect((await list.json<{ ProviderName: string }[]>()).map((signer) => signer.ProviderName)).toEqual([providerName]);
    await erase(other.tenantId);
  });

  it("of schema version 8 is upgraded by the steps after it; a second restore of the tenant is refused as existing", async () => {
    const tenant = dump.tables.tenant!;
    const kept = tenant.columns
      .map((column, index) => ({ column, index }))
      .filter(({ column }) => column !== "suspended_at" && column !== "delete_at");
    // The tables version 8 had: those its steps create, and meta (made by migrate itself).
    const tablesOf8 = new Set([
      "meta",
      ...TENANT_MIGRATIONS.filter((step) => step.version <= 8).flatMap((step) => /^CREATE TABLE (\w+)/.exec(step.sql)?.[1] ?? []),
    ]);
    const version8: TenantDump = {
      ...dump,
      schemaVersion: 8,
      tables: {
        ...Object.fromEntries(Object.entries(dump.tables).filter(([name]) => tablesOf8.has(name))),
        tenant: { columns: kept.map(({ column }) => column), rows: tenant.rows.map((row) => kept.map(({ index }) => row[index]!)) },
      },
    };
    expect(await tenantObject(env, tenantId).tenant().backup().restore(tenantId, payloadOf(version8), ACTOR)).toMatchObject({
      outcome: "restored",
    });
    const rows = await allRows(tenantId);
    expect(rows.tenant).toMatchObject([{ id: tenantId, suspended_at: null, delete_at: null }]);
    expect(rows.meta!.find((row) => row.name === "schema_version")!.value).toBe(String(SCHEMA_VERSION));
    expect(await env.SNAPSHOTS.get(signerKey(providerName))).toBe(tenantId);
    expect(await tenantObject(env, tenantId).tenant().backup().restore(tenantId, payloadOf(dump), ACTOR)).toEqual({
      outcome: "tenant-exists",
    });
  });
});

describe("POST /admin/tenants/restore reads only a backup document of bounded size", () => {
  const restore = (contentType: string, body: BodyInit) =>
    new Deployment({}).fetch("/admin/tenants/restore", {
      method: "POST",
      headers: { Authorization: ADMIN.Authorization, "Content-Type": contentType },
      body,
    });

  it("answers 415 for another media type, naming the backup's", async () => {
    const response = await restore("application/json", "{}");
    expect(response.status).toBe(415);
    expect(await response.json()).toEqual({ error: `Content-Type must be ${BACKUP_CONTENT_TYPE}` });
  });

  it("answers 413 for a body over MAX_BACKUP_BYTES, sent without a length, before reading the rest", async () => {
    const chunk = new Uint8Array(1024 * 1024);
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent > MAX_BACKUP_BYTES) return controller.close();
        sent += chunk.length;
        controller.enqueue(chunk);
      },
    });
    const response = await restore(BACKUP_CONTENT_TYPE, body);
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({ error: `Request body exceeds ${MAX_BACKUP_BYTES} bytes` });
  });
});
