import { parkIssuance } from "../tenancy/issuance-parking";
import { tenantObject } from "../tenancy/tenant-client";
import type { IssuanceRecord, ManagementResult } from "../tenancy/tenant-types";

/** How long an isolate gathers issuance records before one RPC carries them to the tenant's object. */
export const ISSUANCE_BATCH_WINDOW_MS = 50;
/** A batch is sent at once when it reaches this many records… */
export const ISSUANCE_BATCH_MAX = 200;
/** …or this many KIDs, so one RPC and one parked KV value stay small whatever the requests hold. */
export const ISSUANCE_BATCH_MAX_KIDS = 20_000;

/**
 * Pauses between delivery attempts (exponential backoff). With ATTEMPT_TIMEOUT_MS per attempt the whole delivery,
 * parking included, ends well within the 30 s a Worker may keep running after its response for `waitUntil`
 * (Cloudflare Workers, "Context (ctx)": waitUntil).
 */
export const ISSUANCE_RETRY_DELAYS_MS: readonly number[] = [200, 1_000, 3_000];
/** An attempt that has not answered by then counts as failed (it may still land: the object stores a record once). */
export const ISSUANCE_ATTEMPT_TIMEOUT_MS = 4_000;

/** Where batches go: the tenant object's `appendIssuance`, or a fault-injecting stand-in in tests. */
export interface IssuanceDestination {
  appendIssuance(records: readonly IssuanceRecord[]): Promise<ManagementResult<{ appended: number }>>;
}

/** What delivering one batch came to. */
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

/**
 * Delivers a batch at least once (docs/storage.md §Issuance delivery): tries the tenant object, retrying with
 * backoff; if every attempt fails, parks the batch in KV, where the object takes it back later. Records carry ids,
 * so a batch that arrives twice is stored once. Only when KV refuses the batch too is it lost, and that is logged
 * with its size, never its contents.
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
      const result = await withTimeout(options.destination().appendIssuance(records), timeoutMs);
      if (result.ok) return { outcome: "delivered", attempts };
      // The only refusal is no-tenant: no retry or parking brings a tenant back.
      console.error("issuance records for an unknown tenant dropped", { tenantId, count: records.length });
      return { outcome: "no-tenant" };
    } catch (error) {
      console.warn("issuance delivery attempt failed", { tenantId, attempt: attempts, error: errorName(error) });
    }
    const delay = delays[attempts - 1];
    if (delay === undefined) break;
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
  try {
    await parkIssuance(options.parking, tenantId, records, options.retentionDays);
    console.warn("issuance records parked for the tenant object to take back", { tenantId, count: records.length });
    return { outcome: "parked", attempts };
  } catch (error) {
    console.error("issuance records lost", { tenantId, count: records.length, error: errorName(error) });
    return { outcome: "lost", attempts };
  }
}

interface PendingBatch {
  readonly records: IssuanceRecord[];
  kids: number;
  readonly flushed: Promise<unknown>;
  readonly flushNow: () => void;
}

/**
 * Batches issuance records per tenant off the hot path (`waitUntil`, batched into the tenant object: the acquisition
 * answers before anything is written; docs/storage.md, issuance). The request that opens a batch hands its delivery to
 * `waitUntil`, which keeps that request's context, and so the isolate, alive until the batch is delivered or parked
 * (deliverIssuance).
 *
 * Only that request does: the batch's timer and delivery are continuations of the context that created them (workerd
 * runs a promise's continuations in its creating request's context, whichever request resolves it, and drops them
 * once that context is done: the `handle_cross_request_promise_resolution` behaviour, on by default at our
 * compatibility date), so a later request's `waitUntil` on the same promise cannot keep the delivery alive. It only
 * cost that request ~17 µs of isolate time (bench/RESULTS.md, §Third pass).
 */
export class IssuanceBatcher {
  static readonly #pending = new Map<string, PendingBatch>();

  static add(
    env: Env,
    executionContext: Pick<ExecutionContext, "waitUntil">,
    tenantId: string,
    records: readonly IssuanceRecord[],
    retentionDays: number,
  ): void {
    for (const record of records) {
      let batch = IssuanceBatcher.#pending.get(tenantId);
      if (!batch) {
        batch = IssuanceBatcher.#open(env, tenantId, retentionDays);
        IssuanceBatcher.#pending.set(tenantId, batch);
      }
      batch.records.push(record);
      batch.kids += record.kids.length;
      if (batch.records.length === 1) executionContext.waitUntil(batch.flushed);
      if (batch.records.length >= ISSUANCE_BATCH_MAX || batch.kids >= ISSUANCE_BATCH_MAX_KIDS) {
        // Full: later records start a new batch.
        IssuanceBatcher.#pending.delete(tenantId);
        batch.flushNow();
      }
    }
  }

  static #open(env: Env, tenantId: string, retentionDays: number): PendingBatch {
    const records: IssuanceRecord[] = [];
    let release: () => void = () => {};
    const due = new Promise<void>((resolve) => {
      release = resolve;
      setTimeout(resolve, ISSUANCE_BATCH_WINDOW_MS);
    });
    const flushed = due.then(() => {
      if (IssuanceBatcher.#pending.get(tenantId)?.records === records) IssuanceBatcher.#pending.delete(tenantId);
      return deliverIssuance(tenantId, records, {
        destination: () => tenantObject(env, tenantId),
        parking: env.SNAPSHOTS,
        retentionDays,
      });
    });
    return { records, kids: 0, flushed, flushNow: () => release() };
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
