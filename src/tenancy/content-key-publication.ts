import { fromHex } from "../domain/bytes";
import { KeyIdFilter } from "./content-key-filter";
import { contentKeyRecordKey, type ContentKeyRecord, type SnapshotContentKeys } from "./snapshot";
import type { ContentKeyRemovalStore } from "./stores/content-key-removal-store";
import type { ContentKeyStore, PendingContentKeyRecord } from "./stores/content-key-store";

/** Where the tenant object writes one KV record per stored content key: the SNAPSHOTS namespace, or a stand-in in tests. */
export interface ContentKeyRecordSink {
  put(key: string, value: string): Promise<void>;
  delete(key: string): Promise<void>;
}

export function kvContentKeyRecordSink(kv: KVNamespace): ContentKeyRecordSink {
  return { put: (key, value) => kv.put(key, value), delete: (key) => kv.delete(key) };
}

/**
 * Most KV writes one publish makes; the rest follow from the alarm. Each write is a subrequest, and an invocation of the
 * object may make at most 1,000 of them on Workers Paid (Cloudflare Workers docs, Limits: "Subrequests"; 50 on Workers
 * Free, where the writes past the limit fail and are retried by the next alarm, so the records still all go out).
 */
export const CONTENT_KEY_RECORDS_PER_PUBLISH = 200;

/** What one flush of the records did. */
export interface RecordFlush {
  /** Some write failed: retry after the publish back-off. */
  readonly failed: boolean;
  /** More records wait than one publish writes: continue at once. */
  readonly remaining: boolean;
}

/**
 * Writes and removes the KV records of stored content keys, then says which KIDs the snapshot's membership filter
 * holds: only keys whose record is out, so a filter hit always finds its record (docs/storage.md §Stored content keys).
 * Runs inside the snapshot publisher's chain, so records and snapshot are written one publish at a time.
 */
export class ContentKeyPublication {
  readonly #keys: ContentKeyStore;
  readonly #removals: ContentKeyRemovalStore;
  readonly #sink: ContentKeyRecordSink;
  readonly #transaction: (work: () => void) => void;
  #filter: { readonly membership: number; readonly entry: SnapshotContentKeys } | undefined;

  constructor(
    keys: ContentKeyStore,
    removals: ContentKeyRemovalStore,
    sink: ContentKeyRecordSink,
    transaction: (work: () => void) => void,
  ) {
    this.#keys = keys;
    this.#removals = removals;
    this.#sink = sink;
    this.#transaction = transaction;
  }

  /**
   * Removes the records of deleted keys, then writes those of new keys, at most CONTENT_KEY_RECORDS_PER_PUBLISH in all.
   * `changed` runs in the transaction that marks new records written (the publisher bumps the snapshot version there).
   */
  async flush(tenantId: string, now: string, changed: () => void): Promise<RecordFlush> {
    const removals = this.#removals.pending(CONTENT_KEY_RECORDS_PER_PUBLISH);
    const records = this.#keys.pendingRecords(CONTENT_KEY_RECORDS_PER_PUBLISH - removals.length);
    if (removals.length === 0 && records.length === 0) {
      this.#removals.prune(now);
      return { failed: false, remaining: false };
    }
    const removed = await settled(removals, (id) => this.#sink.delete(contentKeyRecordKey(tenantId, id)));
    const written = await settled(records, (record) =>
      this.#sink.put(contentKeyRecordKey(tenantId, record.id), JSON.stringify(recordOf(record))),
    );
    this.#transaction(() => {
      this.#removals.markRemoved(removed);
      this.#removals.prune(now);
      if (written.length > 0) {
        this.#keys.markPublished(written.map((record) => record.id));
        this.#removals.countMembershipChange();
        changed();
      }
    });
    const failed = removed.length < removals.length || written.length < records.length;
    if (failed)
      console.error("content key records not written; retrying by alarm", {
        tenantId,
        failed: removals.length + records.length - removed.length - written.length,
      });
    return { failed, remaining: removals.length + records.length === CONTENT_KEY_RECORDS_PER_PUBLISH };
  }

  /** Whether records wait to be written or removed. */
  pending(): boolean {
    return this.#removals.pending(1).length > 0 || this.#keys.pendingRecords(1).length > 0;
  }

  /**
   * Writes one key's record again from its row, when the filter may name it (published); removes the record of a
   * key that is gone. A key not yet published is left to the next flush. Answers whether KV was written.
   */
  async republish(tenantId: string, kid: string): Promise<boolean> {
    const record = this.#keys.publishedRecord(kid);
    if (!record) {
      if (this.#keys.has(kid)) return false;
      await this.#sink.delete(contentKeyRecordKey(tenantId, kid));
      return true;
    }
    await this.#sink.put(contentKeyRecordKey(tenantId, kid), JSON.stringify(recordOf(record)));
    return true;
  }

  /** The snapshot's `contentKeys`: the filter over published KIDs, rebuilt only when that set changed. */
  snapshotEntry(): SnapshotContentKeys {
    const membership = this.#removals.membership();
    if (this.#filter?.membership === membership) return this.#filter.entry;
    const ids = this.#keys.publishedIds();
    const entry: SnapshotContentKeys =
      ids.length === 0
        ? { count: 0, removals: this.#removals.removals() }
        : {
            count: ids.length,
            removals: this.#removals.removals(),
            filter: KeyIdFilter.build(
              ids.map((id) => fromHex(id.replace(/-/g, ""))!),
              ids.length,
              crypto.getRandomValues(new Uint32Array(1))[0]!,
            ).encode(),
          };
    this.#filter = { membership, entry };
    return entry;
  }
}

/** A key's KV record (docs/storage.md §Stored content keys), before the sink authenticates it. */
function recordOf(row: PendingContentKeyRecord): ContentKeyRecord {
  return { sealedValue: row.sealedValue, ...(row.iv !== null && { iv: row.iv }) };
}

/** Runs `write` for every item at once; answers the items whose write succeeded. */
async function settled<T>(items: readonly T[], write: (item: T) => Promise<void>): Promise<T[]> {
  const results = await Promise.allSettled(items.map(write));
  return items.filter((_item, i) => results[i]!.status === "fulfilled");
}
