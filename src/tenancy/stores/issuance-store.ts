import type { MigrationStep } from "../schema";
import { LOG_CATEGORY, type IssuanceRecord, type LogEntry, type LogFilter, type Page } from "../tenant-types";
import { timeConditions, type LogRow, type LogSelect, type LogSource } from "./log-page";

interface IssuanceRow extends Record<string, SqlStorageValue> {
  time: string;
  protocol: string;
  content_id: string | null;
  kids: string;
  stored_kids: string | null;
  key_seed_id: string;
  credential: string;
}

/** The INSERT of one record, its values bound by `insertValues`; built once, as workerd caches statements by text. */
const INSERT_RECORD =
  `INSERT INTO issuance_log (id, time, protocol, content_id, kids, stored_kids, key_seed_id, credential) ` +
  `VALUES (?, ?, ?, ?, ?, ?, ?, ?)`;
const INSERT_RECORD_UNLESS_STORED = `${INSERT_RECORD} ON CONFLICT (id) DO NOTHING RETURNING seq`;

function insertValues(record: IssuanceRecord): SqlStorageValue[] {
  return [
    record.id ?? crypto.randomUUID(),
    record.time,
    record.protocol,
    record.contentId,
    JSON.stringify(record.kids),
    record.storedKids?.length ? JSON.stringify(record.storedKids) : null,
    record.keySeedId,
    record.credential,
  ];
}

/**
 * The `issuance_log` table: one row per answered acquisition (per up to MAX_KIDS_PER_ISSUANCE_RECORD KIDs), never a
 * key value (docs/storage.md). Rows carry the id the edge gave them, so a batch delivered twice is stored once.
 */
export class IssuanceStore implements LogSource {
  static readonly migrations: readonly MigrationStep[] = [
    {
      version: 1,
      sql:
        `CREATE TABLE issuance_log (seq INTEGER PRIMARY KEY AUTOINCREMENT, time TEXT NOT NULL, protocol TEXT NOT NULL, ` +
        `content_id TEXT, kids TEXT NOT NULL, key_seed_id TEXT NOT NULL, credential TEXT NOT NULL)`,
    },
    { version: 4, sql: "ALTER TABLE issuance_log ADD COLUMN id TEXT" },
    // Rows written before ids existed get a random one, shaped as a UUID like the ids the edge gives.
    { version: 4, sql: "UPDATE issuance_log SET id = lower(hex(randomblob(16))) WHERE id IS NULL" },
    {
      version: 4,
      sql:
        `UPDATE issuance_log SET id = substr(id, 1, 8) || '-' || substr(id, 9, 4) || '-4' || substr(id, 14, 3) || '-' ` +
        `|| substr('89ab', 1 + (random() & 3), 1) || substr(id, 18, 3) || '-' || substr(id, 21, 12) WHERE length(id) = 32`,
    },
    { version: 4, sql: "CREATE UNIQUE INDEX issuance_log_id ON issuance_log (id)" },
    { version: 4, sql: "CREATE INDEX issuance_log_time ON issuance_log (time)" },
    // The KIDs answered with a stored content key (JSON array; NULL when none): the log says which keys a license
    // service re-creates from the seed and which it takes from an export of the stored keys.
    { version: 7, sql: "ALTER TABLE issuance_log ADD COLUMN stored_kids TEXT" },
  ];

  readonly kind = "issuance";
  readonly #sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
  }

  /**
   * Stores every record, all new to the log: the unique index on `id` refuses a record stored before (throws), so run
   * it in a savepoint and fall back to `append`. The common case, one plain INSERT per record: in workerd an INSERT
   * with RETURNING, or any statement that answers rows, costs several times a plain one (bench/RESULTS.md §The
   * commit path), and only a redelivered batch holds a stored id.
   */
  insertAll(records: readonly IssuanceRecord[]): void {
    for (const record of records) this.#sql.exec(INSERT_RECORD, ...insertValues(record));
  }

  /** Stores the records whose id it does not hold yet; answers those, the ones new to the log. */
  append(records: readonly IssuanceRecord[]): IssuanceRecord[] {
    const added: IssuanceRecord[] = [];
    for (const record of records) {
      const inserted = this.#sql.exec(INSERT_RECORD_UNLESS_STORED, ...insertValues(record));
      // RETURNING yields the row only when it was inserted (SQLite, "The RETURNING Clause"), so the statement says
      // itself whether the id was new. Not `rowsWritten`: it reads 1 for a conflict that wrote nothing (4 for an insert
      // into this table and its two indexes), a billing count rather than an answer.
      if (inserted.toArray().length > 0) added.push(record);
    }
    return added;
  }

  /** Deletes records older than `cutoff` (the tenant's log retention). */
  pruneBefore(cutoff: string): void {
    this.#sql.exec("DELETE FROM issuance_log WHERE time < ?", cutoff);
  }

  /** Records newest first, paged, as they were appended (without the ids the Logs API adds). */
  page(paging: { top: number; skip: number }): Page<IssuanceRecord> {
    const total = this.#sql.exec<{ n: number }>("SELECT count(*) AS n FROM issuance_log").one().n;
    const rows = this.#sql
      .exec<IssuanceRow>(
        "SELECT time, protocol, content_id, kids, stored_kids, key_seed_id, credential FROM issuance_log ORDER BY seq DESC LIMIT ? OFFSET ?",
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
        ...(row.stored_kids !== null && { storedKids: JSON.parse(row.stored_kids) as string[] }),
        keySeedId: row.key_seed_id,
        credential: row.credential,
      })),
    };
  }

  select(filter: LogFilter): LogSelect | undefined {
    if (filter.categories !== undefined && !filter.categories.includes(LOG_CATEGORY.KeyIssuance)) return undefined;
    const { conditions, params } = timeConditions(filter);
    if (filter.contentId !== undefined) {
      conditions.push("content_id = ?");
      params.push(filter.contentId);
    }
    if (filter.kid !== undefined) {
      // KIDs are stored in their canonical lower-case form, as the filter is.
      conditions.push("EXISTS (SELECT 1 FROM json_each(issuance_log.kids) WHERE json_each.value = ?)");
      params.push(filter.kid);
    }
    const where = conditions.length > 0 ? `WHERE ${conditions.join(" AND ")}` : "";
    return {
      sql:
        `SELECT 'issuance' AS kind, seq, id, time, ${LOG_CATEGORY.KeyIssuance} AS category, protocol, content_id, kids, stored_kids, ` +
        `key_seed_id, credential, NULL AS action, NULL AS object_id, NULL AS request_path FROM issuance_log ${where}`,
      params,
    };
  }

  toEntry(row: LogRow): LogEntry {
    return {
      kind: "issuance",
      id: row.id,
      category: LOG_CATEGORY.KeyIssuance,
      time: row.time,
      protocol: row.protocol ?? "",
      contentId: row.content_id,
      kids: JSON.parse(row.kids ?? "[]") as string[],
      ...(row.stored_kids !== null && { storedKids: JSON.parse(row.stored_kids) as string[] }),
      keySeedId: row.key_seed_id ?? "",
      credential: row.credential,
    };
  }
}
