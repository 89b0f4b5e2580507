import { RpcTarget } from "cloudflare:workers";
import { randomBytes } from "../../runtime/random";
import { SealedValueError, sealedKeyVersion } from "../envelope";
import type { RepublishTarget, TenantSnapshot } from "../snapshot";
import { CPIX_URL_SECRET_LENGTH } from "../stores/cpix-url-secret-store";
import type { TenantRecord } from "../stores/tenant-record-store";
import { provisionTenant } from "../tenant-provision";
import { refuse, runTransaction } from "../tenant-transaction";
import { OPERATOR_ACTOR, type DataKeyRewrap, type ManagementResult, type RequestActor } from "../tenant-types";
import type { TenantCreated, TenantMetadata } from "../tenant-types";
import { TenantBackupOperations } from "./backup-operations";
import { changeTenant, scheduleTenantDeletion } from "./lifecycle-operations";
import type { DeletionScheduling, TenantLifecycleChange, TenantLifecycleView } from "./lifecycle-operations";
import { republishStoredValue } from "./publication-operations";
import type { TenantContext } from "./tenant-context-type";

/** The Operator API route that creates tenants (src/admin/tenants.ts): the request path of a new tenant's audit records. */
const TENANT_CREATION_PATH = "/admin/tenants";

/**
 * The tenant itself (`tenant()` on the object): its creation, metadata and lifecycle, the snapshot it publishes, the
 * tenant-wide secrets: the data key (re-wrapped as the key-encryption key rotates) and the CPIX URL secret, and its
 * backup and restore (a target of its own, `backup()`, since the object keeps at most 10 methods).
 */
export class TenantOperations extends RpcTarget {
  readonly #context: TenantContext;
  readonly #backup: TenantBackupOperations;

  constructor(context: TenantContext) {
    super();
    this.#context = context;
    this.#backup = new TenantBackupOperations(context);
  }

  /** The tenant's backup and restore (issue 29): `tenant().backup().dump(now)`, `.record(…)`, `.restore(…)`. */
  backup(): TenantBackupOperations {
    return this.#backup;
  }

  /** Creates the tenant with one management key and one generated seed, its default. */
  async create(input: { tenantId: string; name: string }, now: Date): Promise<ManagementResult<TenantCreated>> {
    const { keys, commit, audit, stores } = this.#context;
    if (stores.tenant.read()) return { ok: false, failure: { reason: "tenant-exists" } };
    const { tenant, credential, seed, managementKey, dataKey } = await provisionTenant(keys, { ...input, now: now.toISOString() });
    const result = await commit(() => {
      // Another create may have committed while this one awaited its keys.
      if (stores.tenant.read()) refuse({ reason: "tenant-exists" });
      stores.tenant.create(tenant);
      stores.credentials.insert(credential);
      stores.seeds.insert(seed);
      stores.seeds.startWithDefault(seed.id);
      const operator = { credentialId: OPERATOR_ACTOR, requestPath: TENANT_CREATION_PATH, time: now };
      audit(operator, "AddCredential", credential.id);
      audit(operator, "AddKeySeed", seed.id);
      return { tenantId: tenant.id, managementKey, credentialId: credential.id, keySeedId: seed.id };
    });
    if (result.ok) keys.remember(tenant.wrappedDataKey, dataKey);
    return result;
  }

