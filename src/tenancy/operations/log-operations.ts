import { RpcTarget } from "cloudflare:workers";
import { runTransaction } from "../tenant-transaction";
import type {
  IssuanceRecord,
  LogEntry,
  LogFilter,
  ManagementResult,
  Page,
  UsageBucket,
  UsageCounts,
  UsageInterval,
  UsageRange,
} from "../tenant-types";
import type { TenantContext } from "./tenant-context-type";

/**
 * The tenant's issuance and audit records (`logs()` on the object): appending issuance, paging, the combined log with
 * retention applied, and the usage counted from issuance (its kin: the object keeps at most ten RPC methods). Audit
 * records are written by the change they record, inside its transaction.
 */
export class LogOperations extends RpcTarget {
  readonly #context: TenantContext;

  constructor(context: TenantContext) {
    super();
    this.#context = context;
  }

  /**
   * Appends issuance records (never key values) in one transaction; acquisitions wait on it (a group commit per
   * isolate, src/protocols/issuance-group-commit.ts, whose one RPC pipelines `logs().append`). A record whose id is
   * already stored is skipped, so a retried or parked batch is stored once; `appended` counts the new ones.
   */
  async append(records: readonly IssuanceRecord[]): Promise<ManagementResult<{ appended: number }>> {
    const { requireTenant, storage, logs } = this.#context;
    const tenant = requireTenant();
    if (!tenant.ok) return tenant;
    const result = runTransaction(storage, () => ({ appended: logs.appendIssuance(records, Date.now()) }));
    // Acquisitions wait on this answer (recorded before answered), so the hourly look into the KV parking lot runs
    // after it; takeParked catches its own failures.
    if (logs.parkedCheckDue(Date.now())) void logs.takeParked(tenant.value.id, Date.now());
    return result;
  }

  /** Issuance records, newest first, paged. */
  listIssuance(paging: { top: number; skip: number }): ManagementResult<Page<IssuanceRecord>> {
    return this.#context.read(() => this.#context.stores.issuance.page(paging));
  }

  /**
   * Issuance and audit records, newest first, filtered and paged. Takes back issuance batches parked in KV and prunes
   * records past the tenant's retention at `now` first, so the answer holds neither a gap nor an expired record.
   */
  async list(filter: LogFilter, paging: { top: number; skip: number }, now: Date): Promise<ManagementResult<LogEntry[]>> {
    const { requireTenant, storage, logs } = this.#context;
    const tenant = requireTenant();
    if (!tenant.ok) return tenant;
    await logs.takeParked(tenant.value.id, now.getTime());
    storage.transactionSync(() => logs.prune(now.getTime(), true));
    return { ok: true, value: logs.page(filter, paging) };
  }

  /**
   * Usage in `range` per hour or day and protocol, from the aggregate kept as records are appended
   * (src/tenancy/stores/usage-store.ts). Takes back issuance batches parked in KV first, as the Logs do.
   */
  async usage(range: UsageRange, interval: UsageInterval, now: Date): Promise<ManagementResult<UsageBucket[]>> {
    return this.#withParkedTaken(now, () => this.#context.stores.usage.buckets(range, interval));
  }

  /** Everything issued in `range` (`GET /admin/usage`), parked batches taken back first. */
  async usageTotals(range: UsageRange, now: Date): Promise<ManagementResult<UsageCounts>> {
    return this.#withParkedTaken(now, () => this.#context.stores.usage.totals(range));
  }

  async #withParkedTaken<T>(now: Date, read: () => T): Promise<ManagementResult<T>> {
    const { requireTenant, logs } = this.#context;
    const tenant = requireTenant();
    if (!tenant.ok) return tenant;
    await logs.takeParked(tenant.value.id, now.getTime());
    return { ok: true, value: read() };
  }
}
