import { unwrapDataKey } from "./envelope";
import {
  importKeyEncryptionKeys,
  keyEncryptionKeyConfigurationText,
  type KeyEncryptionKeyBindings,
  type KeyEncryptionKeys,
} from "./key-encryption-keys";
import { kvMacKeys } from "./kv-authentication";
import { readSnapshotValue } from "./kv-values";
import { isProviderName } from "./provider-name";
import { StoredValueCorrupt, storageCall } from "./storage-fault";
import { forgetStoredContentKeys } from "./stored-content-keys";
import { forgetRepublishRequests } from "./republish-request";
import { signerKey, snapshotKey, type TenantSnapshot } from "./snapshot";
import { LoadedTenant } from "./loaded-tenant";
import {
  KV_CACHE_TTL_SECONDS,
  SNAPSHOT_MAX_STALE_MS,
  SNAPSHOT_MEMORY_TTL_MS,
  SNAPSHOT_STALENESS_BOUND_SECONDS,
} from "./snapshot-freshness";

/** Upper bound on cached signer names per isolate. */
const MAX_CACHED_SIGNERS = 10_000;

interface CacheEntry {
  readonly tenant: LoadedTenant;
  readonly fetchedAt: number;
  /** What the entry is estimated to hold in the isolate (`estimatedTenantBytes`). */
  readonly bytes: number;
}

/**
 * Most bytes of tenants, estimated, one isolate keeps; the least recently used go first. A Workers isolate has
 * 128 MB (Cloudflare Workers limits, "Memory"), and one request may itself need tens of MB (a 1 MiB body, its tree,
 * an answer of up to MAX_ANSWER_BYTES), so the cache takes an eighth of it. At ~5 KB for a typical tenant
 * (bench/tenant-cache.mjs measures the isolate heap) that is about 3,000 tenants per isolate; one evicted costs its
 * next request one KV read (edge-cached) and a data-key unwrap, about a millisecond.
 */
export const TENANT_CACHE_MAX_BYTES = 16 * 1024 * 1024;

/**
 * What a cached tenant holds besides its snapshot: the LoadedTenant, its imported keys (data key, credential-hash
 * key: workerd keeps their key material outside the JavaScript heap, a few hundred bytes each), the opened seeds and
 * the map entry. A rounded-up figure; bench/tenant-cache.mjs compares the estimate with the measured heap.
 */
const TENANT_ENTRY_OVERHEAD_BYTES = 2048;

/**
 * Estimated bytes of a cached tenant: the overhead plus twice the snapshot's JSON length (the parsed objects and
 * their strings take about twice the text in V8, measured with bench/tenant-cache.mjs).
 */
export function estimatedTenantBytes(snapshotJsonLength: number): number {
  return TENANT_ENTRY_OVERHEAD_BYTES + 2 * snapshotJsonLength;
}

/** How the isolate's tenant cache has served loads, for the bench and tests. */
export interface TenantCacheStats {
  /** Loads answered from memory (fresh, or stale while a refresh runs). */
  readonly hits: number;
  /** Loads that read KV first. */
  readonly misses: number;
  readonly tenants: number;
  readonly estimatedBytes: number;
}

/**
 * The read path's view of tenants: isolate memory, then KV. It never calls the Durable Object, so a warm
 * acquisition makes no storage call at all (docs/architecture.md).
 */
export class TenantStore {
  /** Tenants by id in least- to most-recently-used order (a Map keeps insertion order; a use re-inserts). */
  static readonly #cache = new Map<string, CacheEntry>();
  static #cacheBytes = 0;
  static #cacheBudget = TENANT_CACHE_MAX_BYTES;
  static #hits = 0;
  static #misses = 0;
  static readonly #refreshing = new Set<string>();
  static readonly #signers = new Map<string, { readonly tenantId: string | null; readonly fetchedAt: number }>();
  static #keks: { configuration: string; keys: Promise<KeyEncryptionKeys> } | undefined;

  /** `kekSecret` and `kekVersion` are `KEY_ENCRYPTION_KEY` (one key or a list) and `KEY_ENCRYPTION_KEY_VERSION`. */
  constructor(
    private readonly kv: KVNamespace,
    private readonly kekSecret: string,
    private readonly kekVersion: string,
    private readonly clock: () => number = Date.now,
    /** Asks the tenant object to write a bad value again (src/tenancy/republish-request.ts); absent in tests of the cache. */
    private readonly repair?: (fault: StoredValueCorrupt) => Promise<unknown> | undefined,
  ) {}

