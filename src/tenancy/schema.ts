/**
 * One store's DDL for one schema version of the tenant object (docs/storage.md). Each store declares the steps
 * for its own tables; the object runs every store's step of a version together, then records that version.
 */
export interface MigrationStep {
  /** The `meta.schema_version` this step brings the object to; versions run in order, each once. */
  readonly version: number;
  readonly sql: string;
}

/**
 * Applies the versions this object has not run yet, each version's steps in the order given; `meta.schema_version`
 * records how far it got.
 */
export function migrate(sql: SqlStorage, steps: readonly MigrationStep[]): void {
  sql.exec("CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)");
  const applied = appliedSchemaVersion(sql);
  const latest = latestSchemaVersion(steps);
  for (let version = applied + 1; version <= latest; version++) {
    for (const step of steps) if (step.version === version) sql.exec(step.sql);
    sql.exec(
      "INSERT INTO meta (name, value) VALUES ('schema_version', ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value",
      String(version),
    );
  }
}

/** The version `migrate` brought this database to (`meta.schema_version`); 0 before it ran. */
export function appliedSchemaVersion(sql: SqlStorage): number {
  return Number(sql.exec<{ value: string }>("SELECT value FROM meta WHERE name = 'schema_version'").toArray()[0]?.value ?? "0");
}

/** The version the given steps bring a database to: the highest they name. */
export function latestSchemaVersion(steps: readonly MigrationStep[]): number {
  return Math.max(0, ...steps.map((step) => step.version));
}
