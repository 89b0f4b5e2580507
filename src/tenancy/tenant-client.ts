import { faultMappedStub } from "./fault-mapped-stub";
import type { TenantObject } from "./tenant-object";

/** The Durable Object stub of one tenant (one object per tenant, named by the tenant id); faults map to StorageUnavailable. */
export function tenantObject(env: Pick<Env, "TENANTS">, tenantId: string): DurableObjectStub<TenantObject> {
  return faultMappedStub(env.TENANTS.get(env.TENANTS.idFromName(tenantId)), "tenant-object");
}
