import type { MigrationStep } from "../schema";
import type {
  ComparisonOperator,
  ContentKeyCondition,
  ContentKeyQuery,
  ContentKeyView,
  CreationMethod,
  SealedContentKey,
} from "../content-key-types";
import { fromBase64, toBase64 } from "../../domain/bytes";

export interface NewStoredContentKey {
  readonly id: string;
  readonly name: string;
  readonly sealedValue: string;
  readonly iv: Uint8Array | undefined;
  readonly creationMethod: CreationMethod;
  readonly now: string;
}

/** A key whose KV record the tenant object still has to write (docs/storage.md §Stored content keys). */
export interface PendingContentKeyRecord {
  readonly id: string;
  readonly sealedValue: string;
  readonly iv: string | null;
}

interface ContentKeyRow extends Record<string, SqlStorageValue> {
  id: string;
  name: string;
  sealed_value: string;
  iv: string | null;
  created: string;
  updated: string;
  creation_method: number;
}

const VIEW_COLUMNS = "id, name, created, updated, creation_method";
const SQL_OPERATORS: Readonly<Record<ComparisonOperator, string>> = { eq: "=", ne: "<>", gt: ">", ge: ">=", lt: "<", le: "<=" };
const SQL_COLUMNS = { Name: "name", Created: "created", CreationMethod: "creation_method" } as const;
/** Cloudflare Durable Objects SQL API limits: at most 100 bound parameters per statement. */
const PARAMETERS_PER_STATEMENT = 90;

/**
 * The `content_keys` table: stored content keys (random, derived from a named seed, or imported), each value sealed
 * under the tenant data key, an optional IV in clear (it is written into the media anyway), and whether its KV record
 * is out (`published`): only published keys are in the snapshot's membership filter.
 */
export class ContentKeyStore {
  static readonly migrations: readonly MigrationStep[] = [
    {
      version: 6,
      sql:
        `CREATE TABLE content_keys (id TEXT PRIMARY KEY, name TEXT NOT NULL, sealed_value TEXT NOT NULL, iv TEXT, ` +
        `created TEXT NOT NULL, updated TEXT NOT NULL, creation_method INTEGER NOT NULL, published INTEGER NOT NULL DEFAULT 0)`,
    },
    { version: 6, sql: "CREATE INDEX content_keys_created ON content_keys (created)" },
    { version: 6, sql: "CREATE INDEX content_keys_name ON content_keys (name)" },
    { version: 6, sql: "CREATE INDEX content_keys_unpublished ON content_keys (published) WHERE published = 0" },
  ];

