import { DurableObject } from "cloudflare:workers";
import type { HarmonicConfiguration, TenantSettings } from "./settings";
import type { RepublishTarget, TenantSnapshot } from "./snapshot";
import type { ContentKeyImport, ContentKeyQuery, ContentKeySelection } from "./content-key-types";
import type { ContentKeyView, NewContentKey, SealedContentKey } from "./content-key-types";
import { ContentKeyOperations } from "./operations/content-key-operations";
import { CredentialOperations } from "./operations/credential-operations";
import { DocumentSecurityOperations } from "./operations/document-security-operations";
import { KeyRotationOperations } from "./operations/key-rotation-operations";
import { KeySeedOperations } from "./operations/key-seed-operations";
import { LogOperations } from "./operations/log-operations";
import { openTenantContext, type TenantContext } from "./operations/tenant-context";
import { TenantOperations } from "./operations/tenant-operations";
import { WidevineSignerOperations } from "./operations/widevine-signer-operations";
import type { CertificateView, CredentialIssued, CredentialView, DataKeyRewrap, IssuanceRecord, KeySeedImport } from "./tenant-types";
import type { KeySeedView, LogEntry, LogFilter, ManagementResult, NewCertificate, NewKeySeed, NewSigningKey } from "./tenant-types";
import type { NewTenantCredential, NewWidevineCredential, Page, RequestActor, TenantCreated, TenantMetadata } from "./tenant-types";
import type { WidevineCredentialView } from "./tenant-types";

/**
 * One per tenant: the single writer and source of truth (docs/storage.md). Each write checks the tenant, validates, commits
 * through the stores in one SQLite transaction, then has the publisher write the snapshot to KV. Every method returns a typed
 * result, since RPC drops stacks and error classes. The work is done by the operation modules in `operations/`, one per job.
 */
export class TenantObject extends DurableObject<Env> {
  readonly #context: TenantContext;
  readonly #tenant: TenantOperations;
  readonly #seeds: KeySeedOperations;
  readonly #contentKeys: ContentKeyOperations;
  readonly #credentials: CredentialOperations;
  readonly #signers: WidevineSignerOperations;
  readonly #documents: DocumentSecurityOperations;
  readonly #rotation: KeyRotationOperations;
  readonly #logs: LogOperations;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#context = openTenantContext(ctx.storage, env, () => this.env);
    this.#tenant = new TenantOperations(this.#context);
    this.#seeds = new KeySeedOperations(this.#context);
    this.#contentKeys = new ContentKeyOperations(this.#context);
    this.#credentials = new CredentialOperations(this.#context);
    this.#signers = new WidevineSignerOperations(this.#context);
    this.#documents = new DocumentSecurityOperations(this.#context);
    this.#rotation = new KeyRotationOperations(this.#context);
    this.#logs = new LogOperations(this.#context);
    ctx.blockConcurrencyWhile(() => this.#context.start());
  }

  /** Creates the tenant with one management key and one generated seed, its default. */
  async createTenant(input: { tenantId: string; name: string; now: string }): Promise<ManagementResult<TenantCreated>> {
    return this.#tenant.create(input);
  }

  /** Tenant metadata without any secret. */
  getMetadata(now: string): ManagementResult<TenantMetadata> {
    return this.#tenant.metadata(now);
  }

  /** Seeds in creation order, paged. */
  listKeySeeds(paging: { top: number; skip: number }, now: string): ManagementResult<Page<KeySeedView>> {
    return this.#seeds.list(paging, now);
  }

  getKeySeed(id: string, now: string): ManagementResult<KeySeedView> {
    return this.#seeds.get(id, now);
  }

  /**
   * Records that seeds left the service in an encrypted export (one ExportKeySeeds record per seed, naming the seed,
   * never a value), before the document is answered: an export that cannot be recorded is not made.
   */
  async recordKeySeedExport(seedIds: readonly string[], actor: RequestActor): Promise<ManagementResult<{ count: number }>> {
    return this.#seeds.recordExport(seedIds, actor);
  }

  /** Creates a generated seed (Axinom `POST /KeySeeds` has no Data field: the value is always generated). */
  async createKeySeed(input: NewKeySeed, now: string, actor: RequestActor): Promise<ManagementResult<KeySeedView>> {
    return this.#seeds.create(input, now, actor);
  }

  /** Imports caller-supplied 30-byte seeds; all or nothing. */
  async importKeySeeds(items: readonly KeySeedImport[], now: string, actor: RequestActor): Promise<ManagementResult<KeySeedView[]>> {
    return this.#seeds.import(items, now, actor);
  }

