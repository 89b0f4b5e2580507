import type { MigrationStep } from "../schema";

/** The tenant itself: its id, name and data key, wrapped under the KEK (docs/storage.md §Keys and sealing). */
export interface TenantRecord {
  readonly id: string;
  readonly name: string;
  readonly created: string;
  readonly wrappedDataKey: string;
  readonly dataKeyVersion: number;
  /** When the operator suspended it (issue 28); absent while it serves requests. */
  readonly suspendedAt?: string;
  /** When its alarm erases it (a suspended tenant the operator deleted); absent unless a deletion is pending. */
  readonly deleteAt?: string;
}

interface TenantRow extends Record<string, SqlStorageValue> {
  id: string;
  name: string;
  created: string;
  wrapped_data_key: string;
  data_key_version: number;
  suspended_at: string | null;
  delete_at: string | null;
}

/** The `tenant` table: one row once the tenant exists, none before. */
export class TenantRecordStore {
  static readonly migrations: readonly MigrationStep[] = [
    {
      version: 1,
      sql:
        `CREATE TABLE tenant (id TEXT PRIMARY KEY, name TEXT NOT NULL, created TEXT NOT NULL, ` +
        `wrapped_data_key TEXT NOT NULL, data_key_version INTEGER NOT NULL)`,
    },
    { version: 9, sql: "ALTER TABLE tenant ADD COLUMN suspended_at TEXT" },
    { version: 9, sql: "ALTER TABLE tenant ADD COLUMN delete_at TEXT" },
  ];

  readonly #sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
  }

  /** The tenant this object holds, or undefined before it was created. */
  read(): TenantRecord | undefined {
    const row = this.#sql
      .exec<TenantRow>("SELECT id, name, created, wrapped_data_key, data_key_version, suspended_at, delete_at FROM tenant LIMIT 1")
      .toArray()[0];
    return (
      row && {
        id: row.id,
        name: row.name,
        created: row.created,
        wrappedDataKey: row.wrapped_data_key,
        dataKeyVersion: row.data_key_version,
        ...(row.suspended_at !== null && { suspendedAt: row.suspended_at }),
        ...(row.delete_at !== null && { deleteAt: row.delete_at }),
      }
    );
  }

  /** Records the tenant; call inside the transaction that creates it. */
  create(tenant: TenantRecord): void {
    this.#sql.exec(
      "INSERT INTO tenant (id, name, created, wrapped_data_key, data_key_version) VALUES (?, ?, ?, ?, ?)",
      tenant.id,
      tenant.name,
      tenant.created,
      tenant.wrappedDataKey,
      tenant.dataKeyVersion,
    );
  }

  /** Renames the tenant; inside a transaction. */
  rename(name: string): void {
    this.#sql.exec("UPDATE tenant SET name = ?", name);
  }

  /** Suspends the tenant from `at`, or resumes it (`null`), which also cancels a pending deletion; inside a transaction. */
  setSuspended(at: string | null): void {
    this.#sql.exec("UPDATE tenant SET suspended_at = ?, delete_at = CASE WHEN ? IS NULL THEN NULL ELSE delete_at END", at, at);
  }

  /** Schedules the erasure of a suspended tenant at `at`; inside a transaction. */
  scheduleDeletion(at: string): void {
    this.#sql.exec("UPDATE tenant SET delete_at = ?", at);
  }

  /** Replaces the wrapped data key (KEK rotation: the same data key, wrapped under another KEK); inside a transaction. */
  replaceWrappedDataKey(wrappedDataKey: string): void {
    this.#sql.exec("UPDATE tenant SET wrapped_data_key = ?", wrappedDataKey);
  }
}
