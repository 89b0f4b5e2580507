import { takeParkedIssuance } from "../issuance-parking";
import type { AuditAction, IssuanceRecord, LogEntry, LogFilter, RequestActor } from "../tenant-types";
import type { AuditStore } from "./audit-store";
import type { CredentialStore } from "./credential-store";
import type { IssuanceStore } from "./issuance-store";
import { pageLogs } from "./log-page";
import type { SettingsStore } from "./settings-store";
import { USAGE_RETENTION_DAYS, type UsageStore } from "./usage-store";

/** Writes prune expired log records at most this often; a Logs read always does. */
const LOG_PRUNE_INTERVAL_MS = 60_000;
/** How often issuance writes look for batches parked in KV; a Logs read always does. */
export const PARKED_ISSUANCE_CHECK_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** The stores behind the tenant's log. */
export interface LogStores {
  readonly issuance: IssuanceStore;
  readonly audit: AuditStore;
  readonly credentials: CredentialStore;
  readonly settings: SettingsStore;
  readonly usage: UsageStore;
}

/**
 * The tenant's log as `GET /api/Logs` shows it: audit records written with each change, issuance records (from the
 * edge, or taken back from the KV parking lot), both pruned by the tenant's `LogRetentionDays`. Pruning runs on
 * writes (at most once a minute) and on every read, so the object's alarm stays the snapshot publisher's alone.
 */
export class TenantLogs {
  readonly #storage: DurableObjectStorage;
  readonly #sql: SqlStorage;
  readonly #stores: LogStores;
  readonly #parking: KVNamespace;
  #lastPruneAt = Number.NEGATIVE_INFINITY;
  #lastParkedCheckAt = Number.NEGATIVE_INFINITY;

  constructor(storage: DurableObjectStorage, stores: LogStores, parking: KVNamespace) {
    this.#storage = storage;
    this.#sql = storage.sql;
    this.#stores = stores;
    this.#parking = parking;
  }

  /** Records a management change; call inside the transaction that makes it. */
  audit(actor: RequestActor, action: AuditAction, objectId: string | null): void {
    this.#stores.audit.append(actor, action, objectId);
    this.prune(actor.time.getTime(), false);
  }

  /**
   * Stores issuance records not stored yet (by id) and counts them into usage; call inside a transaction, so a record
   * and its count commit together. Answers how many were new.
   */
  appendIssuance(records: readonly IssuanceRecord[], nowMs: number): number {
    const appended = this.#storeNew(records);
    this.#stores.usage.add(appended);
    this.prune(nowMs, false);
    return appended.length;
  }

  /**
   * The records new to the log, stored. A batch is new unless it is redelivered (a retried RPC whose answer was lost,
   * a parked copy taken back), so it is inserted whole in a savepoint first; a stored id makes the unique index refuse
   * it, the savepoint rolls back, and the batch is stored record by record, skipping the ids already held. Any other
   * failure fails the careful path too and reaches the caller.
   */
  #storeNew(records: readonly IssuanceRecord[]): readonly IssuanceRecord[] {
    try {
      this.#storage.transactionSync(() => this.#stores.issuance.insertAll(records));
      return records;
    } catch {
      return this.#stores.issuance.append(records);
    }
  }

  /**
   * Deletes log records, and credentials revoked, before the retention at `nowMs`, and usage before
   * USAGE_RETENTION_DAYS; unless `always`, once a minute.
   */
  prune(nowMs: number, always: boolean): void {
    if (!always && nowMs >= this.#lastPruneAt && nowMs - this.#lastPruneAt < LOG_PRUNE_INTERVAL_MS) return;
    const cutoff = new Date(nowMs - this.#stores.settings.policy().retention.logDays * DAY_MS).toISOString();
    this.#stores.issuance.pruneBefore(cutoff);
    this.#stores.audit.pruneBefore(cutoff);
    this.#stores.credentials.pruneRevokedBefore(cutoff);
    this.#stores.usage.pruneBefore(new Date(nowMs - USAGE_RETENTION_DAYS * DAY_MS).toISOString());
    this.#lastPruneAt = nowMs;
  }

  /** Whether issuance writes should look for parked batches again. */
  parkedCheckDue(nowMs: number): boolean {
    return nowMs - this.#lastParkedCheckAt >= PARKED_ISSUANCE_CHECK_MS;
  }

  /**
   * Stores the issuance batches edges parked in KV when the object could not be reached (docs/storage.md
   * §Issuance delivery), each in its own transaction before its key is deleted. A failure leaves them parked.
   */
  async takeParked(tenantId: string, nowMs: number): Promise<void> {
    this.#lastParkedCheckAt = nowMs;
    try {
      await takeParkedIssuance(this.#parking, tenantId, (records) =>
        this.#storage.transactionSync(() => this.appendIssuance(records, nowMs)),
      );
    } catch (error) {
      console.error("parked issuance not taken yet", { tenantId, error: error instanceof Error ? error.name : "unknown" });
    }
  }

  /** Entries newest first, filtered and paged. */
  page(filter: LogFilter, paging: { top: number; skip: number }): LogEntry[] {
    return pageLogs(this.#sql, [this.#stores.issuance, this.#stores.audit], filter, paging);
  }
}
