import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { migrate } from "../../src/tenancy/schema";
import { TENANT_MIGRATIONS } from "../../src/tenancy/stores/tenant-stores";
import { api, createTenant } from "./support/api";

/**
 * The tables schema version 3 creates (docs/storage.md), as SQLite records them, whitespace collapsed. Objects
 * already deployed hold exactly these, so code that moves a table's SQL elsewhere must still create them alike.
 */
const SCHEMA_VERSION_3 = [
  "credentials: CREATE TABLE credentials (id TEXT PRIMARY KEY, kind TEXT NOT NULL, scopes TEXT NOT NULL, secret_hash TEXT NOT NULL, created TEXT NOT NULL, revoked TEXT)",
  "default_switch: CREATE TABLE default_switch (singleton INTEGER PRIMARY KEY CHECK (singleton = 1), current_seed_id TEXT NOT NULL, next_seed_id TEXT, effective_at TEXT)",
  "issuance_log: CREATE TABLE issuance_log (seq INTEGER PRIMARY KEY AUTOINCREMENT, time TEXT NOT NULL, protocol TEXT NOT NULL, content_id TEXT, kids TEXT NOT NULL, key_seed_id TEXT NOT NULL, credential TEXT NOT NULL)",
  "key_seeds: CREATE TABLE key_seeds (id TEXT PRIMARY KEY, name TEXT NOT NULL, sealed_value TEXT NOT NULL, created TEXT NOT NULL, updated TEXT NOT NULL, generated INTEGER NOT NULL, made_default TEXT, made_default_seq INTEGER)",
  "meta: CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
  "seed_protection: CREATE TABLE seed_protection (seed_id TEXT PRIMARY KEY, until TEXT NOT NULL)",
  "settings: CREATE TABLE settings (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
  "sqlite_sequence: CREATE TABLE sqlite_sequence(name,seq)",
  "tenant: CREATE TABLE tenant (id TEXT PRIMARY KEY, name TEXT NOT NULL, created TEXT NOT NULL, wrapped_data_key TEXT NOT NULL, data_key_version INTEGER NOT NULL)",
  "widevine_credentials: CREATE TABLE widevine_credentials (id TEXT PRIMARY KEY, provider_name TEXT NOT NULL UNIQUE, sealed_aes_material TEXT, rsa_public_key_spki TEXT, key_seed_id TEXT, created TEXT NOT NULL)",
];

/**
 * Schema version 4: credentials gain a name and an expiry, issuance rows an id (deduplicating retried batches), and
 * the audit log appears; every other table is as version 3 left it.
 */
const VERSION_4_CHANGES: Readonly<Record<string, string>> = {
  credentials:
    "credentials: CREATE TABLE credentials (id TEXT PRIMARY KEY, kind TEXT NOT NULL, scopes TEXT NOT NULL, secret_hash TEXT NOT NULL, created TEXT NOT NULL, revoked TEXT, name TEXT NOT NULL DEFAULT 'Management key', expires_at TEXT)",
  issuance_log:
    "issuance_log: CREATE TABLE issuance_log (seq INTEGER PRIMARY KEY AUTOINCREMENT, time TEXT NOT NULL, protocol TEXT NOT NULL, content_id TEXT, kids TEXT NOT NULL, key_seed_id TEXT NOT NULL, credential TEXT NOT NULL, id TEXT)",
};
const SCHEMA_VERSION_4 = [
  "audit_log: CREATE TABLE audit_log (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, time TEXT NOT NULL, category INTEGER NOT NULL, action TEXT NOT NULL, object_id TEXT, request_path TEXT NOT NULL, credential TEXT NOT NULL)",
  ...SCHEMA_VERSION_3.map((table) => VERSION_4_CHANGES[table.slice(0, table.indexOf(":"))] ?? table),
].sort();

/** Schema version 5: CPIX signing keys and trusted requesters (src/tenancy/stores/signing-key-store.ts, trusted-requester-store.ts). */
const SCHEMA_VERSION_5 = [
  ...SCHEMA_VERSION_4,
  "signing_keys: CREATE TABLE signing_keys (id TEXT PRIMARY KEY, subject TEXT NOT NULL, fingerprint TEXT NOT NULL, not_after TEXT NOT NULL, certificate TEXT NOT NULL, sealed_private_key TEXT NOT NULL, created TEXT NOT NULL)",
  "trusted_requesters: CREATE TABLE trusted_requesters (id TEXT PRIMARY KEY, subject TEXT NOT NULL, fingerprint TEXT NOT NULL UNIQUE, not_after TEXT NOT NULL, certificate TEXT NOT NULL, created TEXT NOT NULL)",
].sort();

