import { RpcTarget } from "cloudflare:workers";
import { CONTENT_KEY_LENGTH, STORED_IV_LENGTH, isAllZero } from "../../domain/content-key";
import { deriveContentKey } from "../../domain/key-derivation";
import { KeyId } from "../../domain/key-id";
import { randomBytes } from "../../runtime/random";
import {
  CREATION_METHOD,
  MAX_CONTENT_KEY_NAME_LENGTH,
  MAX_CONTENT_KEYS_PER_EXPORT,
  MAX_CONTENT_KEYS_PER_IMPORT,
  type ContentKeyImport,
  type ContentKeyImportProblem,
  type ContentKeyQuery,
  type ContentKeySelection,
  type ContentKeyView,
  type NewContentKey,
  type SealedContentKey,
} from "../content-key-types";
import { CONTENT_KEY_REUSE_DELAY_SECONDS } from "../snapshot-freshness";
import type { TenantStores } from "../stores/tenant-stores";
import { refuse, runTransaction } from "../tenant-transaction";
import type { ManagementFailure, ManagementResult, Page, RequestActor } from "../tenant-types";
import type { TenantContext } from "./tenant-context-type";

/** Axinom's Name bounds (Axinom Key Service API help, POST api/ContentKeys: Name 1..256). */
const MAX_NAME_LENGTH = MAX_CONTENT_KEY_NAME_LENGTH;

/** The tenant's stored content keys (`contentKeys()` on the object): listing, creation, import, rename, deletion, and selection for export. */
export class ContentKeyOperations extends RpcTarget {
  readonly #context: TenantContext;

  constructor(context: TenantContext) {
    super();
    this.#context = context;
  }

  /** Stored content keys a query selects, paged (never a value). */
  list(query: ContentKeyQuery, paging: { top: number; skip: number }): ManagementResult<Page<ContentKeyView>> {
    const { read, stores } = this.#context;
    return read(() => ({ items: stores.contentKeys.list(query, paging), total: stores.contentKeys.count(query) }));
  }

  get(id: string): ManagementResult<ContentKeyView> {
    const tenant = this.#context.requireTenant();
    if (!tenant.ok) return tenant;
    const view = this.#context.stores.contentKeys.view(id);
    return view ? { ok: true, value: view } : { ok: false, failure: notFound(id) };
  }

  /** Stores a random key, or one derived from the named seed for its KID; sealed under the data key. */
  async create(input: NewContentKey, actor: RequestActor): Promise<ManagementResult<ContentKeyView>> {
    const { requireTenant, keys, commit, audit, stores } = this.#context;
    const now = actor.time.toISOString();
    const tenant = requireTenant();
    if (!tenant.ok) return tenant;
    const id = input.id ?? crypto.randomUUID();
    let value: Uint8Array;
    if (input.keySeedId !== undefined) {
      const seed = stores.seeds.find(input.keySeedId);
      if (!seed) return { ok: false, failure: { reason: "unknown-key-seed", keySeedId: input.keySeedId } };
      // The PlayReady key-seed derivation for this KID, as an acquisition from that seed would answer it.
      value = (await deriveContentKey(await keys.openSeed(tenant.value, seed.id, seed.sealedValue), KeyId.parse(id)!)).bytes;
    } else {
      value = randomBytes(CONTENT_KEY_LENGTH);
    }
    const sealedValue = await keys.sealContentKey(tenant.value, id, value);
    value.fill(0);
    const creationMethod = input.keySeedId === undefined ? CREATION_METHOD.Random : CREATION_METHOD.KeySeed;
    return commit(() => {
      refuseUnusableId(stores, id, now);
      stores.contentKeys.insert({ id, name: input.name, sealedValue, iv: undefined, creationMethod, now });
      stores.contentKeyRemovals.forget(id);
      audit(actor, "AddContentKey", id);
      return stores.contentKeys.view(id)!;
    });
  }

  /**
   * Stores caller-supplied keys, all or nothing, in one transaction: a bad entry is refused naming its index, a KID
   * already stored (or twice in the batch) with 409 naming the first one, and then nothing is stored. At most
   * MAX_CONTENT_KEYS_PER_IMPORT (CreationMethod 2).
   */
  async import(entries: readonly ContentKeyImport[], actor: RequestActor): Promise<ManagementResult<ContentKeyView[]>> {
    const { requireTenant, keys, commit, audit, stores } = this.#context;
    const now = actor.time.toISOString();
    const tenant = requireTenant();
    if (!tenant.ok) return tenant;
    const problem = importProblem(entries);
    if (problem) return { ok: false, failure: { reason: "content-key-import", problem } };
    const sealed = await Promise.all(entries.map((entry) => keys.sealContentKey(tenant.value, entry.id, entry.key)));
    return commit(() => {
      const seen = new Set<string>();
      for (const [i, entry] of entries.entries()) {
        if (seen.has(entry.id)) refuse({ reason: "repeated-content-key", index: i, id: entry.id });
        seen.add(entry.id);
        refuseUnusableId(stores, entry.id, now);
        stores.contentKeys.insert({
          id: entry.id,
          name: entry.name ?? "",
          sealedValue: sealed[i]!,
          iv: entry.iv,
          creationMethod: CREATION_METHOD.Import,
          now,
        });
        stores.contentKeyRemovals.forget(entry.id);
        audit(actor, "ImportContentKeys", entry.id);
      }
      return entries.map((entry) => stores.contentKeys.view(entry.id)!);
    });
  }

