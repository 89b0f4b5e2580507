import { RpcTarget } from "cloudflare:workers";
import { toBase64, utf8 } from "../../domain/bytes";
import { writeAllowedOrigins } from "../allowed-origins-directory";
import { kvMacKeys } from "../kv-authentication";
import { appliedSchemaVersion } from "../schema";
import { signerRegistry } from "../signer-registry";
import { TENANT_MIGRATIONS } from "../stores/tenant-stores";
import { DumpMismatch, TENANT_DUMP_FORMAT, dumpTables, restoreTables, tableCounts } from "../tenant-dump";
import type { TenantDump } from "../tenant-dump";
import { refuse, runTransaction } from "../tenant-transaction";
import type { ManagementResult, RequestActor } from "../tenant-types";
import { amendRow, checkDump, column, invalid, readBackProblem, type TenantRestore } from "./restore-checks";
import type { TenantContext } from "./tenant-context-type";

export type { TenantRestore } from "./restore-checks";

/** A tenant's dump, ready for the backup envelope: the payload (UTF-8 JSON of a `TenantDump`) and its header's parts. */
export interface TenantDumpAnswer {
  /** Holds the data key opened: the caller seals it for the certificate and zeroes it. */
  readonly payload: Uint8Array;
  readonly schemaVersion: number;
  /** Rows per table, by camel-cased table name (`keySeeds`, `contentKeys`, `auditLog`, …). */
  readonly counts: Record<string, number>;
}

/**
 * A tenant's backup and restore (`tenant().backup()` on the object; issue 29, docs/storage.md §Backup and restore):
 * the dump of every table, and its restore into an object that holds no tenant, with the data key wrapped under this
 * deployment's KEK and what lives outside the object (KV, the signer registry) written again here.
 */
export class TenantBackupOperations extends RpcTarget {
  readonly #context: TenantContext;

  constructor(context: TenantContext) {
    super();
    this.#context = context;
  }

  /** Everything the object holds, its issuance records parked in KV taken back first. */
  async dump(now: Date): Promise<ManagementResult<TenantDumpAnswer>> {
    const { requireTenant, logs, keys, storage } = this.#context;
    const tenant = requireTenant();
    if (!tenant.ok) return tenant;
    await logs.takeParked(tenant.value.id, now.getTime());
    const dataKey = await keys.openedDataKey(tenant.value);
    try {
      // Read again after the awaits: one synchronous run from here, so the dump is one committed state.
      if (!this.#context.stores.tenant.read()) return { ok: false, failure: { reason: "no-tenant" } };
      const tables = dumpTables(storage.sql);
      const schemaVersion = appliedSchemaVersion(storage.sql);
      const dump: TenantDump = { format: TENANT_DUMP_FORMAT, tenantId: tenant.value.id, schemaVersion, dataKey: toBase64(dataKey), tables };
      return { ok: true, value: { payload: utf8(JSON.stringify(dump)), schemaVersion, counts: tableCounts(tables) } };
    } finally {
      dataKey.fill(0);
    }
  }

  /** Records that a backup was given out, naming the restore certificate's SHA-256 fingerprint (no snapshot change). */
  record(certificateFingerprint: string, actor: RequestActor): ManagementResult<null> {
    const tenant = this.#context.requireTenant();
    if (!tenant.ok) return tenant;
    return runTransaction(this.#context.storage, () => {
      this.#context.audit(actor, "BackupTenant", certificateFingerprint);
      return null;
    });
  }

  /**
   * Restores a dump into this object, which must hold no tenant: checks it whole (shape, schema version, the data key
   * opening every seed, signing key and AES Widevine signer), claims its Widevine provider names, then replaces the
   * tables in one transaction with the data key wrapped under this deployment's KEK and an audit record, and publishes
   * the snapshot, the stored keys' records and the CORS entries to this deployment's KV.
   */
  async restore(tenantId: string, payload: Uint8Array, actor: RequestActor): Promise<TenantRestore> {
    const { stores, keys, env } = this.#context;
    if (stores.tenant.read()) return { outcome: "tenant-exists" };
    const checked = await checkDump(this.#context, tenantId, payload);
    if (!("dump" in checked)) return checked;
    const { dump, wrapped, dataKey } = checked;
    const providerNames = column(dump.tables.widevine_credentials, "provider_name").map(String);
    let restored = false;
    try {
      for (const providerName of providerNames) {
        if (!(await signerRegistry(env()).claim(providerName, tenantId, actor.time.toISOString()))) {
          return { outcome: "provider-name-taken", providerName };
        }
      }
      const refusal = this.#replaceTables(dump, wrapped, actor);
      if (refusal) return refusal;
      restored = true;
    } finally {
      if (!restored) await this.#release(providerNames, tenantId);
    }
    keys.remember(wrapped, dataKey);
    await this.#context.publisher.publish();
    await this.#publishAllowedOrigins(tenantId);
    return { outcome: "restored", counts: tableCounts(dump.tables) };
  }

  /** Replaces the tables in one transaction; a tenant created meanwhile, or rows that do not fit, roll it back and answer why. */
  #replaceTables(dump: TenantDump, wrapped: string, actor: RequestActor): TenantRestore | undefined {
    const { storage, stores, publisher, audit } = this.#context;
    try {
      const result = runTransaction(storage, () => {
        // Another restore or a creation may have committed while this one awaited its keys and the registry.
        if (stores.tenant.read()) refuse({ reason: "tenant-exists" });
        restoreTables(storage.sql, dump, TENANT_MIGRATIONS, (table, row) => amendRow(table, row, wrapped));
        // The membership filter cached in this object may describe an earlier tenant's keys: count a change.
        stores.contentKeyRemovals.countMembershipChange();
        audit(actor, "RestoreTenant", dump.tenantId);
        publisher.bumpVersion();
        const problem = readBackProblem(this.#context, dump.tenantId);
        if (problem) throw new DumpMismatch(problem);
      });
      return result.ok ? undefined : { outcome: "tenant-exists" };
    } catch (error) {
      if (!(error instanceof DumpMismatch)) throw error;
      return invalid(error.message);
    }
  }

  /** Gives back provider names claimed for a restore that did not commit, unless this object stores a signer of that name. */
  async #release(providerNames: readonly string[], tenantId: string): Promise<void> {
    for (const providerName of providerNames) {
      if (this.#context.stores.widevineSigners.hasProviderName(providerName)) continue;
      try {
        await signerRegistry(this.#context.env()).release(providerName, tenantId);
      } catch (error) {
        // The name stays this tenant's id, which keeps only other tenants from it; a retried restore claims it again.
        console.error("signer name release failed", { tenantId, error: error instanceof Error ? error.name : "unknown" });
      }
    }
  }

  /** Writes the CORS directory entries of the restored settings; a failure leaves the tenant restored and says so. */
  async #publishAllowedOrigins(tenantId: string): Promise<void> {
    const origins = this.#context.stores.settings.policy().cors.allowedOrigins;
    if (origins.length === 0) return;
    const env = this.#context.env();
    try {
      await writeAllowedOrigins(env.SNAPSHOTS, await kvMacKeys(env), tenantId, origins, []);
    } catch (error) {
      // Preflights from these origins fail until the entries exist: a PUT /api/Settings, or a reader's republish, writes them.
      console.error("restored CORS entries not written", { tenantId, error: error instanceof Error ? error.name : "unknown" });
    }
  }
}
