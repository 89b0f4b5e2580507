import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import worker from "../../../src/index";
import type { ContentKeyImport } from "../../../src/tenancy/content-key-types";
import { type ContentKeyRecord, type TenantSnapshot } from "../../../src/tenancy/snapshot";
import { openStoredContentKey } from "../../../src/tenancy/stored-content-keys";
import type { TenantObject } from "../../../src/tenancy/tenant-object";
import { tenantObject } from "../../../src/tenancy/tenant-client";
import { TenantStore } from "../../../src/tenancy/tenant-store";
import { OPERATOR_ACTOR, type RequestActor } from "../../../src/tenancy/tenant-types";
import { BASE, type TestTenant } from "./api";
import { readContentKeyRecord, readPublishedSnapshot } from "./kv-values";

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
  return (await readPublishedSnapshot(tenant.tenantId))!;
}

/** The KV record of one stored key, or null. */
export function contentKeyRecord(tenant: TestTenant, kid: string): Promise<ContentKeyRecord | null> {
  return readContentKeyRecord(tenant.tenantId, kid);
}

/** The tenant object of a test tenant, for runInDurableObject. */
export function tenantObjectOf(tenant: TestTenant): DurableObjectStub<TenantObject> {
  return env.TENANTS.get(env.TENANTS.idFromName(tenant.tenantId));
}

/** The tenant object of a test tenant as routes call it (faults mapped, each record target released after its call). */
export function tenantClientOf(tenant: TestTenant): DurableObjectStub<TenantObject> {
  return tenantObject(env, tenant.tenantId);
}

/**
 * Who test calls of write methods name in their audit records: the operator, since these calls carry none of the
 * tenant's credentials (a tenant credential's change is refused once it is revoked or expired, acting-credential.ts).
 */
export function testActor(): RequestActor {
  return { credentialId: OPERATOR_ACTOR, requestPath: "/api/test", time: new Date() };
}

/** The value of a stored key, opened as an export would (contentKeys().selectForExport + openStoredContentKey). */
export async function storedKeyValue(tenant: TestTenant, kid: string): Promise<Uint8Array> {
  const selected = await tenantClientOf(tenant)
    .contentKeys()
    .selectForExport({ ids: [kid] });
  if (!selected.ok) throw new Error(`no stored key ${kid}: ${selected.failure.reason}`);
  const loaded = await tenantStore().load(tenant.tenantId);
  return (await openStoredContentKey(loaded!, selected.value[0]!)).bytes;
}

/**
 * Stores keys through the import operation, then primes this isolate with the new snapshot, as the import routes do
 * through `respond` (src/management/responses.ts).
 */
export async function importKeys(tenant: TestTenant, entries: readonly ContentKeyImport[]): Promise<void> {
  const stub = tenantClientOf(tenant);
  const imported = await stub.contentKeys().import(entries, testActor());
  if (!imported.ok) throw new Error(`import refused: ${JSON.stringify(imported.failure)}`);
  const snapshot = await stub.tenant().snapshot();
  if (!snapshot.ok) throw new Error("no snapshot");
  await tenantStore().prime(snapshot.value);
}

function tenantStore(): TenantStore {
  return new TenantStore(env.SNAPSHOTS, env.KEY_ENCRYPTION_KEY, env.KEY_ENCRYPTION_KEY_VERSION);
}

/**
 * The SNAPSHOTS binding with every `get` recorded by key, for tests that count the storage calls of a request served
 * through `worker.fetch` with this binding; `failWhen` makes matching reads fail as a KV outage does.
 */
export function countingKv(failWhen: (key: string) => boolean = () => false): { kv: KVNamespace; reads: string[] } {
  const reads: string[] = [];
  const kv = new Proxy(env.SNAPSHOTS, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property);
      if (typeof value !== "function") return value;
      if (property !== "get") return value.bind(target);
      return (key: string, ...rest: unknown[]) => {
        reads.push(key);
        if (failWhen(key)) return Promise.reject(new Error("KV unavailable (injected)"));
        return Reflect.apply(value, target, [key, ...rest]);
      };
    },
  });
  return { kv, reads };
}

/** Sends a request to the Worker with the SNAPSHOTS binding replaced, and waits for its background work. */
export async function fetchWithKv(kv: KVNamespace, path: string, init: RequestInit): Promise<Response> {
  const context = createExecutionContext();
  const response = await worker.fetch(new Request(`${BASE}${path}`, init), { ...env, SNAPSHOTS: kv } as Env, context);
  await waitOnExecutionContext(context);
  return response;
}
