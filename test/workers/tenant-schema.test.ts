import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { migrate } from "../../src/tenancy/schema";
import { TENANT_MIGRATIONS } from "../../src/tenancy/stores/tenant-stores";
import { createTenant } from "./support/api";

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

describe("tenant object schema", () => {
  it("creates the tables of schema version 3, so objects already deployed need no data migration", async () => {
    const tenant = await createTenant();
    const schema = await runInDurableObject(tenantStub(tenant.tenantId), (_instance, state) => schemaOf(state.storage.sql));
    expect(schema).toEqual({ tables: SCHEMA_VERSION_3, version: "3" });
  });

  it("brings an object written at schema version 2 up to version 3 by running only the missing step, keeping its rows", async () => {
    const tenant = await createTenant();
    const result = await runInDurableObject(tenantStub(tenant.tenantId), (_instance, state) => {
      const sql = state.storage.sql;
      const countSeeds = () => sql.exec<{ n: number }>("SELECT count(*) AS n FROM key_seeds").one().n;
      // An object as version 2 left it: every table but seed_protection.
      sql.exec("DROP TABLE seed_protection");
      sql.exec("UPDATE meta SET value = '2' WHERE name = 'schema_version'");
      const seedsBefore = countSeeds();
      migrate(sql, TENANT_MIGRATIONS);
      const upgraded = schemaOf(sql);
      migrate(sql, TENANT_MIGRATIONS);
      return { seedsBefore, seedsAfter: countSeeds(), upgraded, again: schemaOf(sql) };
    });
    expect(result.upgraded).toEqual({ tables: SCHEMA_VERSION_3, version: "3" });
    expect(result.again).toEqual(result.upgraded);
    expect(result.seedsAfter).toBe(result.seedsBefore);
    expect(result.seedsBefore).toBe(1);
  });
});