  /**
   * The tenant, or undefined when none is published under that id. A warm isolate answers from memory: a
   * snapshot older than the TTL is still served while `background` refreshes it (stale-while-revalidate),
   * so the request itself makes no storage call; one older than the hard limit is refreshed first.
   */
  async load(tenantId: string, background?: (refresh: Promise<unknown>) => void): Promise<LoadedTenant | undefined> {
    const cached = TenantStore.#cache.get(tenantId);
    const age = cached ? this.clock() - cached.fetchedAt : Number.POSITIVE_INFINITY;
    if (cached && age < SNAPSHOT_MEMORY_TTL_MS) return TenantStore.#hit(tenantId, cached);
    if (cached && background && age < SNAPSHOT_MAX_STALE_MS) {
      if (!TenantStore.#refreshing.has(tenantId)) {
        const refresh = this.#fetch(tenantId, cached).finally(() => TenantStore.#refreshing.delete(tenantId));
        TenantStore.#refreshing.add(tenantId);
        // A bad value found in the background asks the object to republish it; the stale entry serves meanwhile.
        background(refresh.catch((error: unknown) => (error instanceof StoredValueCorrupt ? this.repair?.(error) : undefined)));
      }
      return TenantStore.#hit(tenantId, cached);
    }
    TenantStore.#misses++;
    return this.#fetch(tenantId, cached);
  }

