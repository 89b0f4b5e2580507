import { allowedOriginKey } from "./allowed-origins-directory";
import { parkedPrefix } from "./issuance-parking";
import type { TenantContext } from "./operations/tenant-context-type";
import { signerRegistry } from "./signer-registry";
import { storageCall } from "./storage-fault";
import { tenantDirectory } from "./tenant-directory";

/** Keys per KV `list()` call (Cloudflare KV returns at most 1000). */
const KV_LIST_PAGE = 1000;

/**
 * Erases a tenant whose deletion grace period has passed (issue 28): every KV record of it (snapshot, content-key
 * records under `tenant/<id>/`, parked issuance, its CORS origin entries), its Widevine provider names, its directory
 * entry, then the object's own storage. The object's storage goes last, so a failure part-way leaves what the alarm
 * needs to run again (a throwing alarm is retried by the runtime).
 */
export async function eraseTenant(context: TenantContext, tenantId: string): Promise<void> {
  const env = context.env();
  const kv = env.SNAPSHOTS;
  const origins = context.stores.settings.read().allowedOrigins ?? [];
  const providerNames = context.stores.widevineSigners.snapshotEntries().map((signer) => signer.providerName);
  for (const prefix of [`tenant/${tenantId}/`, parkedPrefix(tenantId)]) await deletePrefix(kv, prefix);
  await storageCall("kv", () => Promise.all(origins.map((origin) => kv.delete(allowedOriginKey(origin, tenantId)))));
  for (const providerName of providerNames) await signerRegistry(env).release(providerName, tenantId);
  await tenantDirectory(env).remove(tenantId);
  await context.storage.deleteAlarm();
  await context.storage.deleteAll();
}

async function deletePrefix(kv: KVNamespace, prefix: string): Promise<void> {
  let cursor: string | undefined;
  for (;;) {
    const page = await storageCall("kv", () => kv.list({ prefix, limit: KV_LIST_PAGE, ...(cursor !== undefined && { cursor }) }));
    await storageCall("kv", () => Promise.all(page.keys.map(({ name }) => kv.delete(name))));
    if (page.list_complete) return;
    cursor = page.cursor;
  }
}
