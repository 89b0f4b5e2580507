import { fromStrictUtf8 } from "../domain/bytes";
import { migrate, type MigrationStep } from "./schema";

/**
 * A tenant object's whole SQLite database as plain data: the payload of a backup (issue 29; the envelope that encrypts
 * it for a restore certificate is src/backup/). The dump walks every table SQLite lists, so a store's new table is in
 * every backup from the day it is created; only the tables, columns and `meta` rows below are left out, each for a
 * reason (docs/storage.md §Backup and restore).
 */

/** The version of this payload's own layout (the tables inside follow `schemaVersion`). */
export const TENANT_DUMP_FORMAT = 1;

/** A cell as a dump carries it: the tenant tables hold TEXT, INTEGER and NULL only. */
export type DumpValue = string | number | null;

/** One table: its column names and its rows, each row's values in column order. */
export interface DumpedTable {
  readonly columns: readonly string[];
  readonly rows: readonly (readonly DumpValue[])[];
}

export interface TenantDump {
  readonly format: typeof TENANT_DUMP_FORMAT;
  readonly tenantId: string;
  /** `meta.schema_version` of the object dumped: which migration steps made the tables below. */
  readonly schemaVersion: number;
  /**
   * The tenant data key, opened (base64 of 32 bytes): every value sealed under it stays valid, and the target wraps it
   * under its own KEK. Only ever inside the backup envelope, which encrypts the whole payload for the certificate.
   */
  readonly dataKey: string;
  readonly tables: Readonly<Record<string, DumpedTable>>;
}

/**
 * Tables a dump leaves out; every other table of the object is dumped whole. `sqlite_sequence` holds SQLite's
 * AUTOINCREMENT counters: inserting the dumped rows, `seq` included, sets them again.
 */
export const TABLES_NOT_DUMPED: readonly string[] = ["sqlite_sequence"];

/** workerd's own tables in every SQLite-backed Durable Object (its key-value API, alarms): not the tenant's, not readable. */
const PLATFORM_TABLE_PREFIX = "_cf_";

/** Columns a dump leaves out: each is bound to the deployment and written again by the restore. */
export const COLUMNS_NOT_DUMPED: Readonly<Record<string, readonly string[]>> = {
  // Wrapped under the source deployment's KEK: the dump carries the data key opened, the target wraps it under its own.
  tenant: ["wrapped_data_key"],
};

/**
 * `meta` rows a dump leaves out: `schema_version` is the dump's header (the target's migrations write it), and
 * `published_version` says what the source's KV holds, which the target's KV does not.
 */
export const META_NOT_DUMPED: readonly string[] = ["schema_version", "published_version"];

/** The tables a dump of this database holds, in name order. */
export function dumpedTableNames(sql: SqlStorage): string[] {
  return sql
    .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
    .toArray()
    .map((row) => row.name)
    .filter((name) => !TABLES_NOT_DUMPED.includes(name) && !name.startsWith(PLATFORM_TABLE_PREFIX));
}

/**
 * Every dumped table as it is now, read in one synchronous run (no write lands between two tables). Throws on a BLOB
 * cell: no tenant table holds one, and a store adding one must give it a text form here first.
 */
export function dumpTables(sql: SqlStorage): Record<string, DumpedTable> {
  const tables: Record<string, DumpedTable> = {};
  for (const name of dumpedTableNames(sql)) {
    const cursor = sql.exec(`SELECT * FROM ${quoted(name)}`);
    const omitted = COLUMNS_NOT_DUMPED[name] ?? [];
    const kept = cursor.columnNames.flatMap((column, index) => (omitted.includes(column) ? [] : [{ column, index }]));
    const rows: DumpValue[][] = [];
    for (const raw of cursor.raw()) {
      if (name === "meta" && META_NOT_DUMPED.includes(String(raw[cursor.columnNames.indexOf("name")]))) continue;
      rows.push(kept.map(({ column, index }) => dumpValue(raw[index] ?? null, name, column)));
    }
    tables[name] = { columns: kept.map(({ column }) => column), rows };
  }
  return tables;
}

/** How many rows each table holds, by camel-cased table name (`key_seeds` → `keySeeds`): a backup's counts. */
export function tableCounts(tables: Readonly<Record<string, DumpedTable>>): Record<string, number> {
  return Object.fromEntries(
    Object.entries(tables).map(([name, table]) => [
      name.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase()),
      table.rows.length,
    ]),
  );
}

/** Why dumped tables do not fit the schema they claim; a sentence naming the table and column, never a value. */
export class DumpMismatch extends Error {
  override readonly name = "DumpMismatch";
}

/**
 * Replaces the object's (empty) tables with the dumped ones: drops every table, migrates to the dump's schema version,
 * inserts the rows, then runs the migration steps after it, so an older backup is upgraded the way a running object of
 * that version would be. `amend` changes a row before it is inserted (what the target writes itself). Call inside
 * one transaction: a `DumpMismatch` or a constraint failure rolls everything back. Throws `DumpMismatch` when a table
 * or column is not one the dump's version has.
 */