  /** A load served from memory: the entry becomes the most recently used. */
  static #hit(tenantId: string, entry: CacheEntry): LoadedTenant {
    TenantStore.#hits++;
    TenantStore.#cache.delete(tenantId);
    TenantStore.#cache.set(tenantId, entry);
    return entry.tenant;
  }

  async #fetch(tenantId: string, cached: CacheEntry | undefined): Promise<LoadedTenant | undefined> {
    // Read as text so its MAC can be checked over the exact bytes, and its length sizes the cache entry.
    const text = await storageCall("kv", () => this.kv.get(snapshotKey(tenantId), { type: "text", cacheTtl: KV_CACHE_TTL_SECONDS }));
    if (text === null) {
      // KV may not show yet a tenant this isolate has just created (a read it cached before the write, propagation):
      // the cached one serves meanwhile. Past the staleness bound KV's "none" holds, so an erased tenant (docs/storage.md
      // §Tenant lifecycle) stops answering even in an isolate that cached it before it was suspended.
      if (cached && this.clock() - cached.fetchedAt < SNAPSHOT_STALENESS_BOUND_SECONDS * 1000) return cached.tenant;
      if (cached) TenantStore.#forget(tenantId, cached);
      return undefined;
    }
    // A value that fails the MAC or lacks a part is a storage fault (StoredValueCorrupt), never "no such tenant".
    const snapshot = await readSnapshotValue(tenantId, text, await kvMacKeys(this.#bindings()));
    return this.#remember(snapshot, cached, text.length);
  }

  #bindings(): KeyEncryptionKeyBindings {
    return { KEY_ENCRYPTION_KEY: this.kekSecret, KEY_ENCRYPTION_KEY_VERSION: this.kekVersion };
  }

  /** The tenant that holds a Widevine signer name (global index in KV, cached like snapshots). */
  async tenantIdForSigner(providerName: string): Promise<string | undefined> {
    const cached = TenantStore.#signers.get(providerName);
    if (cached && this.clock() - cached.fetchedAt < SNAPSHOT_MEMORY_TTL_MS) return cached.tenantId ?? undefined;
    if (!isProviderName(providerName)) return undefined;
    const tenantId = await storageCall("kv", () => this.kv.get(signerKey(providerName), { cacheTtl: KV_CACHE_TTL_SECONDS }));
    // Only names that exist are cached (bounded by the credentials there are), so random names sent by
    // anyone cannot grow this map; misses are answered by KV's own edge cache.
    if (tenantId !== null) TenantStore.#rememberSigner(providerName, tenantId, this.clock());
    return tenantId ?? undefined;
  }

  /** Records a signer this isolate just created or deleted (read-your-writes). */
  static rememberSigner(providerName: string, tenantId: string | null): void {
    TenantStore.#rememberSigner(providerName, tenantId, Date.now());
  }

  static #rememberSigner(providerName: string, tenantId: string | null, now: number): void {
    if (TenantStore.#signers.size >= MAX_CACHED_SIGNERS) TenantStore.#signers.clear();
    TenantStore.#signers.set(providerName, { tenantId, fetchedAt: now });
  }

  /** Puts a snapshot the Durable Object just returned into this isolate's cache (read-your-writes); answers the tenant. */
  prime(snapshot: TenantSnapshot): Promise<LoadedTenant> {
    return this.#remember(snapshot, TenantStore.#cache.get(snapshot.tenantId), JSON.stringify(snapshot).length);
  }

  /** Forgets every cached tenant (tests use it to play a fresh isolate). */
  static clear(): void {
    TenantStore.#cache.clear();
    TenantStore.#cacheBytes = 0;
    TenantStore.#hits = 0;
    TenantStore.#misses = 0;
    TenantStore.#signers.clear();
    forgetStoredContentKeys();
    forgetRepublishRequests();
  }

  /** Sets the cache's byte budget (TENANT_CACHE_MAX_BYTES unless a test plays a smaller isolate); applies from the next put. */
  static setCacheBudget(bytes: number): void {
    TenantStore.#cacheBudget = bytes;
  }

  /** How this isolate's tenant cache has served loads since it started (or since `clear`). */
  static stats(): TenantCacheStats {
    return {
      hits: TenantStore.#hits,
      misses: TenantStore.#misses,
      tenants: TenantStore.#cache.size,
      estimatedBytes: TenantStore.#cacheBytes,
    };
  }

  /** Caches an entry as the most recently used, then evicts the least recently used while over the budget. */
  static #put(tenantId: string, entry: CacheEntry): void {
    const previous = TenantStore.#cache.get(tenantId);
    if (previous) {
      TenantStore.#cacheBytes -= previous.bytes;
      TenantStore.#cache.delete(tenantId);
    }
    TenantStore.#cache.set(tenantId, entry);
    TenantStore.#cacheBytes += entry.bytes;
    // The entry just put stays even when it alone is over the budget: the request in hand needs it.
    for (const [oldestId, oldest] of TenantStore.#cache) {
      if (TenantStore.#cacheBytes <= TenantStore.#cacheBudget || oldestId === tenantId) break;
      TenantStore.#cache.delete(oldestId);
      TenantStore.#cacheBytes -= oldest.bytes;
    }
  }

  static #forget(tenantId: string, entry: CacheEntry): void {
    if (TenantStore.#cache.get(tenantId) !== entry) return;
    TenantStore.#cache.delete(tenantId);
    TenantStore.#cacheBytes -= entry.bytes;
  }

  async #remember(snapshot: TenantSnapshot, cached: CacheEntry | undefined, snapshotJsonLength: number): Promise<LoadedTenant> {
    // A newer version always wins: KV may still serve an older snapshot than this isolate has seen.
    if (cached && cached.tenant.snapshot.version > snapshot.version) {
      TenantStore.#put(snapshot.tenantId, { tenant: cached.tenant, fetchedAt: this.clock(), bytes: cached.bytes });
      return cached.tenant;
    }
    const sameKey = cached && cached.tenant.snapshot.wrappedDataKey === snapshot.wrappedDataKey;
    const dataKey = sameKey
      ? cached.tenant.dataKey
      : await this.#keyEncryptionKeys().then((keys) =>
          // The wrapped form names the KEK version it was wrapped under: during a rotation both are configured.
          unwrapDataKey(snapshot.wrappedDataKey, keys.forWrapped(snapshot.wrappedDataKey), snapshot.tenantId, snapshot.dataKeyVersion),
        );
    const kept = cached && cached.tenant.snapshot.version === snapshot.version;
    const tenant = kept ? cached.tenant : new LoadedTenant(snapshot, dataKey, await kvMacKeys(this.#bindings()));
    const bytes = kept ? cached.bytes : estimatedTenantBytes(snapshotJsonLength);
    TenantStore.#put(snapshot.tenantId, { tenant, fetchedAt: this.clock(), bytes });
    return tenant;
  }

  #keyEncryptionKeys(): Promise<KeyEncryptionKeys> {
    const bindings = this.#bindings();
    const configuration = keyEncryptionKeyConfigurationText(bindings);
    if (TenantStore.#keks?.configuration !== configuration) {
      TenantStore.#keks = { configuration, keys: importKeyEncryptionKeys(bindings) };
    }
    return TenantStore.#keks.keys;
  }
}
