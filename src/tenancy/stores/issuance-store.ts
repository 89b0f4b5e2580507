import type { MigrationStep } from "../schema";
import type { IssuanceRecord, Page } from "../tenant-types";

interface IssuanceRow extends Record<string, SqlStorageValue> {
  time: string;
  protocol: string;
  content_id: string | null;
  kids: string;
  key_seed_id: string;
  credential: string;
}

/** The `issuance_log` table: one row per answered acquisition, never a key value (docs/storage.md). */
export class IssuanceStore {
  static readonly migrations: readonly MigrationStep[] = [
    {
      version: 1,
      sql: `CREATE TABLE issuance_log (seq INTEGER PRIMARY KEY AUTOINCREMENT, time TEXT NOT NULL, protocol TEXT NOT NULL,
     content_id TEXT, kids TEXT NOT NULL, key_seed_id TEXT NOT NULL, credential TEXT NOT NULL)`,
    },
  ];

  readonly #sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
  }

  append(records: readonly IssuanceRecord[]): void {
    for (const record of records) {
      this.#sql.exec(
        "INSERT INTO issuance_log (time, protocol, content_id, kids, key_seed_id, credential) VALUES (?, ?, ?, ?, ?, ?)",
        record.time,
        record.protocol,
        record.contentId,
        JSON.stringify(record.kids),
        record.keySeedId,
        record.credential,
      );
    }
  }

  /** Records newest first, paged. */
  page(paging: { top: number; skip: number }): Page<IssuanceRecord> {
    const total = this.#sql.exec<{ n: number }>("SELECT count(*) AS n FROM issuance_log").one().n;
    const rows = this.#sql
      .exec<IssuanceRow>(
        "SELECT time, protocol, content_id, kids, key_seed_id, credential FROM issuance_log ORDER BY seq DESC LIMIT ? OFFSET ?",
        paging.top,
        paging.skip,
      )
      .toArray();
    return {
      total,
      items: rows.map((row) => ({
        time: row.time,
        protocol: row.protocol,
        contentId: row.content_id,
        kids: JSON.parse(row.kids) as string[],
        keySeedId: row.key_seed_id,
        credential: row.credential,
      })),
    };
  }
}
