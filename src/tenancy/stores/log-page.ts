import type { LogEntry, LogFilter } from "../tenant-types";

/**
 * A row of the combined log: every source selects these columns in this order, NULL where its table has none,
 * so the rows of all tables can be listed together.
 */
export interface LogRow extends Record<string, SqlStorageValue> {
  kind: string;
  seq: number;
  id: string;
  time: string;
  category: number;
  protocol: string | null;
  content_id: string | null;
  kids: string | null;
  stored_kids: string | null;
  key_seed_id: string | null;
  credential: string;
  action: string | null;
  object_id: string | null;
  request_path: string | null;
}

/** One SELECT over a store's own table, giving LogRow's columns. */
export interface LogSelect {
  readonly sql: string;
  readonly params: readonly SqlStorageValue[];
}

/** A store whose records `GET /api/Logs` lists: it alone writes the SQL over its table. */
export interface LogSource {
  /** The SELECT of its entries that pass `filter`, or undefined when none can (e.g. another category). */
  select(filter: LogFilter): LogSelect | undefined;
  /** Its row as an entry; called for the rows whose `kind` it selected. */
  toEntry(row: LogRow): LogEntry;
  readonly kind: string;
}

/**
 * The entries of every source that pass `filter`, newest first, paged; ties keep each table's insertion order. Each
 * source reads at most `top + skip` rows down its time index, so a page costs what it skips, not the whole log.
 */
export function pageLogs(
  sql: SqlStorage,
  sources: readonly LogSource[],
  filter: LogFilter,
  paging: { top: number; skip: number },
): LogEntry[] {
  const reach = paging.top + paging.skip;
  const selected = sources.flatMap((source) => {
    const select = source.select(filter);
    return select ? [{ sql: `SELECT * FROM (${select.sql} ORDER BY time DESC, seq DESC LIMIT ${reach})`, params: select.params }] : [];
  });
  if (selected.length === 0) return [];
  const union = selected.map((select) => select.sql).join(" UNION ALL ");
  const rows = sql
    .exec<LogRow>(
      `SELECT * FROM (${union}) ORDER BY time DESC, kind, seq DESC LIMIT ? OFFSET ?`,
      ...selected.flatMap((select) => select.params),
      paging.top,
      paging.skip,
    )
    .toArray();
  const byKind = new Map(sources.map((source) => [source.kind, source]));
  return rows.map((row) => byKind.get(row.kind)!.toEntry(row));
}

/** `time` conditions shared by every source: an ISO 8601 UTC instant compares as text. */
export function timeConditions(filter: LogFilter): { conditions: string[]; params: SqlStorageValue[] } {
  const conditions: string[] = [];
  const params: SqlStorageValue[] = [];
  if (filter.from !== undefined) {
    conditions.push("time >= ?");
    params.push(filter.from);
  }
  if (filter.to !== undefined) {
    conditions.push("time <= ?");
    params.push(filter.to);
  }
  return { conditions, params };
}
