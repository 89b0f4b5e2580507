import type { MigrationStep } from "../schema";
import { AUDIT_ACTION_CATEGORY, type AuditAction, type LogEntry, type LogFilter, type RequestActor } from "../tenant-types";
import { timeConditions, type LogRow, type LogSelect, type LogSource } from "./log-page";

/** Longest request path kept in a record (paths are short; this bounds a record whatever is sent). */
const MAX_REQUEST_PATH_LENGTH = 512;

/**
 * The `audit_log` table: one row per management change, written in the transaction that makes the change, so a
 * change and its record commit or roll back together. It names who, what, which object and when: never a value.
 */
export class AuditStore implements LogSource {
  static readonly migrations: readonly MigrationStep[] = [
    {
      version: 4,
      sql:
        `CREATE TABLE audit_log (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, time TEXT NOT NULL, ` +
        `category INTEGER NOT NULL, action TEXT NOT NULL, object_id TEXT, request_path TEXT NOT NULL, credential TEXT NOT NULL)`,
    },
    { version: 4, sql: "CREATE INDEX audit_log_time ON audit_log (time)" },
  ];

  readonly kind = "audit";
  readonly #sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
  }

  /** Records a change; call inside the transaction that makes it. */
  append(actor: RequestActor, action: AuditAction, objectId: string | null): void {
    this.#sql.exec(
      "INSERT INTO audit_log (id, time, category, action, object_id, request_path, credential) VALUES (?, ?, ?, ?, ?, ?, ?)",
      crypto.randomUUID(),
      actor.time.toISOString(),
      AUDIT_ACTION_CATEGORY[action],
      action,
      objectId,
      actor.requestPath.slice(0, MAX_REQUEST_PATH_LENGTH),
      actor.credentialId,
    );
  }

  /** Deletes records older than `cutoff` (the tenant's log retention). */
  pruneBefore(cutoff: string): void {
    this.#sql.exec("DELETE FROM audit_log WHERE time < ?", cutoff);
  }

  select(filter: LogFilter): LogSelect | undefined {
    // A management change concerns no content id; a KID filter matches records about that content key (object id).
    if (filter.contentId !== undefined) return undefined;
    const { conditions, params } = timeConditions(filter);
    if (filter.categories !== undefined) {
      const audited = filter.categories.filter((category) => (Object.values(AUDIT_ACTION_CATEGORY) as number[]).includes(category));
      if (audited.length === 0) return undefined;
      conditions.push(`category IN (${audited.map(() => "?").join(", ")})`);
      params.push(...audited);
    }
    if (filter.kid !== undefined) {
      conditions.push("object_id = ?");
      params.push(filter.kid);
    }
    const where = conditions.length > 0 ? `WHERE ${conditions.join(" AND ")}` : "";
    return {
      sql:
        `SELECT 'audit' AS kind, seq, id, time, category, NULL AS protocol, NULL AS content_id, NULL AS kids, NULL AS stored_kids, ` +
        `NULL AS key_seed_id, ` +
        `credential, action, object_id, request_path FROM audit_log ${where}`,
      params,
    };
  }

  toEntry(row: LogRow): LogEntry {
    return {
      kind: "audit",
      id: row.id,
      category: row.category as LogEntry["category"],
      time: row.time,
      action: row.action as AuditAction,
      objectId: row.object_id,
      requestPath: row.request_path ?? "",
      credential: row.credential,
    };
  }
}