  async rename(id: string, name: string, actor: RequestActor): Promise<ManagementResult<ContentKeyView>> {
    const { requireTenant, commit, audit, stores } = this.#context;
    const now = actor.time.toISOString();
    const tenant = requireTenant();
    if (!tenant.ok) return tenant;
    return commit(() => {
      if (!stores.contentKeys.has(id)) refuse(notFound(id));
      stores.contentKeys.rename(id, name, now);
      audit(actor, "UpdateContentKey", id);
      return stores.contentKeys.view(id)!;
    });
  }

  /**
   * Deletes a stored key: the next snapshot's filter leaves its KID out and its KV record is removed, so acquisitions
   * derive that KID again once they hold the new snapshot (docs/storage.md §Stored content keys, deleting a key).
   */
  async delete(id: string, actor: RequestActor): Promise<ManagementResult<ContentKeyView>> {
    const { requireTenant, commit, audit, stores } = this.#context;
    const tenant = requireTenant();
    if (!tenant.ok) return tenant;
    const now = actor.time.toISOString();
    const reusableFrom = new Date(actor.time.getTime() + CONTENT_KEY_REUSE_DELAY_SECONDS * 1000).toISOString();
    return commit(() => {
      const view = stores.contentKeys.view(id);
      if (!view) refuse(notFound(id));
      stores.contentKeys.delete(id);
      stores.contentKeyRemovals.record(id, now, reusableFrom);
      audit(actor, "DeleteContentKey", id);
      return view;
    });
  }

  /**
   * The keys an export takes, their values still sealed: the named ones (each must be stored; 404 names the first that
   * is not) or every key a query selects; at most MAX_CONTENT_KEYS_PER_EXPORT, else refused naming the count. The caller
   * opens them with `openStoredContentKey`.
   */
  selectForExport(selection: ContentKeySelection): ManagementResult<SealedContentKey[]> {
    const tenant = this.#context.requireTenant();
    if (!tenant.ok) return tenant;
    const store = this.#context.stores.contentKeys;
    const tooMany = (count: number): ManagementResult<never> => ({ ok: false, failure: { reason: "export-too-large", count } });
    if ("ids" in selection) {
      if (selection.ids.length > MAX_CONTENT_KEYS_PER_EXPORT) return tooMany(selection.ids.length);
      const ids = [...new Set(selection.ids)];
      const found = store.sealedByIds(ids);
      const foundIds = new Set(found.map((key) => key.id));
      const missing = ids.find((id) => !foundIds.has(id));
      return missing === undefined ? { ok: true, value: found } : { ok: false, failure: notFound(missing) };
    }
    const count = store.count(selection.query);
    if (count > MAX_CONTENT_KEYS_PER_EXPORT) return tooMany(count);
    return { ok: true, value: store.sealedByQuery(selection.query, MAX_CONTENT_KEYS_PER_EXPORT) };
  }

  /** Records that keys left the service in an export (one ExportContentKeys record per key, never a value), before the document is answered. */
  recordExport(ids: readonly string[], actor: RequestActor): ManagementResult<{ count: number }> {
    const { requireTenant, storage, audit } = this.#context;
    const tenant = requireTenant();
    if (!tenant.ok) return tenant;
    // Nothing the snapshot carries changes, so the records commit without a publish.
    return runTransaction(storage, () => {
      for (const id of ids) audit(actor, "ExportContentKeys", id);
      return { count: ids.length };
    });
  }
}

function notFound(id: string): ManagementFailure {
  return { reason: "not-found", what: "content key", id };
}

/** Refuses (inside a transaction) a KID that is stored, or was deleted too recently to take a new value. */
function refuseUnusableId(stores: TenantStores, id: string, now: string): void {
  if (stores.contentKeys.has(id)) refuse({ reason: "duplicate-id", what: "content key", id });
  const reusableFrom = stores.contentKeyRemovals.reusableFrom(id, now);
  if (reusableFrom !== undefined) {
    refuse({ reason: "content-key-retained", id, until: reusableFrom });
  }
}

/** The first rule an import breaks, naming the entry's index; undefined when every entry is well-formed. */
function importProblem(entries: readonly ContentKeyImport[]): ContentKeyImportProblem | undefined {
  if (entries.length === 0) return { rule: "not-empty" };
  if (entries.length > MAX_CONTENT_KEYS_PER_IMPORT) return { rule: "at-most", count: entries.length };
  for (const [index, entry] of entries.entries()) {
    const kid = KeyId.parse(entry.id);
    if (!kid || kid.toString() !== entry.id) return { rule: "canonical-id", index };
    if (entry.key.length !== CONTENT_KEY_LENGTH) return { rule: "key-length", index, length: entry.key.length };
    if (isAllZero(entry.key)) return { rule: "secret-key", index };
    if (entry.iv !== undefined && entry.iv.length !== STORED_IV_LENGTH) return { rule: "iv-length", index, length: entry.iv.length };
    if (entry.name !== undefined && entry.name.length > MAX_NAME_LENGTH) {
      return { rule: "name-length", index, length: entry.name.length };
    }
  }
  return undefined;
}