  /** Renames a seed and/or makes it default (true) or withdraws its default mark (false). */
  async updateKeySeed(
    id: string,
    change: { name?: string; isDefault?: boolean },
    now: string,
    actor: RequestActor,
  ): Promise<ManagementResult<KeySeedView>> {
    return this.#seeds.update(id, change, now, actor);
  }

  /**
   * Deletes a seed unless it is the default, a pending switch still names it, a location may still issue keys from it
   * (a default until recently), or a Widevine signer uses it.
   */
  async deleteKeySeed(id: string, now: string, actor: RequestActor): Promise<ManagementResult<{ id: string }>> {
    return this.#seeds.delete(id, now, actor);
  }

  /** Stored content keys a query selects, paged (never a value). */
  listContentKeys(query: ContentKeyQuery, paging: { top: number; skip: number }): ManagementResult<Page<ContentKeyView>> {
    return this.#contentKeys.list(query, paging);
  }

  getContentKey(id: string): ManagementResult<ContentKeyView> {
    return this.#contentKeys.get(id);
  }

  /** Stores a random key, or one derived from the named seed for its KID; sealed under the data key. */
  async createContentKey(input: NewContentKey, now: string, actor: RequestActor): Promise<ManagementResult<ContentKeyView>> {
    return this.#contentKeys.create(input, now, actor);
  }

  /** Stores caller-supplied keys (CreationMethod 2), all or nothing; at most MAX_CONTENT_KEYS_PER_IMPORT. */
  async importContentKeys(
    entries: readonly ContentKeyImport[],
    now: string,
    actor: RequestActor,
  ): Promise<ManagementResult<ContentKeyView[]>> {
    return this.#contentKeys.import(entries, now, actor);
  }

  async renameContentKey(id: string, name: string, now: string, actor: RequestActor): Promise<ManagementResult<ContentKeyView>> {
    return this.#contentKeys.rename(id, name, now, actor);
  }

  /** Deletes a stored key; its KID is derived again once readers hold the next snapshot (docs/storage.md). */
  async deleteContentKey(id: string, now: string, actor: RequestActor): Promise<ManagementResult<ContentKeyView>> {
    return this.#contentKeys.delete(id, now, actor);
  }

  /** The keys an export takes, values still sealed (open with `openStoredContentKey`); at most MAX_CONTENT_KEYS_PER_EXPORT. */
  selectContentKeysForExport(selection: ContentKeySelection): ManagementResult<SealedContentKey[]> {
    return this.#contentKeys.selectForExport(selection);
  }

  /** Records that keys left in an export (ExportContentKeys, one record per key), before the document is answered. */
  recordContentKeyExport(ids: readonly string[], actor: RequestActor): ManagementResult<{ count: number }> {
    return this.#contentKeys.recordExport(ids, actor);
  }

  getSettings(): ManagementResult<TenantSettings> {
    return this.#tenant.settings();
  }

  /** Replaces the tenant settings as a whole (PUT semantics). */
  async putSettings(settings: TenantSettings, actor: RequestActor): Promise<ManagementResult<TenantSettings>> {
    return this.#tenant.putSettings(settings, actor);
  }

  /** Replaces the Harmonic configuration (`/api/HarmonicConfiguration`), kept in the settings. */
  async putHarmonicConfiguration(
    configuration: HarmonicConfiguration,
    actor: RequestActor,
  ): Promise<ManagementResult<HarmonicConfiguration>> {
    return this.#tenant.putHarmonicConfiguration(configuration, actor);
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
    return this.#signers.add(input, now, actor);
  }

  listWidevineCredentials(): ManagementResult<WidevineCredentialView[]> {
    return this.#signers.list();
  }

  /** Revokes a signer, then releases its provider name in the SignerRegistry. */
  async deleteWidevineCredential(id: string, actor: RequestActor): Promise<ManagementResult<WidevineCredentialView>> {
    return this.#signers.delete(id, actor);
  }

  /** Stores a CPIX signing key (the route checked the certificate and that the key belongs to it), its private key sealed. */
  async addSigningKey(input: NewSigningKey, now: string, actor: RequestActor): Promise<ManagementResult<CertificateView>> {
    return this.#documents.addSigningKey(input, now, actor);
  }

  listSigningKeys(): ManagementResult<CertificateView[]> {
    return this.#documents.listSigningKeys();
  }

  /** Deletes a signing key; the one the settings sign with is refused until the settings name another. */
  async deleteSigningKey(id: string, actor: RequestActor): Promise<ManagementResult<CertificateView>> {
    return this.#documents.deleteSigningKey(id, actor);
  }

  /** Trusts a requester's certificate for signed CPIX requests. */
  async addTrustedRequester(input: NewCertificate, now: string, actor: RequestActor): Promise<ManagementResult<CertificateView>> {
    return this.#documents.addTrustedRequester(input, now, actor);
  }

