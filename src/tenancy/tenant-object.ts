import { DurableObject } from "cloudflare:workers";
import { concatBytes, toBase64 } from "../domain/bytes";
import { randomBytes } from "../runtime/random";
import { KEY_SEED_LENGTH } from "../domain/content-key";
import { generateSecret, hashSecret, type CredentialScope } from "./credentials";
import {
  DATA_KEY_LENGTH,
  importKeyEncryptionKey,
  seal,
  unwrapDataKey,
  wrapDataKey,
  type TenantDataKey,
  type VersionedKey,
} from "./envelope";
import {
  planDefaultSwitch,
  ruleDefaultSeedId,
  seedsInUseAsDefault,
  settleSwitch,
  withdrawnPendingSeed,
  type SeedOrdering,
} from "./key-seed-rules";
import { migrate } from "./schema";
import type { TenantSettings } from "./settings";
import { SNAPSHOT_FORMAT, snapshotKey, type DefaultSeedSwitch, type TenantSnapshot } from "./snapshot";
import type {
  IssuanceRecord,
  KeySeedImport,
  KeySeedView,
  ManagementFailure,
  ManagementResult,
  NewKeySeed,
  NewWidevineCredential,
  TenantCreated,
  TenantMetadata,
  WidevineCredentialView,
} from "./tenant-types";

interface SeedRow extends Record<string, SqlStorageValue> {
  id: string;
  name: string;
  sealed_value: string;
  created: string;
  updated: string;
  generated: number;
  made_default: string | null;
  made_default_seq: number | null;
  rowid: number;
}

/** A refusal raised inside a transaction so that it rolls back; turned into a typed result outside. */
class Refusal extends Error {
  constructor(readonly failure: ManagementFailure) {
    super(failure.reason);
  }
}

/** Publish retry delay after a failed KV write. */
const PUBLISH_RETRY_MS = 1000;

/**
 * One per tenant: the single writer and source of truth (DESIGN.md §Storage). Each write validates, then
 * commits in one SQLite transaction, then publishes the tenant snapshot to KV. The RPC surface is small
 * and returns typed results, since RPC drops stacks and error classes.
 */
