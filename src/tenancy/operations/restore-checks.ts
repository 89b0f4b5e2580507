import { fromBase64 } from "../../domain/bytes";
import { DATA_KEY_LENGTH, SealedValueError, open, type SealContext, type TenantDataKey } from "../envelope";
import { snapshotProblem } from "../kv-values";
import { latestSchemaVersion } from "../schema";
import type { TenantSettings } from "../settings";
import { storedSettingsProblem } from "../settings-rules";
import type { TenantSnapshot } from "../snapshot";
import { TENANT_MIGRATIONS } from "../stores/tenant-stores";
import { parseTenantDump } from "../tenant-dump";
import type { DumpValue, DumpedTable, TenantDump } from "../tenant-dump";
import type { TenantContext } from "./tenant-context-type";

/*
 * What a restore checks of a dump before and after it writes (backup-operations.ts): the payload, its schema version,
 * the data key opening every sealed value the tenant answers with, and the tables read back as the readers take them.
 * Anyone holding the public restore certificate can seal a backup (docs/backup.md), so nothing in it is trusted.
 */

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

/** The dump, if it is one this deployment can restore for `tenantId`, with its data key wrapped here. */
export async function checkDump(
  context: TenantContext,
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
  const { wrapped, dataKey } = await context.keys.wrapRestoredDataKey(tenantId, raw, dataKeyVersion).finally(() => raw.fill(0));
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
export function amendRow(table: string, row: Record<string, DumpValue>, wrappedDataKey: string): Record<string, DumpValue> {
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
export function readBackProblem({ publisher, stores }: TenantContext, tenantId: string): string | undefined {
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
export function column(table: DumpedTable | undefined, name: string): DumpValue[] {
  const index = Array.isArray(table?.columns) ? table.columns.indexOf(name) : -1;
  return index < 0 || !Array.isArray(table!.rows) ? [] : table!.rows.map((row) => (Array.isArray(row) ? (row[index] ?? null) : null));
}

export function invalid(problem: string): TenantRestore {
  return { outcome: "invalid-payload", problem };
}