/** Schema version 6: stored content keys and the deletes whose KV records are still to go (content-key-store.ts, content-key-removal-store.ts). */
const SCHEMA_VERSION_6 = [
  ...SCHEMA_VERSION_5,
  "content_key_removals: CREATE TABLE content_key_removals (id TEXT PRIMARY KEY, deleted TEXT NOT NULL, reusable_from TEXT NOT NULL, record_removed INTEGER NOT NULL DEFAULT 0)",
  "content_keys: CREATE TABLE content_keys (id TEXT PRIMARY KEY, name TEXT NOT NULL, sealed_value TEXT NOT NULL, iv TEXT, created TEXT NOT NULL, updated TEXT NOT NULL, creation_method INTEGER NOT NULL, published INTEGER NOT NULL DEFAULT 0)",
].sort();

/** Schema version 7: issuance records name the KIDs answered with a stored content key (issuance-store.ts). */
const SCHEMA_VERSION_7 = SCHEMA_VERSION_6.map((table) =>
  table.startsWith("issuance_log:") ? table.replace(/\)$/, ", stored_kids TEXT)") : table,
);

/** Schema version 8: credentials name the acquisition protocols they may speak (credential-store.ts; NULL: every one). */
const SCHEMA_VERSION_8 = SCHEMA_VERSION_7.map((table) =>
  table.startsWith("credentials:") ? table.replace(/\)$/, ", protocols TEXT)") : table,
);

/** Schema version 9: the tenant records its suspension and a pending deletion (tenant-record-store.ts; NULL: neither). */
const SCHEMA_VERSION_9 = SCHEMA_VERSION_8.map((table) =>
  table.startsWith("tenant:") ? table.replace(/\)$/, ", suspended_at TEXT, delete_at TEXT)") : table,
);

/** Schema version 10: usage counted per hour and protocol, and the content ids of each (usage-store.ts). */
const SCHEMA_VERSION_10 = [
  ...SCHEMA_VERSION_9,
  "usage_content_ids: CREATE TABLE usage_content_ids (hour TEXT NOT NULL, protocol TEXT NOT NULL, content_id TEXT NOT NULL, PRIMARY KEY (hour, protocol, content_id)) WITHOUT ROWID",
  "usage_hours: CREATE TABLE usage_hours (hour TEXT NOT NULL, protocol TEXT NOT NULL, acquisitions INTEGER NOT NULL, keys INTEGER NOT NULL, PRIMARY KEY (hour, protocol)) WITHOUT ROWID",
].sort();

/** Indexes of version 4 (SQLite's own automatic ones left out). */
const INDEXES_VERSION_4 = [
  "audit_log_time: CREATE INDEX audit_log_time ON audit_log (time)",
  "issuance_log_id: CREATE UNIQUE INDEX issuance_log_id ON issuance_log (id)",
  "issuance_log_time: CREATE INDEX issuance_log_time ON issuance_log (time)",
];

/** Indexes of version 6: version 4's and the content-key list orders and publication queue. */
const INDEXES_VERSION_6 = [
  ...INDEXES_VERSION_4,
  "content_keys_created: CREATE INDEX content_keys_created ON content_keys (created)",
  "content_keys_name: CREATE INDEX content_keys_name ON content_keys (name)",
  "content_keys_unpublished: CREATE INDEX content_keys_unpublished ON content_keys (published) WHERE published = 0",
].sort();

function tenantStub(tenantId: string) {
  return env.TENANTS.get(env.TENANTS.idFromName(tenantId));
}

function schemaOf(sql: SqlStorage): { tables: string[]; version: string | undefined } {
  const tables = sql
    .exec<{ name: string; sql: string }>("SELECT name, sql FROM sqlite_master WHERE type = 'table' ORDER BY name")
    .toArray()
    .map((row) => `${row.name}: ${row.sql.replace(/\s+/g, " ")}`);
  const version = sql.exec<{ value: string }>("SELECT value FROM meta WHERE name = 'schema_version'").toArray()[0]?.value;
  return { tables, version };
}

function indexesOf(sql: SqlStorage): string[] {
  return sql
    .exec<{ name: string; sql: string }>("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name")
    .toArray()
    .map((row) => `${row.name}: ${row.sql.replace(/\s+/g, " ")}`);
}

/** Turns a version-10 object back into what version 9 left: no usage tables. */
function downgradeToVersion9(sql: SqlStorage): void {
  for (const table of ["usage_hours", "usage_content_ids"]) sql.exec(`DROP TABLE ${table}`);
  sql.exec("UPDATE meta SET value = '9' WHERE name = 'schema_version'");
}

