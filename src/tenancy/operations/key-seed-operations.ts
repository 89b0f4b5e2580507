import { RpcTarget } from "cloudflare:workers";
import { refuse, runTransaction } from "../tenant-transaction";
import type { KeySeedImport, KeySeedView, ManagementResult, NewKeySeed, Page, RequestActor } from "../tenant-types";
import type { TenantContext } from "./tenant-context-type";

/**
 * The tenant's key seeds (`keySeeds()` on the object): listing, creation, import, changes, deletion and the record of
 * an export. Which seed is the default depends on the time: views and rules judge at the caller's `now` or `actor.time`.
 */
export class KeySeedOperations extends RpcTarget {
  readonly #context: TenantContext;

  constructor(context: TenantContext) {
    super();
    this.#context = context;
  }

  /** Seeds in creation order, paged. */
  list(paging: { top: number; skip: number }, now: Date): ManagementResult<Page<KeySeedView>> {
    return this.#context.read(() => {
      const views = this.#context.stores.seeds.views(now.toISOString());
      return { items: views.slice(paging.skip, paging.skip + paging.top), total: views.length };
    });
  }

  get(id: string, now: Date): ManagementResult<KeySeedView> {
    const tenant = this.#context.requireTenant();
    if (!tenant.ok) return tenant;
    const view = this.#context.stores.seeds.view(id, now.toISOString());
    return view ? { ok: true, value: view } : { ok: false, failure: { reason: "not-found", what: "key seed", id } };
  }

  /**
   * Records that seeds left the service in an encrypted export (one ExportKeySeeds record per seed, naming the seed,
   * never a value), before the document is answered: an export that cannot be recorded is not made.
   */
  async recordExport(seedIds: readonly string[], actor: RequestActor): Promise<ManagementResult<{ count: number }>> {
    const { requireTenant, storage, audit } = this.#context;
    const tenant = requireTenant();
    if (!tenant.ok) return tenant;
    // Nothing the snapshot carries changes, so the records commit without a publish.
    return runTransaction(storage, () => {
      for (const id of seedIds) audit(actor, "ExportKeySeeds", id);
      return { count: seedIds.length };
    });
  }

  /** Creates a generated seed (Axinom `POST /KeySeeds` has no Data field: the value is always generated). */
  async create(input: NewKeySeed, actor: RequestActor): Promise<ManagementResult<KeySeedView>> {
    const { requireTenant, keys, commit, audit, stores } = this.#context;
    const now = actor.time.toISOString();
    const tenant = requireTenant();
    if (!tenant.ok) return tenant;
    const id = input.id ?? crypto.randomUUID();
    const sealedValue = await keys.sealGeneratedSeed(tenant.value, id);
    return commit(() => {
      if (stores.seeds.find(id)) refuse({ reason: "duplicate-id", what: "key seed", id });
      stores.seeds.insert({ id, name: input.name, sealedValue, generated: true, now });
      if (input.isDefault) stores.seeds.markDefault(id, now);
      stores.seeds.scheduleDefaultSwitch(now);
      audit(actor, "AddKeySeed", id);
      if (input.isDefault) audit(actor, "MakeKeySeedDefault", id);
      return stores.seeds.view(id, now)!;
    });
  }

  /** Imports caller-supplied 30-byte seeds; all or nothing. */
  async import(items: readonly KeySeedImport[], actor: RequestActor): Promise<ManagementResult<KeySeedView[]>> {
    const { requireTenant, keys, commit, audit, stores } = this.#context;
    const now = actor.time.toISOString();
    const tenant = requireTenant();
    if (!tenant.ok) return tenant;
    const prepared = await keys.sealImportedSeeds(tenant.value, items);
    if (!prepared.ok) return prepared;
    return commit(() => {
      const seen = new Set<string>();
      for (const { id, sealed } of prepared.value) {
        if (seen.has(id) || stores.seeds.find(id)) refuse({ reason: "duplicate-id", what: "key seed", id });
        seen.add(id);
        stores.seeds.insert({ id, name: "", sealedValue: sealed, generated: false, now });
        audit(actor, "ImportKeySeeds", id);
      }
      stores.seeds.scheduleDefaultSwitch(now);
      const views = stores.seeds.views(now);
      return prepared.value.map(({ id }) => views.find((view) => view.id === id)!);
    });
  }

  /** Renames a seed and/or makes it default (true) or withdraws its default mark (false). */
  async update(id: string, change: { name?: string; isDefault?: boolean }, actor: RequestActor): Promise<ManagementResult<KeySeedView>> {
    const { requireTenant, commit, audit, stores } = this.#context;
    const now = actor.time.toISOString();
    const tenant = requireTenant();
    if (!tenant.ok) return tenant;
    return commit(() => {
      if (!stores.seeds.find(id)) refuse({ reason: "not-found", what: "key seed", id });
      if (change.name !== undefined) stores.seeds.rename(id, change.name, now);
      if (change.isDefault === true) stores.seeds.markDefault(id, now);
      if (change.isDefault === false) stores.seeds.clearDefaultMark(id, now);
      stores.seeds.scheduleDefaultSwitch(now);
      if (change.name !== undefined) audit(actor, "UpdateKeySeed", id);
      if (change.isDefault !== undefined) audit(actor, change.isDefault ? "MakeKeySeedDefault" : "WithdrawKeySeedDefault", id);
      return stores.seeds.view(id, now)!;
    });
  }

  /**
   * Deletes a seed unless it is the default, a pending switch still names it, a location may still issue keys from it
   * (a default until recently), or a Widevine signer uses it.
   */
  async delete(id: string, actor: RequestActor): Promise<ManagementResult<{ id: string }>> {
    const { requireTenant, commit, audit, stores } = this.#context;
    const now = actor.time.toISOString();
    const tenant = requireTenant();
    if (!tenant.ok) return tenant;
    return commit(() => {
      if (!stores.seeds.find(id)) refuse({ reason: "not-found", what: "key seed", id });
      const inUse = stores.seeds.deletionRefusal(id, now);
      if (inUse) refuse(inUse);
      const signer = stores.widevineSigners.providerUsingSeed(id);
      if (signer !== undefined) {
        refuse({ reason: "seed-used-by-signer", id, providerName: signer });
      }
      stores.seeds.delete(id);
      audit(actor, "DeleteKeySeed", id);
      return { id };
    });
  }
}
