import type { IssuanceRecord } from "./tenant-types";

/**
 * The KV parking lot for issuance batches an edge could not hand to the tenant object, even after retrying
 * (docs/storage.md §Issuance delivery). The edge parks a batch under its own key; the object takes parked batches
 * back, stores them (idempotent by record id), and only then deletes their keys, so a batch is never lost
 * between the two and never stored twice.
 */
const PARKED_PREFIX = "issuance-parked/";

/** Most parked batches one call takes back (one KV list page). */
export const MAX_PARKED_BATCHES_PER_TAKE = 100;

/** A KV value must live at least 60 s (Cloudflare KV, "expirationTtl"). */
const MIN_KV_EXPIRATION_SECONDS = 60;

/** The KV prefix of one tenant's parked batches (also erased with the tenant, src/tenancy/tenant-erasure.ts). */
export function parkedPrefix(tenantId: string): string {
  return `${PARKED_PREFIX}${tenantId}/`;
}

/** Parks a batch in KV; it expires when the tenant's log retention would have pruned it anyway. */
export async function parkIssuance(
  kv: KVNamespace,
  tenantId: string,
  records: readonly IssuanceRecord[],
  retentionDays: number,
): Promise<void> {
  const expirationTtl = Math.max(MIN_KV_EXPIRATION_SECONDS, retentionDays * 86_400);
  await kv.put(`${parkedPrefix(tenantId)}${crypto.randomUUID()}`, JSON.stringify(records), { expirationTtl });
}

/**
 * Takes parked batches of a tenant back: `store` each (it must be idempotent), then deletes its key. Answers how
 * many batches it took. KV lists are eventually consistent, so a batch parked a moment ago may wait for the next call.
 */
export async function takeParkedIssuance(
  kv: KVNamespace,
  tenantId: string,
  store: (records: readonly IssuanceRecord[]) => void,
): Promise<number> {
  const listed = await kv.list({ prefix: parkedPrefix(tenantId), limit: MAX_PARKED_BATCHES_PER_TAKE });
  for (const { name } of listed.keys) {
    const records = await kv.get<IssuanceRecord[]>(name, "json");
    if (records) store(records);
    await kv.delete(name);
  }
  return listed.keys.length;
}