  /** Tenant metadata without any secret, its suspension and pending deletion; the default seed is the one in effect at `now`. */
  metadata(now: Date): ManagementResult<TenantMetadata> {
    const { stores, publisher } = this.#context;
    return this.#context.read(({ id: tenantId, name, created, suspendedAt, deleteAt }) => ({
      tenantId,
      name,
      created,
      suspended: suspendedAt !== undefined,
      ...(deleteAt !== undefined && { deleteAt }),
      keySeedCount: stores.seeds.count(),
      defaultKeySeedId: stores.seeds.effectiveDefault(now),
      snapshotVersion: publisher.version(),
    }));
  }

  /** Renames, suspends or resumes the tenant (`PUT /admin/tenants/{id}`; docs/storage.md §Tenant lifecycle). */
  change(change: TenantLifecycleChange, actor: RequestActor): Promise<ManagementResult<TenantLifecycleView>> {
    return changeTenant(this.#context, change, actor);
  }

  /** Schedules a suspended tenant's erasure after the grace period (`DELETE /admin/tenants/{id}`). */
  scheduleDeletion(actor: RequestActor): Promise<DeletionScheduling> {
    return scheduleTenantDeletion(this.#context, actor);
  }

  /** The snapshot as the object would publish it now (also what readers in the caller's isolate prime with). */
  snapshot(): ManagementResult<TenantSnapshot> {
    const tenant = this.#context.requireTenant();
    if (!tenant.ok) return tenant;
    // create writes the tenant and its default switch in one transaction, so a tenant always has a snapshot.
    return { ok: true, value: this.#context.publisher.build()! };
  }

  /** Writes a value a reader refused again from this object's storage (docs/storage.md §Self-healing). */
  republish(target: RepublishTarget): Promise<ManagementResult<{ written: boolean }>> {
    return republishStoredValue(this.#context, target);
  }

  /**
   * Re-wraps the data key under the current key-encryption key in one transaction, then publishes the snapshot carrying
   * the new wrapped form (docs/storage.md §Rotating the key-encryption key). `currentKeyVersion` is the version the
   * caller's configuration names current: an object configured otherwise (a deploy still rolling out) changes nothing.
   * The keyring reads the object's bindings at each use, so the versions compared are those configured now.
   */
  async rewrapDataKey(currentKeyVersion: number): Promise<DataKeyRewrap> {
    const { keys, stores, commit } = this.#context;
    const objectKeyVersion = (await keys.keyEncryptionKeys()).current.version;
    if (objectKeyVersion !== currentKeyVersion) return { outcome: "other-configuration", objectKeyVersion };
    const tenant = stores.tenant.read();
    if (!tenant) return { outcome: "no-tenant" };
    let rewrapped: string | undefined;
    try {
      rewrapped = await keys.rewrappedDataKey(tenant);
    } catch (error) {
      if (!(error instanceof SealedValueError)) throw error;
      return { outcome: "cannot-open", wrappedKeyVersion: sealedKeyVersion(tenant.wrappedDataKey) ?? null, problem: error.message };
    }
    // Another call may have re-wrapped it while this one awaited WebCrypto; nothing runs between this check and the write.
    if (rewrapped === undefined || stores.tenant.read()?.wrappedDataKey !== tenant.wrappedDataKey) {
      return { outcome: "already-current" };
    }
    const wrapped = rewrapped;
    await commit(() => stores.tenant.replaceWrappedDataKey(wrapped));
    return { outcome: "rewrapped", fromKeyVersion: sealedKeyVersion(tenant.wrappedDataKey)! };
  }

  /**
   * Readies a signed CPIX URL (`POST /api/CpixUrls`): makes the URL secret on first use (sealed under the data key,
   * published in the snapshot) and records the issue, naming the content id and expiry, never the token or URL.
   * Answers the id of the secret the caller signs with (the Worker opens it from the snapshot it primes).
   */
  async prepareCpixUrl(contentId: string, expiresAt: string, actor: RequestActor): Promise<ManagementResult<{ secretId: string }>> {
    const { requireTenant, storage, commit, audit, stores } = this.#context;
    const tenant = requireTenant();
    if (!tenant.ok) return tenant;
    const objectId = `${contentId} until ${expiresAt}`;
    const existing = stores.cpixUrlSecrets.currentId();
    if (existing !== undefined) {
      // Nothing the snapshot carries changes, so the record commits without a publish.
      return runTransaction(storage, () => {
        audit(actor, "IssueCpixUrl", objectId);
        return { secretId: existing };
      });
    }
    const fresh = await this.#newCpixUrlSecret(tenant.value);
    return commit(() => {
      // Another request may have made the secret while this one sealed its own: sign with the one in use.
      const current = stores.cpixUrlSecrets.currentId();
      if (current === undefined) stores.cpixUrlSecrets.replace(fresh.id, fresh.sealed, actor.time.toISOString());
      audit(actor, "IssueCpixUrl", objectId);
      return { secretId: current ?? fresh.id };
    });
  }

  /** Replaces the CPIX URL secret: every signed URL issued before is refused once readers hold the new snapshot. */
  async rotateCpixUrlSecret(actor: RequestActor): Promise<ManagementResult<{ secretId: string }>> {
    const { requireTenant, commit, audit, stores } = this.#context;
    const tenant = requireTenant();
    if (!tenant.ok) return tenant;
    const fresh = await this.#newCpixUrlSecret(tenant.value);
    return commit(() => {
      stores.cpixUrlSecrets.replace(fresh.id, fresh.sealed, actor.time.toISOString());
      audit(actor, "RotateCpixUrlSecret", fresh.id);
      return { secretId: fresh.id };
    });
  }

  async #newCpixUrlSecret(tenant: TenantRecord): Promise<{ id: string; sealed: string }> {
    const id = crypto.randomUUID();
    const secret = randomBytes(CPIX_URL_SECRET_LENGTH);
    try {
      return { id, sealed: await this.#context.keys.sealCpixUrlSecret(tenant, id, secret) };
    } finally {
      secret.fill(0);
    }
  }
}
