import { env } from "cloudflare:test";
import { contentKeyRecordKey, snapshotKey, type ContentKeyRecord, type TenantSnapshot } from "../../../src/tenancy/snapshot";
import type { TestTenant } from "./api";

/** A ContentKey as `GET /api/ContentKeys` answers it. */
export interface ContentKeyJson {
  Id: string;
  Name: string;
  Created: string;
  Updated: string;
  CreationMethod: 0 | 1 | 2;
}

/** `?a=b&c=d` with each value percent-encoded, so OData text (spaces, quotes, %) reaches the Worker as written. */
export function encodeQuery(query: string): string {
  if (query === "") return "";
  return `?${query
    .slice(1)
    .split("&")
    .map((pair) => {
      const at = pair.indexOf("=");
      return at < 0 ? pair : `${pair.slice(0, at)}=${encodeURIComponent(pair.slice(at + 1))}`;
    })
    .join("&")}`;
}

/** The tenant's published snapshot, as KV holds it. */
export async function publishedSnapshot(tenant: TestTenant): Promise<TenantSnapshot> {
  return (await env.SNAPSHOTS.get<TenantSnapshot>(snapshotKey(tenant.tenantId), "json"))!;
}

/** The KV record of one stored key, or null. */
export function contentKeyRecord(tenant: TestTenant, kid: string): Promise<ContentKeyRecord | null> {
  return env.SNAPSHOTS.get<ContentKeyRecord>(contentKeyRecordKey(tenant.tenantId, kid), "json");
}
