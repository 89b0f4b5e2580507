import type { MigrationStep } from "../schema";
import type { TenantSettings } from "../settings";
import { resolveTenantPolicy, type TenantPolicy } from "../tenant-policy";

/** The `settings` table: one row per setting that is set, its value as JSON. */
export class SettingsStore {
  static readonly migrations: readonly MigrationStep[] = [
    { version: 1, sql: `CREATE TABLE settings (name TEXT PRIMARY KEY, value TEXT NOT NULL)` },
  ];

  readonly #sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
  }

  read(): TenantSettings {
    // Defined, not assigned: a row named __proto__ (a crafted backup's) is a setting of that name, which a restore
    // refuses (settings-rules.ts), and never the prototype every other setting is then read through.
    const rows = this.#sql.exec<{ name: string; value: string }>("SELECT name, value FROM settings ORDER BY name").toArray();
    return Object.fromEntries(rows.map((row) => [row.name, JSON.parse(row.value)])) as TenantSettings;
  }

  /** The policy the stored settings put in force, defaults applied. */
  policy(): TenantPolicy {
    return resolveTenantPolicy(this.read());
  }

  /** Replaces every setting (PUT semantics): a setting left out is unset. */
  replace(settings: TenantSettings): void {
    this.#sql.exec("DELETE FROM settings");
    for (const [name, value] of Object.entries(settings)) {
      if (value !== undefined) this.#sql.exec("INSERT INTO settings (name, value) VALUES (?, ?)", name, JSON.stringify(value));
    }
  }
}