  listTrustedRequesters(): ManagementResult<CertificateView[]> {
    return this.#documents.listTrustedRequesters();
  }

  async deleteTrustedRequester(id: string, actor: RequestActor): Promise<ManagementResult<CertificateView>> {
    return this.#documents.deleteTrustedRequester(id, actor);
  }

  /**
   * Readies a signed CPIX URL (`POST /api/CpixUrls`): makes the tenant's URL secret on first use (sealed under the data
   * key, published in the snapshot) and records the issue, naming the content id and expiry, never the token or URL.
   * Answers the id of the secret the caller signs with (the Worker opens it from the snapshot it primes).
   */
  async prepareCpixUrl(contentId: string, expiresAt: string, actor: RequestActor): Promise<ManagementResult<{ secretId: string }>> {
    return this.#documents.prepareCpixUrl(contentId, expiresAt, actor);
  }

  /** Replaces the tenant's CPIX URL secret: every signed URL issued before is refused once readers hold the new snapshot. */
  async rotateCpixUrlSecret(actor: RequestActor): Promise<ManagementResult<{ secretId: string }>> {
    return this.#documents.rotateCpixUrlSecret(actor);
  }

  /**
   * Appends issuance records (never key values) in one transaction; acquisitions wait on it (a group commit per
   * isolate, src/protocols/issuance-group-commit.ts). A record whose id is already stored is
   * skipped, so a retried or parked batch is stored once; `appended` counts the new ones.
   */
  async appendIssuance(records: readonly IssuanceRecord[]): Promise<ManagementResult<{ appended: number }>> {
    return this.#logs.appendIssuance(records);
  }

  /** Issuance records, newest first, paged. */
  listIssuance(paging: { top: number; skip: number }): ManagementResult<Page<IssuanceRecord>> {
    return this.#logs.listIssuance(paging);
  }

  /** The snapshot as the object would publish it now (also what readers in this isolate prime with). */
  currentSnapshot(): ManagementResult<TenantSnapshot> {
    return this.#tenant.snapshot();
  }

  republish(target: RepublishTarget): Promise<ManagementResult<{ written: boolean }>> {
    return this.#context.republish(target);
  }

  /** Retries a publish whose KV write failed. */
  override async alarm(): Promise<void> {
    await this.#context.publisher.retry();
  }

  /**
   * Re-wraps the tenant's data key under the current key-encryption key in one transaction, then publishes the snapshot
   * carrying the new wrapped form (docs/storage.md §Rotating the key-encryption key). `currentKeyVersion` is the version
   * the caller's configuration names current: an object configured otherwise (a deploy still rolling out) changes nothing.
   */
  async rewrapDataKey(currentKeyVersion: number): Promise<DataKeyRewrap> {
    return this.#rotation.rewrapDataKey(currentKeyVersion);
  }

  /** Creates a credential the tenant controls, at most MAX_CREDENTIALS_PER_TENANT; its secret is in this answer only. */
  async createCredential(input: NewTenantCredential, actor: RequestActor): Promise<ManagementResult<CredentialIssued>> {
    return this.#credentials.create(input, actor);
  }

  /** Credentials not revoked, oldest first: never a secret or hash. */
  listCredentials(): ManagementResult<CredentialView[]> {
    return this.#credentials.list();
  }

  getCredential(id: string): ManagementResult<CredentialView> {
    return this.#credentials.get(id);
  }

  /**
   * Revokes a credential: it leaves the snapshot, so readers refuse it once they hold the new one (docs/storage.md
   * §Consistency bounds when). The tenant's last usable `manage` credential is kept, so the tenant cannot lock itself out.
   */
  async deleteCredential(id: string, actor: RequestActor): Promise<ManagementResult<CredentialView>> {
    return this.#credentials.delete(id, actor);
  }

  /**
   * The operator's recovery for a tenant that lost its keys: a fresh `manage` credential. It may exceed
   * MAX_CREDENTIALS_PER_TENANT, since a tenant at the limit that lost every manage secret could not delete one.
   */
  async issueOperatorCredential(name: string, actor: RequestActor): Promise<ManagementResult<CredentialIssued>> {
    return this.#credentials.issueOperator(name, actor);
  }

  /**
   * Issuance and audit records, newest first, filtered and paged. Takes back issuance batches parked in KV and
   * prunes records past the tenant's retention at `now` first, so the answer holds neither a gap nor an expired record.
   */
  async listLogs(filter: LogFilter, paging: { top: number; skip: number }, now: string): Promise<ManagementResult<LogEntry[]>> {
    return this.#logs.listLogs(filter, paging, now);
  }
}
