import type { MigrationStep } from "../schema";

/** The tenant itself: its id, name and data key, wrapped under the KEK (docs/storage.md §Keys and sealing). */
export interface TenantRecord {
  readonly id: string;
  readonly name: string;
  readonly created: string;
  readonly wrappedDataKey: string;
  readonly dataKeyVersion: number;
}

interface TenantRow extends Record<string, SqlStorageValue> {
  id: string;
  name: string;
  created: string;
  wrapped_data_key: string;
  data_key_version: number;
}

/** The `tenant` table: one row once the tenant exists, none before. */
export class TenantRecordStore {
  static readonly migrations: readonly MigrationStep[] = [
    {
      version: 1,
      sql: `CREATE TABLE tenant (id TEXT PRIMARY KEY, name TEXT NOT NULL, created TEXT NOT NULL,
     wrapped_data_key TEXT NOT NULL, data_key_version INTEGER NOT NULL)`,
    },
  ];

  readonly #sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
  }

  /** The tenant this object holds, or undefined before it was created. */
  read(): TenantRecord | undefined {
    const row = this.#sql.exec<TenantRow>("SELECT id, name, created, wrapped_data_key, data_key_version FROM tenant LIMIT 1").toArray()[0];
    return (
      row && {
        id: row.id,
        name: row.name,
        created: row.created,
        wrappedDataKey: row.wrapped_data_key,
        dataKeyVersion: row.data_key_version,
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

  /** Replaces the wrapped data key (KEK rotation: the same data key, wrapped under another KEK); inside a transaction. */
  replaceWrappedDataKey(wrappedDataKey: string): void {
    this.#sql.exec("UPDATE tenant SET wrapped_data_key = ?", wrappedDataKey);
  }
}