/** Turns a version-10 object back into what version 8 left: a tenant without suspension or deletion. */
function downgradeToVersion8(sql: SqlStorage): void {
  downgradeToVersion9(sql);
  for (const column of ["suspended_at", "delete_at"]) sql.exec(`ALTER TABLE tenant DROP COLUMN ${column}`);
  sql.exec("UPDATE meta SET value = '8' WHERE name = 'schema_version'");
}

/** Turns a version-9 object back into what version 7 left: credentials without protocols. */
function downgradeToVersion7(sql: SqlStorage): void {
  downgradeToVersion8(sql);
  sql.exec("ALTER TABLE credentials DROP COLUMN protocols");
  sql.exec("UPDATE meta SET value = '7' WHERE name = 'schema_version'");
}

/** Turns a version-8 object back into what version 6 left: issuance rows without stored KIDs. */
function downgradeToVersion6(sql: SqlStorage): void {
  downgradeToVersion7(sql);
  sql.exec("ALTER TABLE issuance_log DROP COLUMN stored_kids");
  sql.exec("UPDATE meta SET value = '6' WHERE name = 'schema_version'");
}

/** Turns a version-8 object back into what version 5 left: no content-key tables. */
function downgradeToVersion5(sql: SqlStorage): void {
  downgradeToVersion6(sql);
  for (const table of ["content_keys", "content_key_removals"]) sql.exec(`DROP TABLE ${table}`);
  sql.exec("UPDATE meta SET value = '5' WHERE name = 'schema_version'");
}

/** Turns a version-6 object back into what version 3 left: no signing keys, trusted requesters or audit log, no new columns or indexes. */
function downgradeToVersion3(sql: SqlStorage): void {
  downgradeToVersion5(sql);
  for (const table of ["signing_keys", "trusted_requesters"]) sql.exec(`DROP TABLE ${table}`);
  sql.exec("DROP TABLE audit_log");
  for (const index of ["issuance_log_id", "issuance_log_time"]) sql.exec(`DROP INDEX ${index}`);
  sql.exec("ALTER TABLE issuance_log DROP COLUMN id");
  for (const column of ["name", "expires_at"]) sql.exec(`ALTER TABLE credentials DROP COLUMN ${column}`);
  sql.exec("UPDATE meta SET value = '3' WHERE name = 'schema_version'");
}

const KID = "0f083e4e-b831-4a3d-917e-ce78076e1234";

