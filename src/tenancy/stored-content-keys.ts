import { fromBase64 } from "../domain/bytes";
import { contentKeyOf, ivFromBytes, type ContentKey, type Iv } from "../domain/content-key";
import type { KeyId } from "../domain/key-id";
import { KeyIdFilter } from "./content-key-filter";
import type { SealedContentKey } from "./content-key-types";
import { open } from "./envelope";
import { readContentKeyRecordValue } from "./kv-values";
import { contentKeyRecordKey } from "./snapshot";
import { KV_CACHE_TTL_SECONDS } from "./snapshot-freshness";
import { storageCall, StoredValueCorrupt } from "./storage-fault";
import { tenantObject } from "./tenant-client";
import type { LoadedTenant } from "./loaded-tenant";

/** A stored content key as acquisitions answer it: the value, and the IV stored with it if any. */
export interface StoredKeyMaterial {
  readonly key: ContentKey;
  readonly iv: Iv | undefined;
}

/** The read path's view of one tenant's stored content keys. */
export interface StoredKeyLookup {
  /**
   * Undefined at once when the snapshot's filter says the KID is not stored (no storage call, no await); else the
   * stored key, or undefined for a false positive, from isolate memory or one KV read.
   */
  find(kid: KeyId): Promise<StoredKeyMaterial | undefined> | undefined;
}

/** Upper bound on stored keys (and misses) one isolate caches; the oldest entry goes first. */
const MAX_CACHED_STORED_KEYS = 20_000;

interface CachedKey {
  /** The snapshot's delete counter when it was read: a delete since means it may be gone, so it is read again. */
  readonly removals: number;
  /** The snapshot version it was read under: a miss is trusted only under the same snapshot. */
  readonly version: number;
  readonly material: Promise<StoredKeyMaterial | undefined>;
}

const cache = new Map<string, CachedKey>();
const filters = new WeakMap<LoadedTenant, KeyIdFilter | null>();

/** What the lookup reads: KV's records, and the tenant object when a record the filter names is not there. */
export type StoredKeyStorage = Pick<Env, "SNAPSHOTS" | "TENANTS">;

/**
 * Stored keys of a loaded tenant, read through KV (the request's SNAPSHOTS binding). A stored KID costs at most one
 * KV read per isolate until a delete moves the snapshot's counter; a false positive of the filter costs one read and
 * one question to the tenant object per isolate and snapshot version (docs/storage.md §Stored content keys).
 */
export function storedKeyLookup(env: StoredKeyStorage, tenant: LoadedTenant): StoredKeyLookup {
  return {
    find(kid) {
      const stored = tenant.snapshot.contentKeys;
      if (stored.count === 0) return undefined;
      const filter = filterOf(tenant);
      // The load refused a snapshot whose filter does not decode (kv-values.ts); were one here, every KID is read.
      if (filter && !filter.mightContain(kid.bytes)) return undefined;
      return readThrough(env, tenant, stored.removals, kid);
    },
  };
}

/** Opens a key selected for export (src/tenancy/operations/content-key-operations.ts) with the tenant's data key. */
export async function openStoredContentKey(tenant: LoadedTenant, key: SealedContentKey): Promise<ContentKey> {
  return contentKeyOf(
    await open(key.sealedValue, tenant.dataKey.sealing, { purpose: "content-key", tenantId: tenant.tenantId, keyId: key.id }),
  );
}

/** Forgets every cached stored key (TenantStore.clear, when tests play a fresh isolate). */
export function forgetStoredContentKeys(): void {
  cache.clear();
}

function filterOf(tenant: LoadedTenant): KeyIdFilter | undefined {
  let filter = filters.get(tenant);
  if (filter === undefined) {
    const serialized = tenant.snapshot.contentKeys.filter;
    filter = serialized ? (KeyIdFilter.decode(serialized) ?? null) : null;
    filters.set(tenant, filter);
  }
  return filter ?? undefined;
}

async function readThrough(
  env: StoredKeyStorage,
  tenant: LoadedTenant,
  removals: number,
  kid: KeyId,
): Promise<StoredKeyMaterial | undefined> {
  const cacheKey = `${tenant.tenantId}/${kid.toString()}`;
  const cached = cache.get(cacheKey);
  if (cached && cached.removals === removals) {
    const material = await cached.material;
    if (material || cached.version === tenant.snapshot.version) return material;
  }
  const material = readRecord(env, tenant, kid);
  if (cache.size >= MAX_CACHED_STORED_KEYS) cache.delete(cache.keys().next().value!);
  const entry: CachedKey = { removals, version: tenant.snapshot.version, material };
  cache.set(cacheKey, entry);
  // A failed read is not kept: the request answers 503 and the next one reads again.
  material.catch(() => {
    if (cache.get(cacheKey) === entry) cache.delete(cacheKey);
  });
  return material;
}

async function readRecord(env: StoredKeyStorage, tenant: LoadedTenant, kid: KeyId): Promise<StoredKeyMaterial | undefined> {
  const keyId = kid.toString();
  const value = await storageCall("kv", () =>
    env.SNAPSHOTS.get(contentKeyRecordKey(tenant.tenantId, keyId), { type: "text", cacheTtl: KV_CACHE_TTL_SECONDS }),
  );
  // A record that fails its MAC or lacks a part is a storage fault, never a miss, so a bad record is never answered
  // with a derived key. No record at all is a false positive of the filter (the object writes a record before the
  // filter names it), or a record lost from KV: only the object knows which, and a stored key whose record is gone is
  // a fault to republish, never "derive".
  if (value === null) {
    const stored = await tenantObject(env, tenant.tenantId).contentKeys().get(keyId);
    if (stored.ok) throw new StoredValueCorrupt(tenant.tenantId, { kind: "content-key", kid: keyId }, "the record is missing");
    return undefined;
  }
  const record = await readContentKeyRecordValue(tenant.tenantId, keyId, value, tenant.kvMacKeys);
  const key = contentKeyOf(
    await open(record.sealedValue, tenant.dataKey.sealing, { purpose: "content-key", tenantId: tenant.tenantId, keyId }),
  );
  const ivBytes = record.iv === undefined ? undefined : fromBase64(record.iv);
  return { key, iv: ivBytes === undefined ? undefined : ivFromBytes(ivBytes) };
}

/** A lookup that also remembers which KIDs it answered with a stored key, for the issuance record. */
export interface TrackedStoredKeyLookup extends StoredKeyLookup {
  /** The KIDs (canonical form) found stored so far, in the order they were asked. */
  answeredKids(): string[];
}

/**
 * Wraps a lookup so the acquisition can record which KIDs got a stored key (IssuanceRecord.storedKids) without
 * threading a flag through every protocol's answer. The note is taken when the find settles, before its caller
 * continues, so it is complete once the answer is built.
 */
export function trackedStoredKeyLookup(lookup: StoredKeyLookup): TrackedStoredKeyLookup {
  const answered: string[] = [];
  return {
    find(kid) {
      const found = lookup.find(kid);
      return found?.then((material) => {
        if (material) answered.push(kid.toString());
        return material;
      });
    },
    answeredKids: () => [...new Set(answered)],
  };
}
