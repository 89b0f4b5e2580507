import type { LogEntry, LogFilter, Page } from "../tenant-types";

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

/** The entries of every source that pass `filter`, newest first, paged; ties keep each table's insertion order. */
export function pageLogs(sql: SqlStorage, sources: readonly LogSource[], filter: LogFilter, paging: { top: number; skip: number }) {
  const selects = sources.map((source) => source.select(filter)).filter((select) => select !== undefined);
  if (selects.length === 0) return { items: [], total: 0 } satisfies Page<LogEntry>;
  const union = selects.map((select) => select.sql).join(" UNION ALL ");
  const params = selects.flatMap((select) => select.params);
  const total = sql.exec<{ n: number }>(`SELECT count(*) AS n FROM (${union})`, ...params).one().n;
  const rows = sql
    .exec<LogRow>(`SELECT * FROM (${union}) ORDER BY time DESC, kind, seq DESC LIMIT ? OFFSET ?`, ...params, paging.top, paging.skip)
    .toArray();
  const byKind = new Map(sources.map((source) => [source.kind, source]));
  return { total, items: rows.map((row) => byKind.get(row.kind)!.toEntry(row)) } satisfies Page<LogEntry>;
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
