import { randomBytes } from "../runtime/random";
import { CPIX_URL_SECRET_LENGTH } from "./stores/cpix-url-secret-store";
import { DurableObject } from "cloudflare:workers";
import { MAX_CREDENTIALS_PER_TENANT, generateSecret, hashSecret, isExpired } from "./credentials";
import { switchDelaySeconds } from "./key-seed-rules";
import { migrate } from "./schema";
import { signerRegistry } from "./signer-registry";
import type { TenantSettings } from "./settings";
import type { TenantSnapshot } from "./snapshot";
import { SnapshotPublisher, kvSnapshotSink } from "./snapshot-publisher";
import { TenantLogs } from "./stores/tenant-logs";
import type { TenantRecord } from "./stores/tenant-record-store";
import { TENANT_MIGRATIONS, openTenantStores, type TenantStores } from "./stores/tenant-stores";
import { TenantKeyring } from "./tenant-keyring";
import { provisionTenant } from "./tenant-provision";
import { refuse, runTransaction } from "./tenant-transaction";
import { SealedValueError, sealedKeyVersion } from "./envelope";
import {
  OPERATOR_ACTOR,
  type AuditAction,
  type CertificateView,
  type NewCertificate,
  type NewSigningKey,
  type DataKeyRewrap,
  type CredentialIssued,
  type CredentialView,
  type IssuanceRecord,
  type KeySeedImport,
  type KeySeedView,
  type LogEntry,
  type LogFilter,
  type ManagementFailure,
  type ManagementResult,
  type NewKeySeed,
  type NewTenantCredential,
  type NewWidevineCredential,
  type Page,
  type RequestActor,
  type TenantCreated,
  type TenantMetadata,
  type WidevineCredentialView,
} from "./tenant-types";

/** The Operator API route that creates tenants (src/admin/tenants.ts): the request path of a new tenant's audit records. */
const TENANT_CREATION_PATH = "/admin/tenants";

/**
 * One per tenant: the single writer and source of truth (docs/storage.md). Each write checks the tenant,
 * validates, commits through the stores in one SQLite transaction, then has the publisher write the snapshot
 * to KV. Every method returns a typed result, since RPC drops stacks and error classes.
 */
