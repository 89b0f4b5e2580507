import type { MigrationStep } from "../schema";
import type { IssuanceRecord, UsageBucket, UsageCounts, UsageInterval, UsageRange } from "../tenant-types";

/**
 * KIDs of every record but the last of a split acquisition before schema 10: MAX_KIDS_PER_ISSUANCE_RECORD
 * (src/protocols/acquisition-support.ts) when those rows were written, which carried no `part` yet.
 */
const SPLIT_RECORD_KIDS = 1_000;

/** Characters of an instant that name its UTC hour (`2026-12-07T17`) and its UTC day (`2026-12-07`). */
const HOUR_KEY_LENGTH = 13;
const DAY_KEY_LENGTH = 10;

/** The hour key of an ISO 8601 instant in UTC, as the issuance log stores them (`toISOString`). */
function hourKey(instant: string): string {
  return instant.slice(0, HOUR_KEY_LENGTH);
}

interface BucketRow extends Record<string, SqlStorageValue> {
  bucket: string;
  protocol: string;
  acquisitions: number;
  keys: number;
  content_ids: number;
}

/**
 * Usage aggregated as issuance records are appended (docs/storage.md §Usage): `usage_hours` counts acquisitions and
 * KIDs per UTC hour and protocol, `usage_content_ids` holds each content id once per hour and protocol, so distinct
 * content ids are exact for any span of whole hours (a day is not the sum of its hours). A query reads these tables,
 * never the issuance log. They outlive the log's retention: pruned only after USAGE_RETENTION_DAYS.
 */
export class UsageStore {
  static readonly migrations: readonly MigrationStep[] = [
    {
      version: 10,
      sql:
        `CREATE TABLE usage_hours (hour TEXT NOT NULL, protocol TEXT NOT NULL, acquisitions INTEGER NOT NULL, ` +
        `keys INTEGER NOT NULL, PRIMARY KEY (hour, protocol)) WITHOUT ROWID`,
    },
    {
      version: 10,
      sql:
        `CREATE TABLE usage_content_ids (hour TEXT NOT NULL, protocol TEXT NOT NULL, content_id TEXT NOT NULL, ` +
        `PRIMARY KEY (hour, protocol, content_id)) WITHOUT ROWID`,
    },
    // The issuance rows kept so far. Their records carry no `part`: a row continues the acquisition of the row before
    // it (same instant, protocol, content, seed and credential) when that one is full.
    {
      version: 10,
      sql:
        `INSERT INTO usage_hours (hour, protocol, acquisitions, keys) ` +
        `SELECT substr(time, 1, ${HOUR_KEY_LENGTH}), protocol, sum(first_part), sum(json_array_length(kids)) FROM ( ` +
        `SELECT time, protocol, kids, CASE WHEN lag(json_array_length(kids)) OVER ( ` +
        `PARTITION BY time, protocol, content_id, key_seed_id, credential ORDER BY seq) = ${SPLIT_RECORD_KIDS} THEN 0 ELSE 1 END AS first_part ` +
        `FROM issuance_log) ` +
        `GROUP BY 1, 2`,
    },
    {
      version: 10,
      sql:
        `INSERT INTO usage_content_ids (hour, protocol, content_id) ` +
        `SELECT DISTINCT substr(time, 1, ${HOUR_KEY_LENGTH}), protocol, content_id FROM issuance_log WHERE content_id IS NOT NULL`,
    },
  ];