export function restoreTables(
  sql: SqlStorage,
  dump: Pick<TenantDump, "schemaVersion" | "tables">,
  steps: readonly MigrationStep[],
  amend: (table: string, row: Record<string, DumpValue>) => Record<string, DumpValue>,
): void {
  for (const name of dumpedTableNames(sql)) sql.exec(`DROP TABLE ${quoted(name)}`);
  // migrate() made meta before any step; dropping it too lets it start over from version 0.
  migrate(
    sql,
    steps.filter((step) => step.version <= dump.schemaVersion),
  );
  const present = new Set(dumpedTableNames(sql));
  try {
    for (const [name, table] of Object.entries(dump.tables)) insertRows(sql, name, table, present.has(name), amend);
  } catch (error) {
    // A table of another shape than `{columns, rows}` (a payload not made by dumpTables) fails here as any misfit does.
    throw error instanceof DumpMismatch ? error : new DumpMismatch("its tables are not columns and rows");
  }
  migrate(sql, steps);
}

/** Inserts one dumped table's rows, each amended first; throws `DumpMismatch` naming what does not fit. */
function insertRows(
  sql: SqlStorage,
  name: string,
  table: DumpedTable,
  present: boolean,
  amend: (table: string, row: Record<string, DumpValue>) => Record<string, DumpValue>,
): void {
  if (!present) throw new DumpMismatch(`table ${name} is not in its schema version`);
  const columns = new Set(sql.exec(`SELECT * FROM ${quoted(name)} LIMIT 0`).columnNames);
  for (const row of table.rows) {
    const amended = amend(name, Object.fromEntries(table.columns.map((column, index) => [column, row[index] ?? null])));
    const names = Object.keys(amended);
    const unknown = names.find((column) => !columns.has(column));
    if (unknown !== undefined) throw new DumpMismatch(`table ${name} has no column ${unknown} in its schema version`);
    if (name === "meta" && META_NOT_DUMPED.includes(String(amended.name))) continue;
    try {
      sql.exec(
        `INSERT INTO ${quoted(name)} (${names.map(quoted).join(", ")}) VALUES (${names.map(() => "?").join(", ")})`,
        ...names.map((column) => amended[column]),
      );
    } catch {
      // Name the table, never the row: SQLite's message may quote a value.
      throw new DumpMismatch(`a row of table ${name} breaks its constraints`);
    }
  }
}

function dumpValue(value: SqlStorageValue, table: string, column: string): DumpValue {
  if (value instanceof ArrayBuffer) throw new Error(`${table}.${column} holds a BLOB`);
  return value;
}

/** An SQL identifier quoted (SQLite: a double quote inside is doubled), so a dumped name is never SQL. */
function quoted(identifier: string): string {
  return `"${identifier.replaceAll('"', '""')}"`;
}

/** What a payload that is not a dump of this format lacks; a sentence naming the part, never a value. */
export type DumpParse = { readonly ok: true; readonly dump: TenantDump } | { readonly ok: false; readonly problem: string };

/**
 * Reads a dump from its UTF-8 JSON, checking every part a restore relies on. The envelope authenticated the bytes
 * already; this keeps a payload made by other code (anyone holding the certificate can seal one) from being half-read.
 */
export function parseTenantDump(payload: Uint8Array): DumpParse {
  let value: unknown;
  try {
    value = JSON.parse(fromStrictUtf8(payload));
  } catch {
    return { ok: false, problem: "the payload is not UTF-8 JSON" };
  }
  if (!isRecord(value) || value.format !== TENANT_DUMP_FORMAT)
    return { ok: false, problem: "the payload is not a tenant dump of format 1" };
  const { tenantId, schemaVersion, dataKey, tables } = value;
  if (typeof tenantId !== "string" || typeof dataKey !== "string" || !Number.isSafeInteger(schemaVersion) || !isRecord(tables)) {
    return { ok: false, problem: "tenantId, schemaVersion, dataKey or tables missing" };
  }
  const problem = Object.entries(tables)
    .map(([name, table]) => tableShapeProblem(name, table))
    .find(Boolean);
  if (problem) return { ok: false, problem };
  return {
    ok: true,
    dump: {
      format: TENANT_DUMP_FORMAT,
      tenantId,
      schemaVersion: schemaVersion as number,
      dataKey,
      tables: tables as Record<string, DumpedTable>,
    },
  };
}

/**
 * What keeps a table from reading one way: the restore's checks read a column at its first name, the insert at its
 * last, so a column named twice could pass a check with one value and write another (another tenant's id).
 */
function tableShapeProblem(name: string, table: unknown): string | undefined {
  const columns: unknown = isRecord(table) && table.columns;
  if (!isRecord(table) || !Array.isArray(columns) || !Array.isArray(table.rows) || !table.rows.every(Array.isArray)) {
    return "its tables are not columns and rows";
  }
  const twice = columns.find((column, index) => columns.indexOf(column) !== index);
  return twice === undefined ? undefined : `table ${name} names column ${String(twice)} twice`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
