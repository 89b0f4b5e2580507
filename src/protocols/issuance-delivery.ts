import { parkIssuance } from "../tenancy/issuance-parking";
import { storageFaultCause } from "../tenancy/storage-fault";
import type { IssuanceRecord, ManagementResult } from "../tenancy/tenant-types";

/**
 * Pauses between attempts to reach the tenant object. The acquisition's answer waits on the delivery
 * (docs/storage.md §Issuance delivery), so there is one quick retry with a fresh stub (a stub that threw may be
 * broken), then KV parking; a longer outage is KV's to bridge, not the packager's to wait out.
 */
export const ISSUANCE_RETRY_DELAYS_MS: readonly number[] = [100];
/** An attempt (or the KV parking write) that has not answered by then counts as failed (it may still land: records carry ids). */
export const ISSUANCE_ATTEMPT_TIMEOUT_MS = 2_000;

/** Where batches go: the tenant object's `logs()` (its `append`), or a fault-injecting stand-in in tests. */
export interface IssuanceDestination {
  append(records: readonly IssuanceRecord[]): Promise<ManagementResult<{ appended: number }>>;
}

/** What delivering one batch came to: durable (`delivered`, `parked`) or not (`no-tenant`, `lost`). */
export type DeliveryOutcome =
  | { readonly outcome: "delivered"; readonly attempts: number }
  | { readonly outcome: "parked"; readonly attempts: number }
  | { readonly outcome: "no-tenant" }
  | { readonly outcome: "lost"; readonly attempts: number };

export interface IssuanceDeliveryOptions {
  /** A fresh destination per attempt (a Durable Object stub that threw may be broken). */
  readonly destination: () => IssuanceDestination;
  /** Where a batch waits when every attempt failed (the SNAPSHOTS namespace). */
  readonly parking: KVNamespace;
  /** The tenant's log retention: a parked batch expires with it. */
  readonly retentionDays: number;
  readonly retryDelaysMs?: readonly number[];
  readonly attemptTimeoutMs?: number;
}

/** Whether the records of a delivery are durable, so the answers waiting on them may leave. */
export function isDurable(outcome: DeliveryOutcome): boolean {
  return outcome.outcome === "delivered" || outcome.outcome === "parked";
}

/**
 * Delivers a batch at least once (docs/storage.md §Issuance delivery): tries the tenant object, retrying with
 * backoff; if every attempt fails, parks the batch in KV, where the object takes it back later. Records carry ids,
 * so a batch that arrives twice is stored once. When KV refuses the batch too, it is not durable: that is logged
 * with its size, never its contents, and the acquisitions waiting on it are refused.
 */
export async function deliverIssuance(
  tenantId: string,
  records: readonly IssuanceRecord[],
  options: IssuanceDeliveryOptions,
): Promise<DeliveryOutcome> {
  const delays = options.retryDelaysMs ?? ISSUANCE_RETRY_DELAYS_MS;
  const timeoutMs = options.attemptTimeoutMs ?? ISSUANCE_ATTEMPT_TIMEOUT_MS;
  let attempts = 0;
  for (;;) {
    attempts++;
    try {
      const result = await withTimeout(options.destination().append(records), timeoutMs);
      if (result.ok) return { outcome: "delivered", attempts };
      // The only refusal is no-tenant: no retry or parking brings a tenant back.
      console.error("issuance records for an unknown tenant not stored", { tenantId, count: records.length });
      return { outcome: "no-tenant" };
    } catch (error) {
      console.warn("issuance delivery attempt failed", {
        tenantId,
        attempt: attempts,
        error: errorName(error),
        cause: storageFaultCause(error),
      });
    }
    const delay = delays[attempts - 1];
    if (delay === undefined) break;
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
  try {
    await withTimeout(parkIssuance(options.parking, tenantId, records, options.retentionDays), timeoutMs);
    console.warn("issuance records parked for the tenant object to take back", { tenantId, count: records.length });
    return { outcome: "parked", attempts };
  } catch (error) {
    console.error("issuance records lost", { tenantId, count: records.length, error: errorName(error), cause: storageFaultCause(error) });
    return { outcome: "lost", attempts };
  }
}

function withTimeout<T>(promise: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error("timed out")), timeoutMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : "unknown";
}
