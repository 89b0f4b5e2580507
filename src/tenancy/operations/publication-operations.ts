import { migrate } from "../schema";
import { writeAllowedOrigins } from "../allowed-origins-directory";
import { kvMacKeys } from "../kv-authentication";
import { republishName, type RepublishTarget } from "../snapshot";
import { TENANT_MIGRATIONS } from "../stores/tenant-stores";
import type { ManagementResult } from "../tenant-types";
import type { TenantContext } from "./tenant-context-type";

/**
 * Least time between two republishes of one value by one object (ms): readers ask at most once per REPUBLISH_REQUEST_INTERVAL_MS
 * per isolate (src/tenancy/republish-request.ts), so many isolates finding one bad value cost the object one write a second.
 */
const REPUBLISH_MIN_INTERVAL_MS = 1000;

const lastRepublished = new WeakMap<TenantContext, Map<string, number>>();

/**
 * Runs when the object starts (inside blockConcurrencyWhile): migrates its tables, then, when its last publish is not
 * confirmed (a commit followed by a crash or a failed write before KV had it, or records still waiting), arms the alarm
 * at once, so the publish happens without waiting for the next management write (docs/storage.md §Self-healing).
 */
export async function startTenantObject(context: TenantContext): Promise<void> {
  migrate(context.storage.sql, TENANT_MIGRATIONS);
  if (context.stores.tenant.read() && context.publisher.unconfirmed()) await context.storage.setAlarm(Date.now());
}

/**
 * Writes a value a reader found bad (failed MAC, unparseable, a part missing) again from the object's own storage:
 * the snapshot (with any records still waiting), or one content key's record. Answers whether KV was written.
 */
export async function republishStoredValue(
  context: TenantContext,
  target: RepublishTarget,
): Promise<ManagementResult<{ written: boolean }>> {
  const tenant = context.requireTenant();
  if (!tenant.ok) return tenant;
  const name = republishName(target);
  let recent = lastRepublished.get(context);
  if (!recent) lastRepublished.set(context, (recent = new Map()));
  const now = Date.now();
  if (now - (recent.get(name) ?? Number.NEGATIVE_INFINITY) < REPUBLISH_MIN_INTERVAL_MS) return { ok: true, value: { written: false } };
  recent.set(name, now);
  console.warn("republishing a stored value a reader refused", { tenantId: tenant.value.id, value: name });
  if (target.kind === "snapshot") {
    const outcome = await context.publisher.publish();
    return { ok: true, value: { written: outcome.outcome === "published" } };
  }
  if (target.kind === "allowed-origins") {
    const env = context.env();
    const origins = context.stores.settings.policy().cors.allowedOrigins;
    await writeAllowedOrigins(env.SNAPSHOTS, await kvMacKeys(env), tenant.value.id, origins, []);
    return { ok: true, value: { written: origins.length > 0 } };
  }
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(target.kid)) return { ok: true, value: { written: false } };
  return { ok: true, value: { written: await context.publisher.republishContentKey(tenant.value.id, target.kid) } };
}