  readonly #sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
  }

  /** Counts records just stored (each once: pass only those new to the log); call in the transaction that stored them. */
  add(records: readonly IssuanceRecord[]): void {
    const hours = new Map<string, { hour: string; protocol: string; acquisitions: number; keys: number }>();
    const contents = new Map<string, readonly [string, string, string]>();
    for (const record of records) {
      const hour = hourKey(record.time);
      const key = JSON.stringify([hour, record.protocol]);
      let counts = hours.get(key);
      if (!counts) hours.set(key, (counts = { hour, protocol: record.protocol, acquisitions: 0, keys: 0 }));
      // The first record of an acquisition counts it; later parts only add their KIDs.
      if ((record.part ?? 1) === 1) counts.acquisitions++;
      counts.keys += record.kids.length;
      if (record.contentId !== null)
        contents.set(JSON.stringify([hour, record.protocol, record.contentId]), [hour, record.protocol, record.contentId]);
    }
    for (const { hour, protocol, acquisitions, keys } of hours.values()) {
      this.#sql.exec(
        `INSERT INTO usage_hours (hour, protocol, acquisitions, keys) VALUES (?, ?, ?, ?) ON CONFLICT (hour, protocol) ` +
          `DO UPDATE SET acquisitions = acquisitions + excluded.acquisitions, keys = keys + excluded.keys`,
        hour,
        protocol,
        acquisitions,
        keys,
      );
    }
    for (const [hour, protocol, contentId] of contents.values()) {
      this.#sql.exec(
        "INSERT INTO usage_content_ids (hour, protocol, content_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
        hour,
        protocol,
        contentId,
      );
    }
  }

  /** The buckets of `range` that issued anything, by start then protocol; distinct content ids exact per bucket. */
  buckets(range: UsageRange, interval: UsageInterval): UsageBucket[] {
    const width = interval === "hour" ? HOUR_KEY_LENGTH : DAY_KEY_LENGTH;
    const rows = this.#sql
      .exec<BucketRow>(
        `WITH counts AS ( ` +
          `SELECT substr(hour, 1, ?1) AS bucket, protocol, sum(acquisitions) AS acquisitions, sum(keys) AS keys ` +
          `FROM usage_hours WHERE hour >= ?2 AND hour < ?3 GROUP BY 1, 2), ` +
          `contents AS ( ` +
          `SELECT substr(hour, 1, ?1) AS bucket, protocol, count(DISTINCT content_id) AS content_ids ` +
          `FROM usage_content_ids WHERE hour >= ?2 AND hour < ?3 GROUP BY 1, 2) ` +
          `SELECT bucket, protocol, acquisitions, keys, coalesce(content_ids, 0) AS content_ids ` +
          `FROM counts LEFT JOIN contents USING (bucket, protocol) ORDER BY bucket, protocol`,
        width,
        hourKey(range.from),
        hourKey(range.to),
      )
      .toArray();
    return rows.map((row) => ({
      start: bucketStart(row.bucket),
      protocol: row.protocol,
      acquisitions: row.acquisitions,
      keys: row.keys,
      contentIds: row.content_ids,
    }));
  }

  /** Everything issued in `range`, over every protocol; a content id named by two protocols counts once. */
  totals(range: UsageRange): UsageCounts {
    const [from, to] = [hourKey(range.from), hourKey(range.to)];
    const counts = this.#sql
      .exec<{ acquisitions: number; keys: number }>(
        "SELECT coalesce(sum(acquisitions), 0) AS acquisitions, coalesce(sum(keys), 0) AS keys FROM usage_hours WHERE hour >= ? AND hour < ?",
        from,
        to,
      )
      .one();
    const contentIds = this.#sql
      .exec<{ n: number }>("SELECT count(DISTINCT content_id) AS n FROM usage_content_ids WHERE hour >= ? AND hour < ?", from, to)
      .one().n;
    return { acquisitions: counts.acquisitions, keys: counts.keys, contentIds };
  }

  /** Deletes the hours before `cutoff` (USAGE_RETENTION_DAYS, not the log's retention). */
  pruneBefore(cutoff: string): void {
    for (const table of ["usage_hours", "usage_content_ids"]) this.#sql.exec(`DELETE FROM ${table} WHERE hour < ?`, hourKey(cutoff));
  }
}

/** How long usage is kept, whatever the log's retention: two years, so a year compares with the one before. */
export const USAGE_RETENTION_DAYS = 731;

/** The ISO 8601 instant a bucket key (`2026-12-07T17` or `2026-12-07`) starts at. */
function bucketStart(bucket: string): string {
  return bucket.length === HOUR_KEY_LENGTH ? `${bucket}:00:00.000Z` : `${bucket}T00:00:00.000Z`;
}