describe("tenant object schema", () => {
  it("creates the tables of schema version 10: version 5's (version 4's, signing_keys, trusted_requesters), content_keys, content_key_removals, issuance_log.stored_kids credentials.protocols, tenant.suspended_at and tenant.delete_at, usage_hours and usage_content_ids", async () => {
    const tenant = await createTenant();
    const schema = await runInDurableObject(tenantStub(tenant.tenantId), (_instance, state) => ({
      ...schemaOf(state.storage.sql),
      indexes: indexesOf(state.storage.sql),
    }));
    expect(schema).toEqual({ tables: SCHEMA_VERSION_10, version: "10", indexes: INDEXES_VERSION_6 });
  });

  it("brings an object written at schema version 3 up to version 10, keeping its credentials and issuance rows", async () => {
    const tenant = await createTenant();
    const result = await runInDurableObject(tenantStub(tenant.tenantId), (_instance, state) => {
      const sql = state.storage.sql;
      downgradeToVersion3(sql);
      const asVersion3 = schemaOf(sql);
      for (const content of ["a", "b"]) {
        sql.exec(
          "INSERT INTO issuance_log (time, protocol, content_id, kids, key_seed_id, credential) VALUES (?, 'cpix', ?, '[]', 's', 'c')",
          "2026-11-23T12:00:00.000Z",
          content,
        );
      }
      migrate(sql, TENANT_MIGRATIONS);
      return {
        asVersion3,
        upgraded: { ...schemaOf(sql), indexes: indexesOf(sql) },
        credentials: sql.exec<{ name: string; expires_at: string | null }>("SELECT name, expires_at FROM credentials").toArray(),
        issuanceIds: sql
          .exec<{ id: string }>("SELECT id FROM issuance_log ORDER BY seq")
          .toArray()
          .map((row) => row.id),
      };
    });
    expect(result.asVersion3).toEqual({ tables: SCHEMA_VERSION_3, version: "3" });
    expect(result.upgraded).toEqual({ tables: SCHEMA_VERSION_10, version: "10", indexes: INDEXES_VERSION_6 });
    expect(result.credentials).toEqual([{ name: "Management key", expires_at: null }]);
    expect(result.issuanceIds).toHaveLength(2);
    for (const id of result.issuanceIds) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Set(result.issuanceIds).size).toBe(2);
  });

  it("brings an object written at schema version 2 up to the latest version by running only the missing steps, keeping its rows", async () => {
    const tenant = await createTenant();
    const result = await runInDurableObject(tenantStub(tenant.tenantId), (_instance, state) => {
      const sql = state.storage.sql;
      const countSeeds = () => sql.exec<{ n: number }>("SELECT count(*) AS n FROM key_seeds").one().n;
      // An object as version 2 left it: every table of version 3 but seed_protection.
      downgradeToVersion3(sql);
      sql.exec("DROP TABLE seed_protection");
      sql.exec("UPDATE meta SET value = '2' WHERE name = 'schema_version'");
      const seedsBefore = countSeeds();
      migrate(sql, TENANT_MIGRATIONS);
      const upgraded = schemaOf(sql);
      migrate(sql, TENANT_MIGRATIONS);
      return { seedsBefore, seedsAfter: countSeeds(), upgraded, again: schemaOf(sql) };
    });
    expect(result.upgraded).toEqual({ tables: SCHEMA_VERSION_10, version: "10" });
    expect(result.again).toEqual(result.upgraded);
    expect(result.seedsAfter).toBe(result.seedsBefore);
    expect(result.seedsBefore).toBe(1);
  });

  it("brings an object written at schema version 5 up to version 10: empty content-key tables, every seed and credential kept, keys then stored", async () => {
    const tenant = await createTenant();
    const result = await runInDurableObject(tenantStub(tenant.tenantId), (_instance, state) => {
      const sql = state.storage.sql;
      downgradeToVersion5(sql);
      const asVersion5 = schemaOf(sql);
      const count = (table: string) => sql.exec<{ n: number }>(`SELECT count(*) AS n FROM ${table}`).one().n;
      const before = { seeds: count("key_seeds"), credentials: count("credentials") };
      migrate(sql, TENANT_MIGRATIONS);
      return {
        asVersion5,
        upgraded: { ...schemaOf(sql), indexes: indexesOf(sql) },
        before,
        after: { seeds: count("key_seeds"), credentials: count("credentials"), contentKeys: count("content_keys") },
      };
    });
    expect(result.asVersion5).toEqual({ tables: SCHEMA_VERSION_5, version: "5" });
    expect(result.upgraded).toEqual({ tables: SCHEMA_VERSION_10, version: "10", indexes: INDEXES_VERSION_6 });
    expect(result.after).toEqual({ ...result.before, contentKeys: 0 });
    const created = await api(tenant, "POST", "/api/ContentKeys", { Name: "after the upgrade" });
    expect(created.status).toBe(201);
  });

  it("brings an object written at schema version 6 up to version 10: issuance rows kept, listed with no stored KIDs", async () => {
    const tenant = await createTenant();
    const result = await runInDurableObject(tenantStub(tenant.tenantId), (_instance, state) => {
      const sql = state.storage.sql;
      downgradeToVersion6(sql);
      const asVersion6 = schemaOf(sql);
      sql.exec(
        "INSERT INTO issuance_log (id, time, protocol, content_id, kids, key_seed_id, credential) VALUES (?, ?, 'cpix', 'old', ?, 's', 'c')",
        crypto.randomUUID(),
        new Date().toISOString(),
        JSON.stringify([KID]),
      );
      migrate(sql, TENANT_MIGRATIONS);
      return { asVersion6, upgraded: { ...schemaOf(sql), indexes: indexesOf(sql) } };
    });
    expect(result.asVersion6).toEqual({ tables: SCHEMA_VERSION_6, version: "6" });
    expect(result.upgraded).toEqual({ tables: SCHEMA_VERSION_10, version: "10", indexes: INDEXES_VERSION_6 });
    const listed = await (await api(tenant, "GET", "/api/Logs?category=100")).json<{ KeyIds: string[]; StoredKeyIds: string[] }[]>();
    expect(listed).toEqual([expect.objectContaining({ KeyIds: [KID], StoredKeyIds: [] })]);
  });
  it("brings an object written at schema version 7 up to version 10: its credentials kept, limited to no protocol, still answered", async () => {
    const tenant = await createTenant();
    const result = await runInDurableObject(tenantStub(tenant.tenantId), (_instance, state) => {
      const sql = state.storage.sql;
      downgradeToVersion7(sql);
      const asVersion7 = schemaOf(sql);
      migrate(sql, TENANT_MIGRATIONS);
      return {
        asVersion7,
        upgraded: { ...schemaOf(sql), indexes: indexesOf(sql) },
        protocols: sql.exec<{ protocols: string | null }>("SELECT protocols FROM credentials").toArray(),
      };
    });
    expect(result.asVersion7).toEqual({ tables: SCHEMA_VERSION_7, version: "7" });
    expect(result.upgraded).toEqual({ tables: SCHEMA_VERSION_10, version: "10", indexes: INDEXES_VERSION_6 });
    expect(result.protocols).toEqual([{ protocols: null }]);
    expect(await (await api(tenant, "GET", "/api/Credentials")).json()).toEqual([expect.objectContaining({ Protocols: null })]);
    expect((await api(tenant, "GET", `/api/Cpix/c1?kid=${KID}`)).status).toBe(200);
  });

  it("brings an object written at schema version 8 up to version 10: its tenant kept, neither suspended nor being deleted, still answered", async () => {
    const tenant = await createTenant();
    const result = await runInDurableObject(tenantStub(tenant.tenantId), (_instance, state) => {
      const sql = state.storage.sql;
      downgradeToVersion8(sql);
      const asVersion8 = schemaOf(sql);
      migrate(sql, TENANT_MIGRATIONS);
      return {
        asVersion8,
        upgraded: { ...schemaOf(sql), indexes: indexesOf(sql) },
        lifecycle: sql.exec("SELECT suspended_at, delete_at FROM tenant").toArray(),
      };
    });
    expect(result.asVersion8).toEqual({ tables: SCHEMA_VERSION_8, version: "8" });
    expect(result.upgraded).toEqual({ tables: SCHEMA_VERSION_10, version: "10", indexes: INDEXES_VERSION_6 });
    expect(result.lifecycle).toEqual([{ suspended_at: null, delete_at: null }]);
    expect((await api(tenant, "GET", `/api/Cpix/c1?kid=${KID}`)).status).toBe(200);
  });

  it("brings an object written at schema version 9 up to version 10: usage counted from its issuance rows, a full row's continuation not counted again", async () => {
    const tenant = await createTenant();
    const thousandKids = JSON.stringify(Array.from({ length: 1_000 }, () => crypto.randomUUID()));
    const result = await runInDurableObject(tenantStub(tenant.tenantId), (_instance, state) => {
      const sql = state.storage.sql;
      downgradeToVersion9(sql);
      const asVersion9 = schemaOf(sql);
      const row = (time: string, protocol: string, contentId: string | null, kids: string) =>
        sql.exec(
          "INSERT INTO issuance_log (id, time, protocol, content_id, kids, key_seed_id, credential) VALUES (?, ?, ?, ?, ?, 's', 'c')",
          crypto.randomUUID(),
          time,
          protocol,
          contentId,
          kids,
        );
      // One acquisition of 1,002 KIDs written as two rows, then two acquisitions of one KID each in the next hour.
      row("2026-11-23T12:10:00.000Z", "speke-v2.0", "movie", thousandKids);
      row("2026-11-23T12:10:00.000Z", "speke-v2.0", "movie", JSON.stringify([KID, KID]));
      row("2026-11-23T13:00:00.000Z", "speke-v2.0", "movie", JSON.stringify([KID]));
      row("2026-11-23T13:59:59.999Z", "widevine-cenc", null, JSON.stringify([KID]));
      migrate(sql, TENANT_MIGRATIONS);
      return {
        asVersion9,
        upgraded: { ...schemaOf(sql), indexes: indexesOf(sql) },
        hours: sql.exec("SELECT hour, protocol, acquisitions, keys FROM usage_hours ORDER BY hour, protocol").toArray(),
        contentIds: sql.exec("SELECT hour, protocol, content_id FROM usage_content_ids ORDER BY hour, protocol").toArray(),
      };
    });
    expect(result.asVersion9).toEqual({ tables: SCHEMA_VERSION_9, version: "9" });
    expect(result.upgraded).toEqual({ tables: SCHEMA_VERSION_10, version: "10", indexes: INDEXES_VERSION_6 });
    expect(result.hours).toEqual([
      { hour: "2026-11-23T12", protocol: "speke-v2.0", acquisitions: 1, keys: 1_002 },
      { hour: "2026-11-23T13", protocol: "speke-v2.0", acquisitions: 1, keys: 1 },
      { hour: "2026-11-23T13", protocol: "widevine-cenc", acquisitions: 1, keys: 1 },
    ]);
    expect(result.contentIds).toEqual([
      { hour: "2026-11-23T12", protocol: "speke-v2.0", content_id: "movie" },
      { hour: "2026-11-23T13", protocol: "speke-v2.0", content_id: "movie" },
    ]);
  });
});
