import { StorageUnavailable } from "../tenancy/storage-fault";
import { tenantObject } from "../tenancy/tenant-client";
import type { IssuanceRecord } from "../tenancy/tenant-types";
import { deliverIssuance, isDurable, type DeliveryOutcome } from "./issuance-delivery";

/** Most a group waits for the tenant's commit in flight before it is sent beside it. */
export const ISSUANCE_GROUP_WAIT_MS = 5;
/** A group is sent at once when it reaches this many records… */
export const ISSUANCE_GROUP_MAX_RECORDS = 200;
/** …or this many KIDs, so one RPC and one parked KV value stay small whatever the requests hold. */
export const ISSUANCE_GROUP_MAX_KIDS = 20_000;
/**
 * A request whose group has not committed by then answers 503. The delivery itself ends well before (two attempts
 * of at most 2 s, 100 ms apart, then a KV write of at most 2 s: src/protocols/issuance-delivery.ts); the deadline is
 * what guarantees an answer even if the group's delivery never settled.
 */
export const ISSUANCE_COMMIT_DEADLINE_MS = 10_000;

interface Waiter {
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

interface CommitGroup {
  readonly records: IssuanceRecord[];
  kids: number;
  /** One per request in the group, each settled when the group is durable or is not. */
  readonly waiters: Waiter[];
  /** Set by the request that filled it: its opener sends it at its next tick. */
  full: boolean;
}

interface TenantCommits {
  open: CommitGroup | undefined;
  inFlight: number;
}

/**
 * Recorded before answered (docs/storage.md §Issuance delivery): an acquisition's answer waits until the tenant
 * object has committed its issuance records, or KV has parked them. A group commit per tenant per isolate: the
 * requests that arrive while the tenant's previous commit is in flight (or in the same turn of the event loop when
 * none is) share one RPC, hence one transaction.
 *
 * workerd runs a promise's continuation in the request context that resolved it, not the one that awaits it
 * (observed: "Cannot perform I/O on behalf of a different request" under the bench, when another request's signal
 * started a group's delivery, which then ran in that request's context and was cut off when that request ended). So a
 * group's opener does everything itself, waiting only on timers it set: it sends its group when the tenant's commit in
 * flight has ended (it looks every millisecond), when the group is full, or after ISSUANCE_GROUP_WAIT_MS; the RPC,
 * retries and parking run in its context, which its own answer and `waitUntil` keep alive. The others only add
 * records and wait on promises they created, which the opener settles (a settled promise carries no I/O).
 */
export class IssuanceGroupCommit {
  static readonly #tenants = new Map<string, TenantCommits>();

  /** Adds a request's records to the tenant's open group; resolves once they are durable, else throws StorageUnavailable. */
  static commit(
    env: Env,
    executionContext: Pick<ExecutionContext, "waitUntil">,
    tenantId: string,
    records: readonly IssuanceRecord[],
    retentionDays: number,
  ): Promise<void> {
    let tenant = IssuanceGroupCommit.#tenants.get(tenantId);
    if (!tenant) IssuanceGroupCommit.#tenants.set(tenantId, (tenant = { open: undefined, inFlight: 0 }));
    let group = tenant.open;
    const opener = group === undefined;
    if (!group) tenant.open = group = { records: [], kids: 0, waiters: [], full: false };
    for (const record of records) {
      group.records.push(record);
      group.kids += record.kids.length;
    }
    const waiting = group.waiters;
    const committed = new Promise<void>((resolve, reject) => void waiting.push({ resolve, reject }));
    if (group.records.length >= ISSUANCE_GROUP_MAX_RECORDS || group.kids >= ISSUANCE_GROUP_MAX_KIDS) {
      // Full: later requests open a new group.
      tenant.open = undefined;
      group.full = true;
    }
    if (opener) executionContext.waitUntil(IssuanceGroupCommit.#deliver(env, tenantId, tenant, group, retentionDays));
    return withDeadline(committed);
  }

  static async #deliver(env: Env, tenantId: string, tenant: TenantCommits, group: CommitGroup, retentionDays: number): Promise<void> {
    // Requests queued in this turn join first; then, while the tenant's previous commit is in flight, the group keeps
    // gathering (the requests arriving meanwhile share the next transaction), up to ISSUANCE_GROUP_WAIT_MS.
    await sleep(0);
    for (let waited = 0; !group.full && tenant.inFlight > 0 && waited < ISSUANCE_GROUP_WAIT_MS; waited++) await sleep(1);
    if (tenant.open === group) tenant.open = undefined;
    tenant.inFlight++;
    let outcome: DeliveryOutcome | undefined;
    try {
      outcome = await deliverIssuance(tenantId, group.records, {
        destination: () => tenantObject(env, tenantId).logs(),
        parking: env.SNAPSHOTS,
        retentionDays,
      });
    } finally {
      tenant.inFlight--;
      const durable = outcome !== undefined && isDurable(outcome);
      for (const waiter of group.waiters) {
        if (durable) waiter.resolve();
        else waiter.reject(new StorageUnavailable("tenant-object"));
      }
      if (tenant.inFlight === 0 && tenant.open === undefined) IssuanceGroupCommit.#tenants.delete(tenantId);
    }
  }
}

/**
 * The deadline is also what keeps a waiter alive: a request waiting only on a promise another request settles has no
 * I/O or timer of its own pending, and workerd cancels it as hung ("The Workers runtime canceled this request because
 * it detected that your Worker's code had hung"; bench/floor-issuance.ts showed it). Do not remove the timer.
 */
function withDeadline(committed: Promise<void>): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new StorageUnavailable("tenant-object")), ISSUANCE_COMMIT_DEADLINE_MS);
  });
  return Promise.race([committed, deadline]).finally(() => clearTimeout(timer));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