  readonly #sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
  }

  has(id: string): boolean {
    return this.#sql.exec("SELECT 1 FROM content_keys WHERE id = ?", id).toArray().length > 0;
  }

  view(id: string): ContentKeyView | undefined {
    const row = this.#sql.exec<ContentKeyRow>(`SELECT ${VIEW_COLUMNS} FROM content_keys WHERE id = ?`, id).toArray()[0];
    return row && toView(row);
  }

  insert(key: NewStoredContentKey): void {
    this.#sql.exec(
      "INSERT INTO content_keys (id, name, sealed_value, iv, created, updated, creation_method) VALUES (?, ?, ?, ?, ?, ?, ?)",
      key.id,
      key.name,
      key.sealedValue,
      key.iv === undefined ? null : toBase64(key.iv),
      key.now,
      key.now,
      key.creationMethod,
    );
  }

  rename(id: string, name: string, now: string): void {
    this.#sql.exec("UPDATE content_keys SET name = ?, updated = ? WHERE id = ?", name, now, id);
  }

  delete(id: string): void {
    this.#sql.exec("DELETE FROM content_keys WHERE id = ?", id);
  }

  /** One page of the keys a query selects, in its order (creation order when it names none). */
  list(query: ContentKeyQuery, paging: { top: number; skip: number }): ContentKeyView[] {
    const { where, parameters } = whereClause(query.conditions);
    return this.#sql
      .exec<ContentKeyRow>(
        `SELECT ${VIEW_COLUMNS} FROM content_keys ${where} ORDER BY ${orderClause(query)} LIMIT ? OFFSET ?`,
        ...parameters,
        paging.top,
        paging.skip,
      )
      .toArray()
      .map(toView);
  }

  /** How many keys a query selects. */
  count(query: ContentKeyQuery): number {
    const { where, parameters } = whereClause(query.conditions);
    return this.#sql.exec<{ n: number }>(`SELECT count(*) AS n FROM content_keys ${where}`, ...parameters).one().n;
  }

  /** The keys a query selects with their sealed values, at most `limit` of them, in the query's order. */
  sealedByQuery(query: ContentKeyQuery, limit: number): SealedContentKey[] {
    const { where, parameters } = whereClause(query.conditions);
    return this.#sql
      .exec<ContentKeyRow>(`SELECT * FROM content_keys ${where} ORDER BY ${orderClause(query)} LIMIT ?`, ...parameters, limit)
      .toArray()
      .map(toSealed);
  }

  /** The named keys with their sealed values, in the order named; ids that are not stored are left out. */
  sealedByIds(ids: readonly string[]): SealedContentKey[] {
    const found = new Map<string, SealedContentKey>();
    for (let start = 0; start < ids.length; start += PARAMETERS_PER_STATEMENT) {
      const chunk = ids.slice(start, start + PARAMETERS_PER_STATEMENT);
      const rows = this.#sql.exec<ContentKeyRow>(`SELECT * FROM content_keys WHERE id IN (${chunk.map(() => "?").join(", ")})`, ...chunk);
      for (const row of rows) found.set(row.id, toSealed(row));
    }
    return ids.flatMap((id) => found.get(id) ?? []);
  }

  /** Keys whose KV record is not written yet, oldest first. */
  pendingRecords(limit: number): PendingContentKeyRecord[] {
    return this.#sql
      .exec<{ id: string; sealed_value: string; iv: string | null }>(
        "SELECT id, sealed_value, iv FROM content_keys WHERE published = 0 ORDER BY rowid LIMIT ?",
        limit,
      )
      .toArray()
      .map((row) => ({ id: row.id, sealedValue: row.sealed_value, iv: row.iv }));
  }

  /** A key's record as published, or undefined when the key is gone or its record is not out yet (`published = 0`). */
  publishedRecord(id: string): PendingContentKeyRecord | undefined {
    const row = this.#sql
      .exec<{ id: string; sealed_value: string; iv: string | null }>(
        "SELECT id, sealed_value, iv FROM content_keys WHERE id = ? AND published = 1",
        id,
      )
      .toArray()[0];
    return row && { id: row.id, sealedValue: row.sealed_value, iv: row.iv };
  }

  /** Records that these keys' KV records are written (a key deleted meanwhile is simply not there). */
  markPublished(ids: readonly string[]): void {
    for (let start = 0; start < ids.length; start += PARAMETERS_PER_STATEMENT) {
      const chunk = ids.slice(start, start + PARAMETERS_PER_STATEMENT);
      this.#sql.exec(`UPDATE content_keys SET published = 1 WHERE id IN (${chunk.map(() => "?").join(", ")})`, ...chunk);
    }
  }

  /** The KIDs of every key whose KV record is out: what the snapshot's membership filter holds. */
  publishedIds(): string[] {
    return this.#sql
      .exec<{ id: string }>("SELECT id FROM content_keys WHERE published = 1")
      .toArray()
      .map((row) => row.id);
  }
}

function whereClause(conditions: readonly ContentKeyCondition[]): { where: string; parameters: SqlStorageValue[] } {
  if (conditions.length === 0) return { where: "", parameters: [] };
  const parts: string[] = [];
  const parameters: SqlStorageValue[] = [];
  for (const condition of conditions) {
    const column = SQL_COLUMNS[condition.field];
    switch (condition.operator) {
      case "contains":
        // instr is case-sensitive, as OData's contains is (OData v4.01 Part 2 §5.1.1.7.1).
        parts.push(`instr(${column}, ?) > 0`);
        parameters.push(condition.value);
        break;
      case "startswith":
        parts.push(`substr(${column}, 1, length(?)) = ?`);
        parameters.push(condition.value, condition.value);
        break;
      default:
        parts.push(`${column} ${SQL_OPERATORS[condition.operator]} ?`);
        parameters.push(condition.value);
    }
  }
  return { where: `WHERE ${parts.join(" AND ")}`, parameters };
}

function orderClause(query: ContentKeyQuery): string {
  const keys = query.orderBy.map((key) => `${SQL_COLUMNS[key.field]} ${key.descending ? "DESC" : "ASC"}`);
  // Creation order breaks ties, so paging through equal names or instants neither repeats nor skips a key.
  return [...keys, ...(query.orderBy.length === 0 ? ["created ASC"] : []), "rowid ASC"].join(", ");
}

function toView(row: ContentKeyRow): ContentKeyView {
  return { id: row.id, name: row.name, created: row.created, updated: row.updated, creationMethod: row.creation_method as CreationMethod };
}

function toSealed(row: ContentKeyRow): SealedContentKey {
  return { ...toView(row), sealedValue: row.sealed_value, iv: row.iv === null ? null : (fromBase64(row.iv) ?? null) };
}