export class TenantObject extends DurableObject<Env> {
  readonly #sql: SqlStorage;
  #kek: Promise<VersionedKey> | undefined;
  #dataKey: Promise<TenantDataKey> | undefined;
  #publishChain: Promise<unknown> = Promise.resolve();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#sql = ctx.storage.sql;
    ctx.blockConcurrencyWhile(async () => migrate(this.#sql));
  }

  /** Creates the tenant with one management key and one generated seed, its default. */
  async createTenant(input: { tenantId: string; name: string; now: string }): Promise<ManagementResult<TenantCreated>> {
    if (this.#tenantRow()) return { ok: false, failure: { reason: "tenant-exists" } };
    const kek = await this.#keyEncryptionKey();
    const rawDataKey = randomBytes(DATA_KEY_LENGTH);
    const wrappedDataKey = await wrapDataKey(rawDataKey, kek, input.tenantId);
    const dataKey = await unwrapDataKey(wrappedDataKey, kek, input.tenantId, 1);
    const managementKey = generateSecret();
    const credentialId = crypto.randomUUID();
    const secretHash = await hashSecret(managementKey, dataKey.credentialHash);
    const seedId = crypto.randomUUID();
    const sealedSeed = await seal(randomBytes(KEY_SEED_LENGTH), dataKey.sealing, { purpose: "key-seed", tenantId: input.tenantId, seedId });
    const scopes: CredentialScope[] = ["acquire", "manage"];
    const result = this.#transact(() => {
      if (this.#tenantRow()) throw new Refusal({ reason: "tenant-exists" });
      this.#sql.exec(
        "INSERT INTO tenant (id, name, created, wrapped_data_key, data_key_version) VALUES (?, ?, ?, ?, 1)",
        input.tenantId,
        input.name,
        input.now,
        wrappedDataKey,
      );
      this.#sql.exec(
        "INSERT INTO credentials (id, kind, scopes, secret_hash, created) VALUES (?, 'management', ?, ?, ?)",
        credentialId,
        JSON.stringify(scopes),
        secretHash,
        input.now,
      );
      this.#insertSeed({ id: seedId, name: "Default", sealed: sealedSeed, generated: true, now: input.now });
      this.#writeSwitch({ current: seedId, next: null, effectiveAt: null });
      this.#bumpVersion();
      return { tenantId: input.tenantId, managementKey, credentialId, keySeedId: seedId };
    });
    if (result.ok) this.#dataKey = Promise.resolve(dataKey);
    return this.#publishAfter(result);
  }

  /** Tenant metadata without any secret, or undefined when this object holds no tenant. */
  getMetadata(now: string): TenantMetadata | undefined {
    const tenant = this.#tenantRow();
    if (!tenant) return undefined;
    const seedCount = this.#sql.exec<{ n: number }>("SELECT count(*) AS n FROM key_seeds").one().n;
    return {
      tenantId: tenant.id,
      name: tenant.name,
      created: tenant.created,
      keySeedCount: seedCount,
      defaultKeySeedId: this.#effectiveDefault(new Date(now)),
      snapshotVersion: this.#version(),
    };
  }

  /** Seeds in creation order, paged. */
  listKeySeeds(paging: { top: number; skip: number }, now: string): ManagementResult<{ items: KeySeedView[]; total: number }> {
    if (!this.#tenantRow()) return { ok: false, failure: { reason: "no-tenant" } };
    const rows = this.#seedRows();
    return {
      ok: true,
      value: { items: rows.slice(paging.skip, paging.skip + paging.top).map((row) => this.#view(row, rows, now)), total: rows.length },
    };
  }

  getKeySeed(id: string, now: string): ManagementResult<KeySeedView> {
    const rows = this.#seedRows();
    const row = rows.find((seed) => seed.id === id);
    return row ? { ok: true, value: this.#view(row, rows, now) } : { ok: false, failure: { reason: "not-found", what: "key seed", id } };
  }

  /** Creates a generated seed (Axinom `POST /KeySeeds` has no Data field: the value is always generated). */
  async createKeySeed(input: NewKeySeed, now: string): Promise<ManagementResult<KeySeedView>> {
    const id = input.id ?? crypto.randomUUID();
    const tenantId = this.#requireTenantId();
    if (!tenantId.ok) return tenantId;
    const sealed = await seal(randomBytes(KEY_SEED_LENGTH), (await this.#tenantDataKey()).sealing, {
      purpose: "key-seed",
      tenantId: tenantId.value,
      seedId: id,
    });
    const result = this.#transact(() => {
      if (this.#seedRow(id)) throw new Refusal({ reason: "duplicate-id", what: "key seed", id });
      this.#insertSeed({ id, name: input.name, sealed, generated: true, now });
      if (input.isDefault) this.#markDefault(id, now);
      this.#republishDefault(now);
      this.#bumpVersion();
      return this.#view(this.#seedRow(id)!, this.#seedRows(), now);
    });
    return this.#publishAfter(result);
  }

  /** Imports caller-supplied 30-byte seeds; all or nothing. */
  async importKeySeeds(items: readonly KeySeedImport[], now: string): Promise<ManagementResult<KeySeedView[]>> {
    const tenantId = this.#requireTenantId();
    if (!tenantId.ok) return tenantId;
    const sealing = (await this.#tenantDataKey()).sealing;
    const prepared: { id: string; sealed: string }[] = [];
    for (const item of items) {
      const id = item.id ?? crypto.randomUUID();
      if (item.data.length !== KEY_SEED_LENGTH) {
        return {
          ok: false,
          failure: { reason: "invalid", message: `Data must be exactly ${KEY_SEED_LENGTH} bytes, got ${item.data.length}` },
        };
      }
      prepared.push({ id, sealed: await seal(item.data, sealing, { purpose: "key-seed", tenantId: tenantId.value, seedId: id }) });
    }
    const result = this.#transact(() => {
      const seen = new Set<string>();
      for (const { id, sealed } of prepared) {
        if (seen.has(id) || this.#seedRow(id)) throw new Refusal({ reason: "duplicate-id", what: "key seed", id });
        seen.add(id);
        this.#insertSeed({ id, name: "", sealed, generated: false, now });
      }
      this.#republishDefault(now);
      this.#bumpVersion();
      const rows = this.#seedRows();
      return prepared.map(({ id }) =>
        this.#view(
          rows.find((row) => row.id === id)!,
          rows,
          now,
        ),
      );
    });
    return this.#publishAfter(result);
  }

  /** Renames a seed and/or makes it default (true) or withdraws its default mark (false). */
  async updateKeySeed(id: string, change: { name?: string; isDefault?: boolean }, now: string): Promise<ManagementResult<KeySeedView>> {
    const result = this.#transact(() => {
      if (!this.#seedRow(id)) throw new Refusal({ reason: "not-found", what: "key seed", id });
      if (change.name !== undefined) this.#sql.exec("UPDATE key_seeds SET name = ?, updated = ? WHERE id = ?", change.name, now, id);
      if (change.isDefault === true) this.#markDefault(id, now);
      if (change.isDefault === false) {
        // Axinom API help, PUT api/KeySeeds/{id} (License Service page), IsDefault=false: the previous default is
        // treated as the default again.
        this.#sql.exec("UPDATE key_seeds SET made_default = NULL, made_default_seq = NULL, updated = ? WHERE id = ?", now, id);
      }
      this.#republishDefault(now);
      this.#bumpVersion();
      return this.#view(this.#seedRow(id)!, this.#seedRows(), now);
    });
    return this.#publishAfter(result);
  }

  /** Deletes a seed unless it is the default or a pending switch still names it. */
  async deleteKeySeed(id: string, now: string): Promise<ManagementResult<{ id: string }>> {
    const result = this.#transact(() => {
      if (!this.#seedRow(id)) throw new Refusal({ reason: "not-found", what: "key seed", id });
      const published = this.#readSwitch();
      const inUse = seedsInUseAsDefault(ruleDefaultSeedId(this.#orderings()), published && settleSwitch(published, new Date(now)));
      const protectedUntil = this.#sql
        .exec<{ until: string }>("SELECT until FROM seed_protection WHERE seed_id = ?", id)
        .toArray()[0]?.until;
      if (inUse.has(id) || (protectedUntil !== undefined && Date.parse(protectedUntil) > Date.parse(now)))
        throw new Refusal({ reason: "default-seed", id });
      const signer = this.#sql
        .exec<{ provider_name: string }>("SELECT provider_name FROM widevine_credentials WHERE key_seed_id = ?", id)
        .toArray()[0];
      if (signer)
        throw new Refusal({
          reason: "invalid",
          message: `Key seed ${id} is used by the Widevine credential ${signer.provider_name}; delete that credential first`,
        });
      this.#sql.exec("DELETE FROM key_seeds WHERE id = ?", id);
      this.#bumpVersion();
      return { id };
    });
    return this.#publishAfter(result);
  }

  getSettings(): ManagementResult<TenantSettings> {
    if (!this.#tenantRow()) return { ok: false, failure: { reason: "no-tenant" } };
    return { ok: true, value: this.#readSettings() };
  }

  /** Replaces the tenant settings as a whole (PUT semantics). */
  async putSettings(settings: TenantSettings): Promise<ManagementResult<TenantSettings>> {
    const result = this.#transact(() => {
      if (!this.#tenantRow()) throw new Refusal({ reason: "no-tenant" });
      this.#sql.exec("DELETE FROM settings");
      for (const [name, value] of Object.entries(settings)) {
        if (value !== undefined) this.#sql.exec("INSERT INTO settings (name, value) VALUES (?, ?)", name, JSON.stringify(value));
      }
      this.#bumpVersion();
      return this.#readSettings();
    });
    return this.#publishAfter(result);
  }

  /** Adds a Widevine CENC API signer; the provider name was already claimed in the global SignerRegistry. */
  async addWidevineCredential(input: NewWidevineCredential, now: string): Promise<ManagementResult<WidevineCredentialView>> {
    const tenantId = this.#requireTenantId();
    if (!tenantId.ok) return tenantId;
    const sealed = input.aes
      ? await seal(concatBytes(input.aes.signingKey, input.aes.signingIv), (await this.#tenantDataKey()).sealing, {
          purpose: "widevine-signing",
          tenantId: tenantId.value,
          credentialId: input.id,
        })
      : null;
    const result = this.#transact(() => {
      if (input.keySeedId !== undefined && !this.#seedRow(input.keySeedId))
        throw new Refusal({ reason: "not-found", what: "key seed", id: input.keySeedId });
      const taken = this.#sql
        .exec("SELECT id FROM widevine_credentials WHERE id = ? OR provider_name = ?", input.id, input.providerName)
        .toArray();
      if (taken.length > 0)
        throw new Refusal({ reason: "duplicate-id", what: "Widevine credential (Id or ProviderName)", id: input.providerName });
      this.#sql.exec(
        "INSERT INTO widevine_credentials (id, provider_name, sealed_aes_material, rsa_public_key_spki, key_seed_id, created) VALUES (?, ?, ?, ?, ?, ?)",
        input.id,
        input.providerName,
        sealed,
        input.rsaPublicKeySpki ? toBase64(input.rsaPublicKeySpki) : null,
        input.keySeedId ?? null,
        now,
      );
      this.#bumpVersion();
      return this.#widevineViews().find((view) => view.id === input.id)!;
    });
    return this.#publishAfter(result);
  }

  listWidevineCredentials(): ManagementResult<WidevineCredentialView[]> {
    if (!this.#tenantRow()) return { ok: false, failure: { reason: "no-tenant" } };
    return { ok: true, value: this.#widevineViews() };
  }

  /** Revokes a signer; the caller then releases its name in the SignerRegistry. */
  async deleteWidevineCredential(id: string): Promise<ManagementResult<WidevineCredentialView>> {
    const result = this.#transact(() => {
      const view = this.#widevineViews().find((candidate) => candidate.id === id);
      if (!view) throw new Refusal({ reason: "not-found", what: "Widevine credential", id });
      this.#sql.exec("DELETE FROM widevine_credentials WHERE id = ?", id);
      this.#bumpVersion();
      return view;
    });
    return this.#publishAfter(result);
  }

  /** Appends issuance records (never key values); called off the hot path. */
  appendIssuance(records: readonly IssuanceRecord[]): void {
    this.ctx.storage.transactionSync(() => {
      for (const record of records) {
        this.#sql.exec(
          "INSERT INTO issuance_log (time, protocol, content_id, kids, key_seed_id, credential) VALUES (?, ?, ?, ?, ?, ?)",
          record.time,
          record.protocol,
          record.contentId,
          JSON.stringify(record.kids),
          record.keySeedId,
          record.credential,
        );
      }
    });
  }

  /** Issuance records, newest first, paged. */
  listIssuance(paging: { top: number; skip: number }): { items: IssuanceRecord[]; total: number } {
    const total = this.#sql.exec<{ n: number }>("SELECT count(*) AS n FROM issuance_log").one().n;
    const rows = this.#sql
      .exec<{ time: string; protocol: string; content_id: string | null; kids: string; key_seed_id: string; credential: string }>(
        "SELECT time, protocol, content_id, kids, key_seed_id, credential FROM issuance_log ORDER BY seq DESC LIMIT ? OFFSET ?",
        paging.top,
        paging.skip,
      )
      .toArray();
    return {
      total,
      items: rows.map((row) => ({
        time: row.time,
        protocol: row.protocol,
        contentId: row.content_id,
        kids: JSON.parse(row.kids) as string[],
        keySeedId: row.key_seed_id,
        credential: row.credential,
      })),
    };
  }

  /** The snapshot as the object would publish it now (also what readers in this isolate prime with). */
  currentSnapshot(): TenantSnapshot | undefined {
    return this.#buildSnapshot();
  }

  /** Retries a publish that failed. */
  override async alarm(): Promise<void> {
    await this.#publish();
  }

  #transact<T>(work: () => T): ManagementResult<T> {
    try {
      return { ok: true, value: this.ctx.storage.transactionSync(work) };
    } catch (error) {
      if (error instanceof Refusal) return { ok: false, failure: error.failure };
      throw error;
    }
  }

  async #publishAfter<T>(result: ManagementResult<T>): Promise<ManagementResult<T>> {
    if (result.ok) await this.#publish();
    return result;
  }

  /**
   * Writes the snapshot to KV. Publishes run one after another and each builds the snapshot when it
   * runs, so the last write to KV always carries the newest version even when writes interleave.
   */
  #publish(): Promise<void> {
    const run = this.#publishChain.then(async () => {
      const snapshot = this.#buildSnapshot();
      if (!snapshot) return;
      try {
        await this.env.SNAPSHOTS.put(snapshotKey(snapshot.tenantId), JSON.stringify(snapshot));
      } catch (error) {
        console.error("snapshot publish failed; retrying by alarm", {
          tenantId: snapshot.tenantId,
          version: snapshot.version,
          error: String(error),
        });
        await this.ctx.storage.setAlarm(Date.now() + PUBLISH_RETRY_MS);
      }
    });
    // A failed step must not poison the chain: the next publish still runs (and writes the newest state).
    this.#publishChain = run.catch(() => undefined);
    return run;
  }

  #buildSnapshot(): TenantSnapshot | undefined {
    const tenant = this.#tenantRow();
    const defaultSeed = this.#readSwitch();
    if (!tenant || !defaultSeed) return undefined;
    const credentials = this.#sql
      .exec<{ id: string; scopes: string; secret_hash: string }>(
        "SELECT id, scopes, secret_hash FROM credentials WHERE revoked IS NULL ORDER BY created, id",
      )
      .toArray()
      .map((row) => ({ id: row.id, scopes: JSON.parse(row.scopes) as CredentialScope[], hash: row.secret_hash }));
    const seeds: Record<string, string> = {};
    for (const row of this.#seedRows()) seeds[row.id] = row.sealed_value;
    return {
      format: SNAPSHOT_FORMAT,
      tenantId: tenant.id,
      version: this.#version(),
      name: tenant.name,
      dataKeyVersion: tenant.data_key_version,
      wrappedDataKey: tenant.wrapped_data_key,
      credentials,
      seeds,
      defaultSeed,
      settings: this.#readSettings(),
      widevineCredentials: this.#sql
        .exec<{
          id: string;
          provider_name: string;
          sealed_aes_material: string | null;
          rsa_public_key_spki: string | null;
          key_seed_id: string | null;
        }>(
          "SELECT id, provider_name, sealed_aes_material, rsa_public_key_spki, key_seed_id FROM widevine_credentials ORDER BY provider_name",
        )
        .toArray()
        .map((row) => ({
          id: row.id,
          providerName: row.provider_name,
          ...(row.sealed_aes_material !== null && { sealedAesMaterial: row.sealed_aes_material }),
          ...(row.rsa_public_key_spki !== null && { rsaPublicKeySpki: row.rsa_public_key_spki }),
          ...(row.key_seed_id !== null && { keySeedId: row.key_seed_id }),
        })),
    };
  }

  #widevineViews(): WidevineCredentialView[] {
    return this.#sql
      .exec<{ id: string; provider_name: string; sealed_aes_material: string | null; key_seed_id: string | null; created: string }>(
        "SELECT id, provider_name, sealed_aes_material, key_seed_id, created FROM widevine_credentials ORDER BY created, provider_name",
      )
      .toArray()
      .map((row) => ({
        id: row.id,
        providerName: row.provider_name,
        kind: row.sealed_aes_material ? "aes" : "rsa",
        keySeedId: row.key_seed_id,
        created: row.created,
      }));
  }

  #tenantRow() {
    return this.#sql
      .exec<{ id: string; name: string; created: string; wrapped_data_key: string; data_key_version: number }>(
        "SELECT id, name, created, wrapped_data_key, data_key_version FROM tenant LIMIT 1",
      )
      .toArray()[0];
  }

  #requireTenantId(): ManagementResult<string> {
    const tenant = this.#tenantRow();
    return tenant ? { ok: true, value: tenant.id } : { ok: false, failure: { reason: "no-tenant" } };
  }

  #keyEncryptionKey(): Promise<VersionedKey> {
    this.#kek ??= importKeyEncryptionKey(this.env.KEY_ENCRYPTION_KEY, this.env.KEY_ENCRYPTION_KEY_VERSION);
    return this.#kek;
  }

  async #tenantDataKey(): Promise<TenantDataKey> {
    const tenant = this.#tenantRow();
    if (!tenant) throw new Error("no tenant in this object");
    this.#dataKey ??= this.#keyEncryptionKey().then((kek) =>
      unwrapDataKey(tenant.wrapped_data_key, kek, tenant.id, tenant.data_key_version),
    );
    // A failed unwrap (e.g. a wrong KEY_ENCRYPTION_KEY) is not kept, so fixing the secret fixes the object.
    this.#dataKey.catch(() => (this.#dataKey = undefined));
    return this.#dataKey;
  }

  #seedRows(): SeedRow[] {
    return this.#sql
      .exec<SeedRow>(
        "SELECT rowid, id, name, sealed_value, created, updated, generated, made_default, made_default_seq FROM key_seeds ORDER BY created, rowid",
      )
      .toArray();
  }

  #seedRow(id: string): SeedRow | undefined {
    return this.#sql
      .exec<SeedRow>(
        "SELECT rowid, id, name, sealed_value, created, updated, generated, made_default, made_default_seq FROM key_seeds WHERE id = ?",
        id,
      )
      .toArray()[0];
  }

  #orderings(rows = this.#seedRows()): SeedOrdering[] {
    return rows.map((row) => ({ id: row.id, created: row.created, insertOrder: row.rowid, madeDefaultSeq: row.made_default_seq }));
  }

  #insertSeed(seed: { id: string; name: string; sealed: string; generated: boolean; now: string }): void {
    this.#sql.exec(
      "INSERT INTO key_seeds (id, name, sealed_value, created, updated, generated) VALUES (?, ?, ?, ?, ?, ?)",
      seed.id,
      seed.name,
      seed.sealed,
      seed.now,
      seed.now,
      seed.generated ? 1 : 0,
    );
  }

  #markDefault(id: string, now: string): void {
    const last = this.#sql
      .exec<{ seq: number | null; at: string | null }>(
        "SELECT made_default_seq AS seq, made_default AS at FROM key_seeds ORDER BY made_default_seq DESC LIMIT 1",
      )
      .toArray()[0];
    // Requests reach the object in another order than their clocks read: keep MadeDefault increasing in the
    // order the object applied them, so "the last made default" reads the same by time and by sequence.
    const lastAt = last?.at ? Date.parse(last.at) : Number.NEGATIVE_INFINITY;
    const madeAt = Date.parse(now) > lastAt ? now : new Date(lastAt + 1).toISOString();
    this.#sql.exec(
      "UPDATE key_seeds SET made_default = ?, made_default_seq = ?, updated = ? WHERE id = ?",
      madeAt,
      (last?.seq ?? 0) + 1,
      now,
      id,
    );
  }

  /** Recomputes the rule's default and publishes a switch to it when it changed. */
  #republishDefault(now: string): void {
    const ruleDefault = ruleDefaultSeedId(this.#orderings());
    if (!ruleDefault) return;
    const delay = Number(this.env.DEFAULT_SEED_SWITCH_DELAY_SECONDS ?? "60");
    const delaySeconds = Number.isFinite(delay) && delay >= 0 ? delay : 60;
    const previous = this.#readSwitch();
    const planned = planDefaultSwitch(previous, ruleDefault, new Date(now), delaySeconds);
    const withdrawn = previous && withdrawnPendingSeed(previous, planned, new Date(now));
    if (withdrawn) {
      // Locations that still hold the withdrawn switch flip to its seed at its instant until they read the
      // new snapshot (within the delay): keep that seed deletable only after then.
      const until = new Date(Date.parse(now) + delaySeconds * 1000).toISOString();
      this.#sql.exec(
        "INSERT INTO seed_protection (seed_id, until) VALUES (?, ?) ON CONFLICT(seed_id) DO UPDATE SET until = max(until, excluded.until)",
        withdrawn,
        until,
      );
    }
    this.#writeSwitch(planned);
  }

  #readSwitch(): DefaultSeedSwitch | undefined {
    const row = this.#sql
      .exec<{ current_seed_id: string; next_seed_id: string | null; effective_at: string | null }>(
        "SELECT current_seed_id, next_seed_id, effective_at FROM default_switch WHERE singleton = 1",
      )
      .toArray()[0];
    return row && { current: row.current_seed_id, next: row.next_seed_id, effectiveAt: row.effective_at };
  }

  #writeSwitch(value: DefaultSeedSwitch): void {
    this.#sql.exec(
      "INSERT INTO default_switch (singleton, current_seed_id, next_seed_id, effective_at) VALUES (1, ?, ?, ?) " +
        "ON CONFLICT(singleton) DO UPDATE SET current_seed_id = excluded.current_seed_id, next_seed_id = excluded.next_seed_id, effective_at = excluded.effective_at",
      value.current,
      value.next,
      value.effectiveAt,
    );
  }

  #effectiveDefault(now: Date): string | undefined {
    const published = this.#readSwitch();
    return published && settleSwitch(published, now).current;
  }

  #view(row: SeedRow, rows: SeedRow[], now: string): KeySeedView {
    const ruleDefault = ruleDefaultSeedId(this.#orderings(rows));
    const published = this.#readSwitch();
    const pendingSince = published?.next === row.id ? published.effectiveAt : null;
    return {
      id: row.id,
      name: row.name,
      created: row.created,
      updated: row.updated,
      generated: row.generated === 1,
      madeDefault: row.made_default,
      isDefault: row.id === ruleDefault,
      defaultEffectiveAt: pendingSince !== null && Date.parse(pendingSince) > Date.parse(now) ? pendingSince : null,
    };
  }

  #readSettings(): TenantSettings {
    const settings: Record<string, unknown> = {};
    for (const row of this.#sql.exec<{ name: string; value: string }>("SELECT name, value FROM settings ORDER BY name")) {
      settings[row.name] = JSON.parse(row.value);
    }
    return settings as TenantSettings;
  }

  #version(): number {
    return Number(this.#sql.exec<{ value: string }>("SELECT value FROM meta WHERE name = 'snapshot_version'").toArray()[0]?.value ?? "0");
  }

  #bumpVersion(): void {
    this.#sql.exec(
      "INSERT INTO meta (name, value) VALUES ('snapshot_version', '1') ON CONFLICT(name) DO UPDATE SET value = CAST(value AS INTEGER) + 1",
    );
  }
}
