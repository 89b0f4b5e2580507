import { RpcTarget } from "cloudflare:workers";
import { fromBase64, toBase64, utf8 } from "../../domain/bytes";
import { writeAllowedOrigins } from "../allowed-origins-directory";
import { DATA_KEY_LENGTH, SealedValueError, open, type SealContext, type TenantDataKey } from "../envelope";
import { kvMacKeys } from "../kv-authentication";
import { snapshotProblem } from "../kv-values";
import type { TenantSnapshot } from "../snapshot";
import { appliedSchemaVersion, latestSchemaVersion } from "../schema";
import type { TenantSettings } from "../settings";
import { storedSettingsProblem } from "../settings-rules";
import { signerRegistry } from "../signer-registry";
import { TENANT_MIGRATIONS } from "../stores/tenant-stores";
import { DumpMismatch, TENANT_DUMP_FORMAT, dumpTables, parseTenantDump, restoreTables, tableCounts } from "../tenant-dump";
import type { DumpValue, DumpedTable, TenantDump } from "../tenant-dump";
import { refuse, runTransaction } from "../tenant-transaction";
import type { ManagementResult, RequestActor } from "../tenant-types";
import type { TenantContext } from "./tenant-context-type";

/** A tenant's dump, ready for the backup envelope: the payload (UTF-8 JSON of a `TenantDump`) and its header's parts. */
export interface TenantDumpAnswer {
  /** Holds the data key opened: the caller seals it for the certificate and zeroes it. */
  readonly payload: Uint8Array;
  readonly schemaVersion: number;
  /** Rows per table, by camel-cased table name (`keySeeds`, `contentKeys`, `auditLog`, …). */
  readonly counts: Record<string, number>;
}

