import { runTransaction } from "../tenant-transaction";
import type { IssuanceRecord, LogEntry, LogFilter, ManagementResult, Page } from "../tenant-types";
import type { TenantContext } from "./tenant-context-type";

/** The tenant's issuance and audit records: appending issuance, paging, and the combined log with retention applied. */
export class LogOperations {
  readonly #context: TenantContext;

  constructor(context: TenantContext) {
    this.#context = context;
  }

  async appendIssuance(records: readonly IssuanceRecord[]): Promise<ManagementResult<{ appended: number }>> {
    const { requireTenant, storage, logs } = this.#context;
    const tenant = requireTenant();
    if (!tenant.ok) return tenant;
    const result = runTransaction(storage, () => ({ appended: logs.appendIssuance(records, Date.now()) }));
    // Acquisitions wait on this answer (recorded before answered), so the hourly look into the KV parking lot runs
    // after it; takeParked catches its own failures.
    if (logs.parkedCheckDue(Date.now())) void logs.takeParked(storage, tenant.value.id, Date.now());
    return result;
  }

  listIssuance(paging: { top: number; skip: number }): ManagementResult<Page<IssuanceRecord>> {
    return this.#context.read(() => this.#context.stores.issuance.page(paging));
  }

  async listLogs(filter: LogFilter, paging: { top: number; skip: number }, now: string): Promise<ManagementResult<LogEntry[]>> {
    const { requireTenant, storage, logs } = this.#context;
    const tenant = requireTenant();
    if (!tenant.ok) return tenant;
    await logs.takeParked(storage, tenant.value.id, Date.parse(now));
    storage.transactionSync(() => logs.prune(Date.parse(now), true));
    return { ok: true, value: logs.page(filter, paging) };
  }
}
