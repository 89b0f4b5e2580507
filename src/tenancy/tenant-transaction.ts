import type { ManagementFailure, ManagementResult } from "./tenant-types";

/** A refusal raised inside a transaction so that it rolls back; turned into a typed result outside. */
class Refusal extends Error {
  constructor(readonly failure: ManagementFailure) {
    super(failure.reason);
  }
}

/** Refuses the write in progress: the transaction rolls back and the caller gets `failure`. */
export function refuse(failure: ManagementFailure): never {
  throw new Refusal(failure);
}

/** Runs `work` as one SQLite transaction; a `refuse` inside rolls it back and comes out as a typed failure. */
export function runTransaction<T>(storage: DurableObjectStorage, work: () => T): ManagementResult<T> {
  try {
    return { ok: true, value: storage.transactionSync(work) };
  } catch (error) {
    if (error instanceof Refusal) return { ok: false, failure: error.failure };
    throw error;
  }
}
