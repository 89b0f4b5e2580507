import type { MigrationStep } from "../schema";

/**
 * The `content_key_removals` table and two counters in `meta`: deleted content keys whose KV record is still to be
 * removed, and until when their KID may not be stored again (docs/storage.md §Stored content keys). The counters tell
 * readers and the publisher that the stored set changed: `content_key_removals` (every delete; isolates drop the keys
 * they cached when it moves) and `content_key_membership` (every change to what the membership filter holds).
 */
export class ContentKeyRemovalStore {
  static readonly migrations: readonly MigrationStep[] = [
    {
      version: 6,
      sql:
        `CREATE TABLE content_key_removals (id TEXT PRIMARY KEY, deleted TEXT NOT NULL, reusable_from TEXT NOT NULL, ` +
        `record_removed INTEGER NOT NULL DEFAULT 0)`,
    },
  ];

  readonly #sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
  }

  /** Records a delete: the KV record is to go, and the KID may not be stored again before `reusableFrom`. */
  record(id: string, now: string, reusableFrom: string): void {
    this.#sql.exec(
      `INSERT INTO content_key_removals (id, deleted, reusable_from, record_removed) VALUES (?, ?, ?, 0) ` +
        `ON CONFLICT (id) DO UPDATE SET deleted = excluded.deleted, reusable_from = excluded.reusable_from, record_removed = 0`,
      id,
      now,
      reusableFrom,
    );
    this.#bump("content_key_removals");
    this.#bump("content_key_membership");
  }

  /** When a deleted KID may be stored again, if that is still after `now`. */
  reusableFrom(id: string, now: string): string | undefined {
    const row = this.#sql.exec<{ at: string }>("SELECT reusable_from AS at FROM content_key_removals WHERE id = ?", id).toArray()[0];
    return row && Date.parse(row.at) > Date.parse(now) ? row.at : undefined;
  }

  /** Forgets a delete once the KID is stored again: the new key's KV record replaces the old one. */
  forget(id: string): void {
    this.#sql.exec("DELETE FROM content_key_removals WHERE id = ?", id);
  }

  /** KIDs whose KV record is still to be removed, oldest first. */
  pending(limit: number): string[] {
    return this.#sql
      .exec<{ id: string }>("SELECT id FROM content_key_removals WHERE record_removed = 0 ORDER BY deleted, id LIMIT ?", limit)
      .toArray()
      .map((row) => row.id);
  }

  markRemoved(ids: readonly string[]): void {
    for (const id of ids) this.#sql.exec("UPDATE content_key_removals SET record_removed = 1 WHERE id = ?", id);
  }

  /** Drops deletes whose record is gone and whose KID may be stored again. */
  prune(now: string): void {
    this.#sql.exec("DELETE FROM content_key_removals WHERE record_removed = 1 AND reusable_from <= ?", now);
  }

  /** Counts a change to the keys whose KV records are out (call in the transaction that marks them). */
  countMembershipChange(): void {
    this.#bump("content_key_membership");
  }

  /** How many deletes there have been. */
  removals(): number {
    return this.#counter("content_key_removals");
  }

  /** How many changes the set of published keys has seen: the filter is rebuilt when it moves. */
  membership(): number {
    return this.#counter("content_key_membership");
  }

  #counter(name: string): number {
    return Number(this.#sql.exec<{ value: string }>("SELECT value FROM meta WHERE name = ?", name).toArray()[0]?.value ?? "0");
  }

  #bump(name: string): void {
    this.#sql.exec(
      "INSERT INTO meta (name, value) VALUES (?, '1') ON CONFLICT(name) DO UPDATE SET value = CAST(value AS INTEGER) + 1",
      name,
    );
  }
}