/** The outcome of a restore; nothing is written unless it is `restored`. */
export type TenantRestore =
  | { readonly outcome: "restored"; readonly counts: Record<string, number> }
  /** The object holds a tenant already (serving, suspended or scheduled for deletion). */
  | { readonly outcome: "tenant-exists" }
  /** The payload is not a dump this code reads, or its rows do not fit the schema version it names. */
  | { readonly outcome: "invalid-payload"; readonly problem: string }
  /** Made by a newer release: its tables have columns or meanings this deployment does not know. */
  | { readonly outcome: "schema-newer"; readonly backupVersion: number; readonly deploymentVersion: number }
  /** One of its Widevine provider names is held by another tenant here (names are unique across a deployment). */
  | { readonly outcome: "provider-name-taken"; readonly providerName: string };

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
    await logs.takeParked(storage, tenant.value.id, now.getTime());
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
    const checked = await this.#checkDump(tenantId, payload);
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

  /** The dump, if it is one this deployment can restore for `tenantId`, with its data key wrapped here. */
  async #checkDump(
    tenantId: string,
    payload: Uint8Array,
  ): Promise<TenantRestore | { readonly dump: TenantDump; readonly wrapped: string; readonly dataKey: TenantDataKey }> {
    const parsed = parseTenantDump(payload);
    if (!parsed.ok) return invalid(parsed.problem);
    const { dump } = parsed;
    const deploymentVersion = latestSchemaVersion(TENANT_MIGRATIONS);
    if (dump.schemaVersion > deploymentVersion) return { outcome: "schema-newer", backupVersion: dump.schemaVersion, deploymentVersion };
    const ids = column(dump.tables.tenant, "id");
    if (ids.length !== 1 || ids[0] !== tenantId || dump.tenantId !== tenantId)
      return invalid("the tenant table must hold this tenant's row alone");
    const dataKeyVersion = column(dump.tables.tenant, "data_key_version")[0];
    if (typeof dataKeyVersion !== "number") return invalid("the tenant row must name its data key version");
    const raw = fromBase64(dump.dataKey);
    if (raw?.length !== DATA_KEY_LENGTH) return invalid(`the data key must be base64 of ${DATA_KEY_LENGTH} bytes`);
    const { wrapped, dataKey } = await this.#context.keys.wrapRestoredDataKey(tenantId, raw, dataKeyVersion).finally(() => raw.fill(0));
    // Every sealed value the tenant opens to answer must open under the data key carried: else the restored tenant
    // answers no acquisition (a seed), or 503 to each it signs or each Widevine request (a signing key, AES signer).
    for (const [table, sealedColumn, what, context] of SEALED_COLUMNS) {
      const ids = column(dump.tables[table], "id");
      for (const [index, sealed] of column(dump.tables[table], sealedColumn).entries()) {
        const id = String(ids[index]);
        try {
          if (sealed !== null) (await open(String(sealed), dataKey.sealing, context(tenantId, id))).fill(0);
        } catch (error) {
          if (!(error instanceof SealedValueError)) throw error;
          return invalid(`${what} ${id} does not open under the data key the backup carries`);
        }
      }
    }
    return { dump, wrapped, dataKey };
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

/** The sealed columns a restore opens (few rows each), what the sentence calls a row, and the context each is sealed in. */
const SEALED_COLUMNS: readonly (readonly [string, string, string, (tenantId: string, id: string) => SealContext])[] = [
  ["key_seeds", "sealed_value", "key seed", (tenantId, seedId) => ({ purpose: "key-seed", tenantId, seedId })],
  ["signing_keys", "sealed_private_key", "signing key", (tenantId, signingKeyId) => ({ purpose: "cpix-signing", tenantId, signingKeyId })],
  // An RSA signer has no sealed material (NULL).
  [
    "widevine_credentials",
    "sealed_aes_material",
    "Widevine signer",
    (tenantId, credentialId) => ({ purpose: "widevine-signing", tenantId, credentialId }),
  ],
];

/** What the target writes itself: the data key wrapped under its KEK, no pending deletion, every stored key to publish. */
function amendRow(table: string, row: Record<string, DumpValue>, wrappedDataKey: string): Record<string, DumpValue> {
  switch (table) {
    case "tenant":
      // A restore is the operator's choice to keep the tenant: a deletion pending in the source is not carried over.
      return { ...row, wrapped_data_key: wrappedDataKey, ...("delete_at" in row && { delete_at: null }) };
    case "content_keys":
      // This deployment's KV holds no record of them yet: each is published again (docs/storage.md §Stored content keys).
      return { ...row, published: 0 };
    default:
      return row;
  }
}

/**
 * Why the restored tenant does not read back as its readers take it (the snapshot check of kv-values.ts, the settings
 * as a PUT could have written them, settings-rules.ts), or undefined. SQLite's constraints are all the inserts check:
 * without this a crafted backup (anyone holding the public certificate can seal one) would commit a tenant whose first
 * read throws, and answer the restore with 5xx.
 */
function readBackProblem({ publisher, stores }: TenantContext, tenantId: string): string | undefined {
  let snapshot: TenantSnapshot | undefined;
  let settings: TenantSettings;
  try {
    snapshot = publisher.build();
    settings = stores.settings.read();
  } catch {
    return "its rows do not read back as its schema version's";
  }
  const problem = snapshotProblem(snapshot ?? null, tenantId);
  if (problem) return `its tenant does not read back (${problem})`;
  // Settings PUT /api/Settings would refuse: a CORS grant no tenant can make, more origins than the deployment-wide
  // preflight directory takes from one tenant (allowed-origins-directory.ts), a signing key that is not there.
  const settingsProblem =
    storedSettingsProblem(settings) ??
    (settings.signingKeyId !== undefined && !stores.signingKeys.find(settings.signingKeyId)
      ? "signingKeyId names no row of table signing_keys"
      : undefined);
  return settingsProblem && `table settings: ${settingsProblem}`;
}

/** One column of a dumped table, in row order; none when the table or column is absent (or not a table at all). */
function column(table: DumpedTable | undefined, name: string): DumpValue[] {
  const index = Array.isArray(table?.columns) ? table.columns.indexOf(name) : -1;
  return index < 0 || !Array.isArray(table!.rows) ? [] : table!.rows.map((row) => (Array.isArray(row) ? (row[index] ?? null) : null));
}

function invalid(problem: string): TenantRestore {
  return { outcome: "invalid-payload", problem };
}
