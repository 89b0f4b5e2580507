/**
 * How stale a location's view of a tenant may be (docs/storage.md §Consistency): every cache between the tenant
 * object's KV write and an acquisition, and the bound they add up to. Rules that depend on every location having
 * seen a change (the default-seed switch, deleting a seed, removing a rotated-out KEK) take the bound from here.
 */

/** How long an isolate trusts its in-memory snapshot before asking KV again. */
export const SNAPSHOT_MEMORY_TTL_MS = 5_000;
/** A cached snapshot older than this is refreshed before use, not in the background. */
export const SNAPSHOT_MAX_STALE_MS = 15_000;
/** KV edge-cache lifetime for snapshot reads (`cacheTtl`, the minimum KV allows: Cloudflare KV docs, "Read key-value pairs"). */
export const KV_CACHE_TTL_SECONDS = 30;
/** Cloudflare KV docs, "How KV works": changes "may take up to 60 seconds or more to be visible in other global network locations". */
export const KV_PROPAGATION_SECONDS = 60;

/**
 * The longest a location may still act on a snapshot after a newer one was written: KV propagation, then KV's edge
 * cache, then the isolate's memory TTL and stale window (110 s). The memory TTL lies within the stale window, so the
 * sum counts it twice: those 5 s are kept as a margin for request and refresh latency.
 */
export const SNAPSHOT_STALENESS_BOUND_SECONDS =
  KV_PROPAGATION_SECONDS + KV_CACHE_TTL_SECONDS + (SNAPSHOT_MEMORY_TTL_MS + SNAPSHOT_MAX_STALE_MS) / 1000;

/**
 * How long after a credential is revoked (its snapshot written to KV) some isolate may still accept it: the same
 * staleness bound. The isolate that served the DELETE refuses it at once.
 */
export const REVOCATION_BOUND_SECONDS = SNAPSHOT_STALENESS_BOUND_SECONDS;

/**
 * How long a deleted content key's KID stays unusable for a new key: until no location can still hold the deleted
 * value (isolates drop cached keys when they read a snapshot counting the delete, within the staleness bound; the
 * bound already covers KV propagation and edge caching of the deleted record).
 */
export const CONTENT_KEY_REUSE_DELAY_SECONDS = SNAPSHOT_STALENESS_BOUND_SECONDS;
