import type { RepublishTarget } from "./snapshot";

/**
 * A storage call that failed: a KV read or write, a tenant Durable Object call, or the signer registry. Raised
 * instead of the platform's error so that every route answers it the same way: 503 with `Retry-After`
 * (RFC 9110 §15.6.4, §10.2.3) in its protocol's error shape, never a wrong key and never a 500.
 */
export class StorageUnavailable extends Error {
  override readonly name = "StorageUnavailable";
  /** `cause`: the platform's own error, kept for logs (why the object or KV refused), never shown to a client. */
  constructor(
    readonly store: "kv" | "tenant-object" | "signer-registry",
    options?: { readonly cause?: unknown },
  ) {
    super(`${store} unavailable`, options);
  }
}

/**
 * What a storage fault's platform error said, for a log line: its name and the start of its message (the platform's
 * words, e.g. an overloaded or reset Durable Object; our calls put no key or secret in a storage error).
 */
export function storageFaultCause(error: unknown): string | undefined {
  const cause = error instanceof StorageUnavailable ? error.cause : error;
  return cause instanceof Error ? `${cause.name}: ${cause.message.slice(0, 160)}` : undefined;
}

/**
 * A KV value the read path found untrustworthy: no MAC or a wrong one, not parseable, or lacking a required part
 * (docs/storage.md §Authenticated KV values). A storage fault like any other (503, never read as "absent"), which also
 * names what the tenant object should republish. `problem` says what is wrong, never the value.
 */
export class StoredValueCorrupt extends StorageUnavailable {
  constructor(
    readonly tenantId: string,
    readonly target: RepublishTarget,
    readonly problem: string,
  ) {
    super("kv");
  }
}

/** Seconds a client should wait before retrying after a storage fault (Workers KV and DO faults are short-lived). */
export const STORAGE_RETRY_AFTER_SECONDS = 5;

/** Runs a storage call, turning any failure of it into StorageUnavailable. */
export async function storageCall<T>(store: StorageUnavailable["store"], call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof StorageUnavailable) throw error;
    throw new StorageUnavailable(store, { cause: error });
  }
}