export class TenantObject extends DurableObject<Env> {
  readonly #stores: TenantStores;
  readonly #publisher: SnapshotPublisher;
  readonly #keys: TenantKeyring;
  /** Provider names a creation or deletion is under way for in this object (see #withSignerName). */
  readonly #signerNamesInUse = new Set<string>();
  readonly #logs: TenantLogs;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    const sql = ctx.storage.sql;
    this.#stores = openTenantStores(sql, { switchDelaySeconds: switchDelaySeconds(env.DEFAULT_SEED_SWITCH_DELAY_SECONDS) });
    this.#publisher = new SnapshotPublisher(sql, this.#stores, kvSnapshotSink(env.SNAPSHOTS), ctx.storage);
    this.#keys = new TenantKeyring(() => this.env);
    this.#logs = new TenantLogs(sql, this.#stores, env.SNAPSHOTS);
    ctx.blockConcurrencyWhile(async () => migrate(sql, TENANT_MIGRATIONS));
  }

  /** Creates the tenant with one management key and one generated seed, its default. */
  async createTenant(input: { tenantId: string; name: string; now: string }): Promise<ManagementResult<TenantCreated>> {
    if (this.#stores.tenant.read()) return { ok: false, failure: { reason: "tenant-exists" } };
    const { tenant, credential, seed, managementKey, dataKey } = await provisionTenant(this.#keys, input);
    const result = await this.#commit(() => {
      // Another createTenant may have committed while this one awaited its keys.
      if (this.#stores.tenant.read()) refuse({ reason: "tenant-exists" });
      this.#stores.tenant.create(tenant);
      this.#stores.credentials.insert(credential);
      this.#stores.seeds.insert(seed);
      this.#stores.seeds.startWithDefault(seed.id);
      const operator = { credentialId: OPERATOR_ACTOR, requestPath: TENANT_CREATION_PATH, time: input.now };
      this.#audit(operator, "AddCredential", credential.id);
      this.#audit(operator, "AddKeySeed", seed.id);
      return { tenantId: tenant.id, managementKey, credentialId: credential.id, keySeedId: seed.id };
    });
    if (result.ok) this.#keys.remember(tenant.wrappedDataKey, dataKey);
    return result;
  }

  /** Tenant metadata without any secret. */
  getMetadata(now: string): ManagementResult<TenantMetadata> {
    return this.#read(({ id: tenantId, name, created }) => ({
      tenantId,
      name,
      created,
      keySeedCount: this.#stores.seeds.count(),
      defaultKeySeedId: this.#stores.seeds.effectiveDefault(new Date(now)),
      snapshotVersion: this.#publisher.version(),
    }));
  }

  /** Seeds in creation order, paged. */
  listKeySeeds(paging: { top: number; skip: number }, now: string): ManagementResult<Page<KeySeedView>> {
    return this.#read(() => {
      const views = this.#stores.seeds.views(now);
      return { items: views.slice(paging.skip, paging.skip + paging.top), total: views.length };
    });
  }

  getKeySeed(id: string, now: string): ManagementResult<KeySeedView> {
    const tenant = this.#requireTenant();
    if (!tenant.ok) return tenant;
    const view = this.#stores.seeds.view(id, now);
    return view ? { ok: true, value: view } : { ok: false, failure: { reason: "not-found", what: "key seed", id } };
  }

  /**
   * Records that seeds left the service in an encrypted export (one ExportKeySeeds record per seed, naming the seed,
   * never a value), before the document is answered: an export that cannot be recorded is not made.
   */
  async recordKeySeedExport(seedIds: readonly string[], actor: RequestActor): Promise<ManagementResult<{ count: number }>> {
    const tenant = this.#requireTenant();
    if (!tenant.ok) return tenant;
    // Nothing the snapshot carries changes, so the records commit without a publish.
    return runTransaction(this.ctx.storage, () => {
      for (const id of seedIds) this.#audit(actor, "ExportKeySeeds", id);
      return { count: seedIds.length };
    });
  }

  /** Creates a generated seed (Axinom `POST /KeySeeds` has no Data field: the value is always generated). */
  async createKeySeed(input: NewKeySeed, now: string, actor: RequestActor): Promise<ManagementResult<KeySeedView>> {
    const tenant = this.#requireTenant();
    if (!tenant.ok) return tenant;
    const id = input.id ?? crypto.randomUUID();
    const sealedValue = await this.#keys.sealGeneratedSeed(tenant.value, id);
    return this.#commit(() => {
      if (this.#stores.seeds.find(id)) refuse({ reason: "duplicate-id", what: "key seed", id });
      this.#stores.seeds.insert({ id, name: input.name, sealedValue, generated: true, now });
      if (input.isDefault) this.#stores.seeds.markDefault(id, now);
      this.#stores.seeds.scheduleDefaultSwitch(now);
      this.#audit(actor, "AddKeySeed", id);
      if (input.isDefault) this.#audit(actor, "MakeKeySeedDefault", id);
      return this.#stores.seeds.view(id, now)!;
    });
  }

  /** Imports caller-supplied 30-byte seeds; all or nothing. */
  async importKeySeeds(items: readonly KeySeedImport[], now: string, actor: RequestActor): Promise<ManagementResult<KeySeedView[]>> {
    const tenant = this.#requireTenant();
    if (!tenant.ok) return tenant;
    const prepared = await this.#keys.sealImportedSeeds(tenant.value, items);
    if (!prepared.ok) return prepared;
    return this.#commit(() => {
      const seen = new Set<string>();
      for (const { id, sealed } of prepared.value) {
        if (seen.has(id) || this.#stores.seeds.find(id)) refuse({ reason: "duplicate-id", what: "key seed", id });
        seen.add(id);
        this.#stores.seeds.insert({ id, name: "", sealedValue: sealed, generated: false, now });
        this.#audit(actor, "ImportKeySeeds", id);
      }
      this.#stores.seeds.scheduleDefaultSwitch(now);
      const views = this.#stores.seeds.views(now);
      return prepared.value.map(({ id }) => views.find((view) => view.id === id)!);
    });
  }

  /** Renames a seed and/or makes it default (true) or withdraws its default mark (false). */
  async updateKeySeed(
    id: string,
    change: { name?: string; isDefault?: boolean },
    now: string,
    actor: RequestActor,
  ): Promise<ManagementResult<KeySeedView>> {
    const tenant = this.#requireTenant();
    if (!tenant.ok) return tenant;
    return this.#commit(() => {
      if (!this.#stores.seeds.find(id)) refuse({ reason: "not-found", what: "key seed", id });
      if (change.name !== undefined) this.#stores.seeds.rename(id, change.name, now);
      if (change.isDefault === true) this.#stores.seeds.markDefault(id, now);
      if (change.isDefault === false) this.#stores.seeds.clearDefaultMark(id, now);
      this.#stores.seeds.scheduleDefaultSwitch(now);
      if (change.name !== undefined) this.#audit(actor, "UpdateKeySeed", id);
      if (change.isDefault !== undefined) this.#audit(actor, change.isDefault ? "MakeKeySeedDefault" : "WithdrawKeySeedDefault", id);
      return this.#stores.seeds.view(id, now)!;
    });
  }

  /**
   * Deletes a seed unless it is the default, a pending switch still names it, a location may still issue keys from it
   * (a default until recently), or a Widevine signer uses it.
   */
  async deleteKeySeed(id: string, now: string, actor: RequestActor): Promise<ManagementResult<{ id: string }>> {
    const tenant = this.#requireTenant();
    if (!tenant.ok) return tenant;
    return this.#commit(() => {
      if (!this.#stores.seeds.find(id)) refuse({ reason: "not-found", what: "key seed", id });
      const inUse = this.#stores.seeds.deletionRefusal(id, now);
      if (inUse) refuse(inUse);
      const signer = this.#stores.widevineSigners.providerUsingSeed(id);
      if (signer !== undefined) {
        refuse({ reason: "invalid", message: `Key seed ${id} is used by the Widevine credential ${signer}; delete that credential first` });
      }
      this.#stores.seeds.delete(id);
      this.#audit(actor, "DeleteKeySeed", id);
      return { id };
    });
  }

  getSettings(): ManagementResult<TenantSettings> {
    return this.#read(() => this.#stores.settings.read());
  }

  /** Replaces the tenant settings as a whole (PUT semantics). */
  async putSettings(settings: TenantSettings, actor: RequestActor): Promise<ManagementResult<TenantSettings>> {
    const tenant = this.#requireTenant();
    if (!tenant.ok) return tenant;
    return this.#commit(() => {
      if (settings.signingKeyId !== undefined && !this.#stores.signingKeys.find(settings.signingKeyId)) {
        refuse({
          reason: "invalid",
          message: `SigningKeyId ${settings.signingKeyId} names no signing key of this tenant (GET /api/SigningKeys)`,
        });
      }
      this.#stores.settings.replace(settings);
      this.#audit(actor, "UpdateSettings", null);
      return this.#stores.settings.read();
    });
  }

  /**
   * Adds a Widevine CENC API signer, claiming its provider name in the global SignerRegistry first (names are unique
   * across tenants). Only this object releases its tenant's claim, and only when it stores no signer of that name
   * while no other creation or deletion of the name runs here, so a claim a stored signer relies on is never released.
   */
  async addWidevineCredential(
    input: NewWidevineCredential,
    now: string,
    actor: RequestActor,
  ): Promise<ManagementResult<WidevineCredentialView>> {
    const tenant = this.#requireTenant();
    if (!tenant.ok) return tenant;
    const refusal = this.#signerRefusal(input);
    if (refusal) return { ok: false, failure: refusal };
    return this.#withSignerName(input.providerName, async () => {
      const sealedAesMaterial = await this.#keys.sealSigningMaterial(tenant.value, input);
      // Undefined while unknown: a registry call that failed may still have claimed the name.
      let claimed: boolean | undefined;
      let added: ManagementResult<WidevineCredentialView> | undefined;
      try {
        claimed = await signerRegistry(this.env).claim(input.providerName, tenant.value.id, now);
        if (!claimed) return { ok: false, failure: { reason: "provider-name-taken", providerName: input.providerName } };
        added = await this.#commit(() => {
          // The seed may have been deleted while this request awaited the registry.
          const late = this.#signerRefusal(input);
          if (late) refuse(late);
          this.#stores.widevineSigners.insert(input, sealedAesMaterial, now);
          this.#audit(actor, "AddWidevineSigner", input.id);
          return this.#stores.widevineSigners.views().find((view) => view.id === input.id)!;
        });
        return added;
      } finally {
        // Claimed (or perhaps claimed) but not stored: give the name back, unless a signer of that name is stored.
        if (claimed !== false && added?.ok !== true) await this.#releaseSignerName(input.providerName, tenant.value.id);
      }
    });
  }

  listWidevineCredentials(): ManagementResult<WidevineCredentialView[]> {
    return this.#read(() => this.#stores.widevineSigners.views());
  }

  /** Revokes a signer, then releases its provider name in the SignerRegistry. */
  async deleteWidevineCredential(id: string, actor: RequestActor): Promise<ManagementResult<WidevineCredentialView>> {
    const tenant = this.#requireTenant();
    if (!tenant.ok) return tenant;
    const found = this.#stores.widevineSigners.views().find((candidate) => candidate.id === id);
    if (!found) return { ok: false, failure: { reason: "not-found", what: "Widevine credential", id } };
    return this.#withSignerName(found.providerName, async () => {
      const result = await this.#commit(() => {
        const view = this.#stores.widevineSigners.views().find((candidate) => candidate.id === id);
        if (!view) refuse({ reason: "not-found", what: "Widevine credential", id });
        this.#stores.widevineSigners.delete(id);
        this.#audit(actor, "DeleteWidevineSigner", id);
        return view;
      });
      if (result.ok) await this.#releaseSignerName(found.providerName, tenant.value.id);
      return result;
    });
  }

  /** Stores a CPIX signing key (the route checked the certificate and that the key belongs to it), its private key sealed. */
  async addSigningKey(input: NewSigningKey, now: string, actor: RequestActor): Promise<ManagementResult<CertificateView>> {
    const tenant = this.#requireTenant();
    if (!tenant.ok) return tenant;
    const sealed = await this.#keys.sealCpixSigningKey(tenant.value, input);
    return this.#commit(() => {
      if (this.#stores.signingKeys.find(input.id)) refuse({ reason: "duplicate-id", what: "signing key", id: input.id });
      this.#stores.signingKeys.insert(input, sealed, now);
      this.#audit(actor, "AddSigningKey", input.id);
      return this.#stores.signingKeys.find(input.id)!;
    });
  }

  listSigningKeys(): ManagementResult<CertificateView[]> {
    return this.#read(() => this.#stores.signingKeys.views());
  }

  /** Deletes a signing key; the one the settings sign with is refused until the settings name another. */
  async deleteSigningKey(id: string, actor: RequestActor): Promise<ManagementResult<CertificateView>> {
    const tenant = this.#requireTenant();
    if (!tenant.ok) return tenant;
    return this.#commit(() => {
      const view = this.#stores.signingKeys.find(id);
      if (!view) refuse({ reason: "not-found", what: "signing key", id });
      if (this.#stores.settings.read().signingKeyId === id) {
        refuse({
          reason: "conflict",
          message: `Signing key ${id} is the tenant setting SigningKeyId; name another key or none first (PUT /api/Settings)`,
        });
      }
      this.#stores.signingKeys.delete(id);
      this.#audit(actor, "DeleteSigningKey", id);
      return view;
    });
  }

  /** Trusts a requester's certificate for signed CPIX requests. */
  async addTrustedRequester(input: NewCertificate, now: string, actor: RequestActor): Promise<ManagementResult<CertificateView>> {
    const tenant = this.#requireTenant();
    if (!tenant.ok) return tenant;
    return this.#commit(() => {
      if (this.#stores.trustedRequesters.isTaken(input.id, input.fingerprint)) {
        refuse({ reason: "duplicate-id", what: "trusted requester (Id or certificate)", id: input.id });
      }
      this.#stores.trustedRequesters.insert(input, now);
      this.#audit(actor, "AddTrustedRequester", input.id);
      return this.#stores.trustedRequesters.find(input.id)!;
    });
  }

  listTrustedRequesters(): ManagementResult<CertificateView[]> {
    return this.#read(() => this.#stores.trustedRequesters.views());
  }

  async deleteTrustedRequester(id: string, actor: RequestActor): Promise<ManagementResult<CertificateView>> {
    const tenant = this.#requireTenant();
    if (!tenant.ok) return tenant;
    return this.#commit(() => {
      const view = this.#stores.trustedRequesters.find(id);
      if (!view) refuse({ reason: "not-found", what: "trusted requester", id });
      this.#stores.trustedRequesters.delete(id);
      this.#audit(actor, "DeleteTrustedRequester", id);
      return view;
    });
  }

  /**
   * Readies a signed CPIX URL (`POST /api/CpixUrls`): makes the tenant's URL secret on first use (sealed under the data
   * key, published in the snapshot) and records the issue, naming the content id and expiry, never the token or URL.
   * Answers the id of the secret the caller signs with (the Worker opens it from the snapshot it primes).
   */
  async prepareCpixUrl(contentId: string, expiresAt: string, actor: RequestActor): Promise<ManagementResult<{ secretId: string }>> {
    const tenant = this.#requireTenant();
    if (!tenant.ok) return tenant;
    const objectId = `${contentId} until ${expiresAt}`;
    const existing = this.#stores.cpixUrlSecrets.currentId();
    if (existing !== undefined) {
      // Nothing the snapshot carries changes, so the record commits without a publish.
      return runTransaction(this.ctx.storage, () => {
        this.#audit(actor, "IssueCpixUrl", objectId);
        return { secretId: existing };
      });
    }
    const fresh = await this.#newCpixUrlSecret(tenant.value);
    return this.#commit(() => {
      // Another request may have made the secret while this one sealed its own: sign with the one in use.
      const current = this.#stores.cpixUrlSecrets.currentId();
      if (current === undefined) this.#stores.cpixUrlSecrets.replace(fresh.id, fresh.sealed, actor.time);
      this.#audit(actor, "IssueCpixUrl", objectId);
      return { secretId: current ?? fresh.id };
    });
  }

  /** Replaces the tenant's CPIX URL secret: every signed URL issued before is refused once readers hold the new snapshot. */
  async rotateCpixUrlSecret(actor: RequestActor): Promise<ManagementResult<{ secretId: string }>> {
    const tenant = this.#requireTenant();
    if (!tenant.ok) return tenant;
    const fresh = await this.#newCpixUrlSecret(tenant.value);
    return this.#commit(() => {
      this.#stores.cpixUrlSecrets.replace(fresh.id, fresh.sealed, actor.time);
      this.#audit(actor, "RotateCpixUrlSecret", fresh.id);
      return { secretId: fresh.id };
    });
  }

  async #newCpixUrlSecret(tenant: TenantRecord): Promise<{ id: string; sealed: string }> {
    const id = crypto.randomUUID();
    const secret = randomBytes(CPIX_URL_SECRET_LENGTH);
    try {
      return { id, sealed: await this.#keys.sealCpixUrlSecret(tenant, id, secret) };
    } finally {
      secret.fill(0);
    }
  }

  /**
   * Appends issuance records (never key values); called off the hot path. A record whose id is already stored is
   * skipped, so a retried or parked batch is stored once; `appended` counts the new ones.
   */
  async appendIssuance(records: readonly IssuanceRecord[]): Promise<ManagementResult<{ appended: number }>> {
    const tenant = this.#requireTenant();
    if (!tenant.ok) return tenant;
    const result = runTransaction(this.ctx.storage, () => ({ appended: this.#logs.appendIssuance(records, Date.now()) }));
    if (this.#logs.parkedCheckDue(Date.now())) await this.#logs.takeParked(this.ctx.storage, tenant.value.id, Date.now());
    return result;
  }

  /** Issuance records, newest first, paged. */
  listIssuance(paging: { top: number; skip: number }): ManagementResult<Page<IssuanceRecord>> {
    return this.#read(() => this.#stores.issuance.page(paging));
  }

  /** The snapshot as the object would publish it now (also what readers in this isolate prime with). */
  currentSnapshot(): ManagementResult<TenantSnapshot> {
    const tenant = this.#requireTenant();
    if (!tenant.ok) return tenant;
    // createTenant writes the tenant and its default switch in one transaction, so a tenant always has a snapshot.
    return { ok: true, value: this.#publisher.build()! };
  }

  /** Retries a publish whose KV write failed. */
  override async alarm(): Promise<void> {
    await this.#publisher.retry();
  }

  /** The tenant this object holds; every method but createTenant answers `no-tenant` the same way without one. */
  #requireTenant(): ManagementResult<TenantRecord> {
    const tenant = this.#stores.tenant.read();
    return tenant ? { ok: true, value: tenant } : { ok: false, failure: { reason: "no-tenant" } };
  }

  /** A read behind the same tenant check as every write. */
  #read<T>(read: (tenant: TenantRecord) => T): ManagementResult<T> {
    const tenant = this.#requireTenant();
    return tenant.ok ? { ok: true, value: read(tenant.value) } : tenant;
  }

  /**
   * Runs a write as one transaction that also bumps the snapshot version, then publishes the snapshot. A `refuse`
   * inside rolls the whole write back and publishes nothing, so a refused request changes no state.
   */
  async #commit<T>(work: () => T): Promise<ManagementResult<T>> {
    const result = runTransaction(this.ctx.storage, () => {
      const value = work();
      this.#publisher.bumpVersion();
      return value;
    });
    if (result.ok) await this.#publisher.publish();
    return result;
  }

  /**
   * Re-wraps the tenant's data key under the current key-encryption key in one transaction, then publishes the snapshot
   * carrying the new wrapped form (docs/storage.md §Rotating the key-encryption key). `currentKeyVersion` is the version
   * the caller's configuration names current: an object configured otherwise (a deploy still rolling out) changes nothing.
   */
  async rewrapDataKey(currentKeyVersion: number): Promise<DataKeyRewrap> {
    const objectKeyVersion = (await this.#keys.keyEncryptionKeys()).current.version;
    if (objectKeyVersion !== currentKeyVersion) return { outcome: "other-configuration", objectKeyVersion };
    const tenant = this.#stores.tenant.read();
    if (!tenant) return { outcome: "no-tenant" };
    let rewrapped: string | undefined;
    try {
      rewrapped = await this.#keys.rewrappedDataKey(tenant);
    } catch (error) {
      if (!(error instanceof SealedValueError)) throw error;
      return { outcome: "cannot-open", wrappedKeyVersion: sealedKeyVersion(tenant.wrappedDataKey) ?? null, problem: error.message };
    }
    // Another call may have re-wrapped it while this one awaited WebCrypto; nothing runs between this check and the write.
    if (rewrapped === undefined || this.#stores.tenant.read()?.wrappedDataKey !== tenant.wrappedDataKey) {
      return { outcome: "already-current" };
    }
    const wrapped = rewrapped;
    await this.#commit(() => this.#stores.tenant.replaceWrappedDataKey(wrapped));
    return { outcome: "rewrapped", fromKeyVersion: sealedKeyVersion(tenant.wrappedDataKey)! };
  }

  /** Why a signer cannot be added now: its seed is missing, or its id or provider name is already this tenant's. */
  #signerRefusal(input: NewWidevineCredential): ManagementFailure | undefined {
    if (input.keySeedId !== undefined && !this.#stores.seeds.find(input.keySeedId)) {
      return { reason: "not-found", what: "key seed", id: input.keySeedId };
    }
    if (this.#stores.widevineSigners.isTaken(input.id, input.providerName)) {
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
    if (this.#stores.widevineSigners.hasProviderName(providerName)) return;
    try {
      await signerRegistry(this.env).release(providerName, tenantId);
    } catch (error) {
      // The name stays this tenant's, which only keeps other tenants from it; creating it again here succeeds.
      console.error("signer name release failed", { tenantId, error: error instanceof Error ? error.name : "unknown" });
    }
  }

  /** Creates a credential the tenant controls, at most MAX_CREDENTIALS_PER_TENANT; its secret is in this answer only. */
  async createCredential(input: NewTenantCredential, actor: RequestActor): Promise<ManagementResult<CredentialIssued>> {
    const tenant = this.#requireTenant();
    if (!tenant.ok) return tenant;
    return this.#addCredential(tenant.value, input, actor, true);
  }

  /** Credentials not revoked, oldest first: never a secret or hash. */
  listCredentials(): ManagementResult<CredentialView[]> {
    return this.#read(() => this.#stores.credentials.views());
  }

  getCredential(id: string): ManagementResult<CredentialView> {
    const tenant = this.#requireTenant();
    if (!tenant.ok) return tenant;
    const view = this.#stores.credentials.find(id);
    return view ? { ok: true, value: view } : { ok: false, failure: { reason: "not-found", what: "credential", id } };
  }

  /**
   * Revokes a credential: it leaves the snapshot, so readers refuse it once they hold the new one (docs/storage.md
   * §Consistency bounds when). The tenant's last usable `manage` credential is kept, so the tenant cannot lock itself out.
   */
  async deleteCredential(id: string, actor: RequestActor): Promise<ManagementResult<CredentialView>> {
    const tenant = this.#requireTenant();
    if (!tenant.ok) return tenant;
    const now = new Date(actor.time);
    return this.#commit(() => {
      const view = this.#stores.credentials.find(id);
      if (!view) refuse({ reason: "not-found", what: "credential", id });
      const managesNow = view.scopes.includes("manage") && !isExpired(view.expiresAt, now);
      if (managesNow && this.#stores.credentials.usableManageCount(now, id) === 0) {
        refuse({
          reason: "conflict",
          message: `Credential ${id} is the tenant's last unexpired credential with the manage scope; create another one first`,
        });
      }
      this.#stores.credentials.revoke(id, actor.time);
      this.#audit(actor, "DeleteCredential", id);
      return view;
    });
  }

  /**
   * The operator's recovery for a tenant that lost its keys: a fresh `manage` credential. It may exceed
   * MAX_CREDENTIALS_PER_TENANT, since a tenant at the limit that lost every manage secret could not delete one.
   */
  async issueOperatorCredential(name: string, actor: RequestActor): Promise<ManagementResult<CredentialIssued>> {
    const tenant = this.#requireTenant();
    if (!tenant.ok) return tenant;
    return this.#addCredential(tenant.value, { name, scopes: ["manage"] }, actor, false);
  }

  /**
   * Issuance and audit records, newest first, filtered and paged. Takes back issuance batches parked in KV and
   * prunes records past the tenant's retention at `now` first, so the answer holds neither a gap nor an expired record.
   */
  async listLogs(filter: LogFilter, paging: { top: number; skip: number }, now: string): Promise<ManagementResult<LogEntry[]>> {
    const tenant = this.#requireTenant();
    if (!tenant.ok) return tenant;
    await this.#logs.takeParked(this.ctx.storage, tenant.value.id, Date.parse(now));
    this.ctx.storage.transactionSync(() => this.#logs.prune(Date.parse(now), true));
    return { ok: true, value: this.#logs.page(filter, paging) };
  }

  async #addCredential(
    tenant: TenantRecord,
    input: NewTenantCredential,
    actor: RequestActor,
    enforceLimit: boolean,
  ): Promise<ManagementResult<CredentialIssued>> {
    const id = crypto.randomUUID();
    const secret = generateSecret();
    const secretHash = await hashSecret(secret, (await this.#keys.dataKey(tenant)).credentialHash);
    return this.#commit(() => {
      if (enforceLimit && this.#stores.credentials.count() >= MAX_CREDENTIALS_PER_TENANT) {
        refuse({
          reason: "conflict",
          message: `A tenant holds at most ${MAX_CREDENTIALS_PER_TENANT} credentials; delete one before creating another`,
        });
      }
      this.#stores.credentials.insert({
        id,
        kind: "management",
        name: input.name,
        scopes: input.scopes,
        secretHash,
        created: actor.time,
        ...(input.expiresAt !== undefined && { expiresAt: input.expiresAt }),
      });
      this.#audit(actor, "AddCredential", id);
      return { ...this.#stores.credentials.find(id)!, secret };
    });
  }

  /** Records a management change in the transaction that makes it (call inside `#commit`'s work). */
  #audit(actor: RequestActor, action: AuditAction, objectId: string | null): void {
    this.#logs.audit(actor, action, objectId);
  }
}
