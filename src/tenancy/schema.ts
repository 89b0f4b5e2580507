/** SQLite schema of the tenant Durable Object (docs/storage.md), migrated in order by version. */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE tenant (id TEXT PRIMARY KEY, name TEXT NOT NULL, created TEXT NOT NULL,
     wrapped_data_key TEXT NOT NULL, data_key_version INTEGER NOT NULL);
   CREATE TABLE credentials (id TEXT PRIMARY KEY, kind TEXT NOT NULL, scopes TEXT NOT NULL,
     secret_hash TEXT NOT NULL, created TEXT NOT NULL, revoked TEXT);
   CREATE TABLE key_seeds (id TEXT PRIMARY KEY, name TEXT NOT NULL, sealed_value TEXT NOT NULL,
     created TEXT NOT NULL, updated TEXT NOT NULL, generated INTEGER NOT NULL,
     made_default TEXT, made_default_seq INTEGER);
   CREATE TABLE default_switch (singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
     current_seed_id TEXT NOT NULL, next_seed_id TEXT, effective_at TEXT);
   CREATE TABLE settings (name TEXT PRIMARY KEY, value TEXT NOT NULL);
   CREATE TABLE issuance_log (seq INTEGER PRIMARY KEY AUTOINCREMENT, time TEXT NOT NULL, protocol TEXT NOT NULL,
     content_id TEXT, kids TEXT NOT NULL, key_seed_id TEXT NOT NULL, credential TEXT NOT NULL);`,
  // Widevine CENC API signing credentials: AES key+IV sealed under the data key, or an RSA public key (not secret).
  `CREATE TABLE widevine_credentials (id TEXT PRIMARY KEY, provider_name TEXT NOT NULL UNIQUE,
     sealed_aes_material TEXT, rsa_public_key_spki TEXT, key_seed_id TEXT, created TEXT NOT NULL);`,
  // Seeds a withdrawn pending switch named: edges holding that switch may still flip to them until `until`.
  `CREATE TABLE seed_protection (seed_id TEXT PRIMARY KEY, until TEXT NOT NULL);`,
];

/** Applies the migrations this object has not run yet; `meta.schema_version` records how far it got. */
export function migrate(sql: SqlStorage): void {
  sql.exec("CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)");
  const applied = Number(sql.exec<{ value: string }>("SELECT value FROM meta WHERE name = 'schema_version'").toArray()[0]?.value ?? "0");
  for (let version = applied; version < MIGRATIONS.length; version++) {
    sql.exec(MIGRATIONS[version]!);
    sql.exec(
      "INSERT INTO meta (name, value) VALUES ('schema_version', ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value",
      String(version + 1),
    );
  }
}
