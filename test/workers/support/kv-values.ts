import { env } from "cloudflare:test";
import { contentKeyRecordKey, snapshotKey, type ContentKeyRecord, type TenantSnapshot } from "../../../src/tenancy/snapshot";

/**
 * The JSON an authenticated KV value carries (docs/storage.md §Authenticated KV values: an `EKS/2 <version> <mac>`
 * line, then the JSON), parsed; fails the test when the value lacks its header. The MAC itself is checked by the read
 * path's tests (kv-authentication.test.ts), not here.
 */
export function authenticatedJson<T>(value: string): T {
  const newline = value.indexOf("\n");
  if (!value.startsWith("EKS/2 ") || newline < 0) throw new Error("KV value without its EKS/2 header");
  return JSON.parse(value.slice(newline + 1)) as T;
}

/** A tenant's snapshot as KV holds it (undefined when none is published). */
export async function readPublishedSnapshot(tenantId: string): Promise<TenantSnapshot | undefined> {
  const value = await env.SNAPSHOTS.get(snapshotKey(tenantId));
  return value === null ? undefined : authenticatedJson<TenantSnapshot>(value);
}

/** The KV record of one stored key, or null. */
export async function readContentKeyRecord(tenantId: string, kid: string): Promise<ContentKeyRecord | null> {
  const value = await env.SNAPSHOTS.get(contentKeyRecordKey(tenantId, kid));
  return value === null ? null : authenticatedJson<ContentKeyRecord>(value);
}
