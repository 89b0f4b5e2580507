import { tenantObject } from "../tenancy/tenant-client";
import type { IssuanceRecord } from "../tenancy/tenant-types";

/** How long an isolate gathers issuance records before one RPC carries them to the tenant's object. */
export const ISSUANCE_BATCH_WINDOW_MS = 50;
/** A batch is sent at once when it reaches this size, so memory stays bounded under load. */
export const ISSUANCE_BATCH_MAX = 200;

interface PendingBatch {
  readonly records: IssuanceRecord[];
  readonly flushed: Promise<void>;
  readonly flushNow: () => void;
}

/**
 * Batches issuance records per tenant off the hot path (DESIGN.md §Issuance log: "written off the hot path
 * (`waitUntil`, batched into the Durable Object)"). Each request keeps the isolate alive with `waitUntil`
 * until its batch is written; a failed write is logged without the records' contents.
 */
export class IssuanceBatcher {
  static readonly #pending = new Map<string, PendingBatch>();

  static add(env: Env, executionContext: Pick<ExecutionContext, "waitUntil">, tenantId: string, record: IssuanceRecord): void {
    let batch = IssuanceBatcher.#pending.get(tenantId);
    if (!batch) {
      batch = IssuanceBatcher.#open(env, tenantId);
      IssuanceBatcher.#pending.set(tenantId, batch);
    }
    batch.records.push(record);
    executionContext.waitUntil(batch.flushed);
    if (batch.records.length >= ISSUANCE_BATCH_MAX) batch.flushNow();
  }

  static #open(env: Env, tenantId: string): PendingBatch {
    const records: IssuanceRecord[] = [];
    let release: () => void = () => {};
    const due = new Promise<void>((resolve) => {
      release = resolve;
      setTimeout(resolve, ISSUANCE_BATCH_WINDOW_MS);
    });
    const flushed = due.then(async () => {
      if (IssuanceBatcher.#pending.get(tenantId)?.records === records) IssuanceBatcher.#pending.delete(tenantId);
      try {
        await tenantObject(env, tenantId).appendIssuance(records);
      } catch (error) {
        console.error("issuance records lost", { tenantId, count: records.length, error: error instanceof Error ? error.name : "unknown" });
      }
    });
    return { records, flushed, flushNow: () => release() };
  }
}
