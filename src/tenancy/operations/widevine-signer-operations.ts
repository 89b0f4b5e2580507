import { RpcTarget } from "cloudflare:workers";
import { signerRegistry } from "../signer-registry";
import { refuse } from "../tenant-transaction";
import type { ManagementFailure, ManagementResult, NewWidevineCredential, RequestActor, WidevineCredentialView } from "../tenant-types";
import type { TenantContext } from "./tenant-context-type";

/**
 * The tenant's Widevine CENC API signers (`widevineSigners()` on the object), and their provider names' claims in the
 * global SignerRegistry (names are unique across tenants). Only this object releases its tenant's claim, and only when
 * it stores no signer of that name while no other creation or deletion of the name runs here, so a claim a stored
 * signer relies on is never released.
 */
export class WidevineSignerOperations extends RpcTarget {
  readonly #context: TenantContext;
  /** Provider names a creation or deletion is under way for in this object (see #withSignerName). */
  readonly #signerNamesInUse = new Set<string>();

  constructor(context: TenantContext) {
    super();
    this.#context = context;
  }

  /** Adds a signer, claiming its provider name in the SignerRegistry first. */
  async create(input: NewWidevineCredential, actor: RequestActor): Promise<ManagementResult<WidevineCredentialView>> {
    const { requireTenant, keys, commit, audit, stores, env } = this.#context;
    const now = actor.time.toISOString();
    const tenant = requireTenant();
    if (!tenant.ok) return tenant;
    const refusal = this.#signerRefusal(input);
    if (refusal) return { ok: false, failure: refusal };
    return this.#withSignerName(input.providerName, async () => {
      const sealedAesMaterial = await keys.sealSigningMaterial(tenant.value, input);
      // Undefined while unknown: a registry call that failed may still have claimed the name.
      let claimed: boolean | undefined;
      let added: ManagementResult<WidevineCredentialView> | undefined;
      try {
        claimed = await signerRegistry(env()).claim(input.providerName, tenant.value.id, now);
        if (!claimed) return { ok: false, failure: { reason: "provider-name-taken", providerName: input.providerName } };
        added = await commit(() => {
          // The seed may have been deleted while this request awaited the registry.
          const late = this.#signerRefusal(input);
          if (late) refuse(late);
          stores.widevineSigners.insert(input, sealedAesMaterial, now);
          audit(actor, "AddWidevineSigner", input.id);
          return stores.widevineSigners.views().find((view) => view.id === input.id)!;
        });
        return added;
      } finally {
        // Claimed (or perhaps claimed) but not stored: give the name back, unless a signer of that name is stored.
        if (claimed !== false && added?.ok !== true) await this.#releaseSignerName(input.providerName, tenant.value.id);
      }
    });
  }

  list(): ManagementResult<WidevineCredentialView[]> {
    return this.#context.read(() => this.#context.stores.widevineSigners.views());
  }

  /** Revokes a signer, then releases its provider name in the SignerRegistry. */
  async delete(id: string, actor: RequestActor): Promise<ManagementResult<WidevineCredentialView>> {
    const { requireTenant, commit, audit, stores } = this.#context;
    const tenant = requireTenant();
    if (!tenant.ok) return tenant;
    const found = stores.widevineSigners.views().find((candidate) => candidate.id === id);
    if (!found) return { ok: false, failure: { reason: "not-found", what: "Widevine credential", id } };
    return this.#withSignerName(found.providerName, async () => {
      const result = await commit(() => {
        const view = stores.widevineSigners.views().find((candidate) => candidate.id === id);
        if (!view) refuse({ reason: "not-found", what: "Widevine credential", id });
        stores.widevineSigners.delete(id);
        audit(actor, "DeleteWidevineSigner", id);
        return view;
      });
      if (result.ok) await this.#releaseSignerName(found.providerName, tenant.value.id);
      return result;
    });
  }

  /** Why a signer cannot be added now: its seed is missing, or its id or provider name is already this tenant's. */
  #signerRefusal(input: NewWidevineCredential): ManagementFailure | undefined {
    const { stores } = this.#context;
    if (input.keySeedId !== undefined && !stores.seeds.find(input.keySeedId)) {
      return { reason: "not-found", what: "key seed", id: input.keySeedId };
    }
    if (stores.widevineSigners.isTaken(input.id, input.providerName)) {
      return { reason: "duplicate-id", what: "Widevine credential (Id or ProviderName)", id: input.providerName };
    }
    return undefined;
  }

  /**
   * Runs a creation or deletion of one provider name, refusing while another runs in this object: a release decided
   * by one of them can then never race a signer another one is storing.
   */
  async #withSignerName<T>(providerName: string, work: () => Promise<ManagementResult<T>>): Promise<ManagementResult<T>> {
    if (this.#signerNamesInUse.has(providerName)) {
      return { ok: false, failure: { reason: "in-progress", what: `Widevine credential ${providerName}` } };
    }
    this.#signerNamesInUse.add(providerName);
    try {
      return await work();
    } finally {
      this.#signerNamesInUse.delete(providerName);
    }
  }

  /** Releases the tenant's claim on a provider name unless it stores a signer of that name; a failed release keeps the claim. */
  async #releaseSignerName(providerName: string, tenantId: string): Promise<void> {
    if (this.#context.stores.widevineSigners.hasProviderName(providerName)) return;
    try {
      await signerRegistry(this.#context.env()).release(providerName, tenantId);
    } catch (error) {
      // The name stays this tenant's, which only keeps other tenants from it; creating it again here succeeds.
      console.error("signer name release failed", { tenantId, error: error instanceof Error ? error.name : "unknown" });
    }
  }
}
