import type { MigrationStep } from "../schema";
import type { DefaultSeedSwitch } from "../snapshot";

/**
 * The `default_switch` and `seed_protection` tables, used by KeySeedStore: the published default-seed switch,
 * and the seeds some location may still issue keys from (a retired default, a withdrawn switch's seed), which stay
 * undeletable until then.
 */
export class DefaultSwitchStore {
  static readonly migrations: readonly MigrationStep[] = [
    {
      version: 1,
      sql:
        `CREATE TABLE default_switch (singleton INTEGER PRIMARY KEY CHECK (singleton = 1), ` +
        `current_seed_id TEXT NOT NULL, next_seed_id TEXT, effective_at TEXT)`,
    },
    // Seeds some location may still use until `until`: a retired default, or the seed a withdrawn switch named.
    { version: 3, sql: `CREATE TABLE seed_protection (seed_id TEXT PRIMARY KEY, until TEXT NOT NULL)` },
  ];

  readonly #sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
  }

  /** The switch as last published, or undefined before the tenant has a seed. */
  read(): DefaultSeedSwitch | undefined {
    const row = this.#sql
      .exec<{ current_seed_id: string; next_seed_id: string | null; effective_at: string | null }>(
        "SELECT current_seed_id, next_seed_id, effective_at FROM default_switch WHERE singleton = 1",
      )
      .toArray()[0];
    return row && { current: row.current_seed_id, next: row.next_seed_id, effectiveAt: row.effective_at };
  }

  write(value: DefaultSeedSwitch): void {
    this.#sql.exec(
      "INSERT INTO default_switch (singleton, current_seed_id, next_seed_id, effective_at) VALUES (1, ?, ?, ?) " +
        "ON CONFLICT(singleton) DO UPDATE SET current_seed_id = excluded.current_seed_id, next_seed_id = excluded.next_seed_id, effective_at = excluded.effective_at",
      value.current,
      value.next,
      value.effectiveAt,
    );
  }

  /** Keeps a seed undeletable until `until` (ISO 8601); a later instant already recorded wins. */
  protect(seedId: string, until: string): void {
    this.#sql.exec(
      "INSERT INTO seed_protection (seed_id, until) VALUES (?, ?) ON CONFLICT(seed_id) DO UPDATE SET until = max(until, excluded.until)",
      seedId,
      until,
    );
  }

  protectedUntil(seedId: string): string | undefined {
    return this.#sql.exec<{ until: string }>("SELECT until FROM seed_protection WHERE seed_id = ?", seedId).toArray()[0]?.until;
  }
}
