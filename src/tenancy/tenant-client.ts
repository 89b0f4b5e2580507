import type { TenantObject } from "./tenant-object";

/** The Durable Object stub of one tenant (one object per tenant, named by the tenant id). */
export function tenantObject(env: Env, tenantId: string): DurableObjectStub<TenantObject> {
  return env.TENANTS.get(env.TENANTS.idFromName(tenantId));
}
