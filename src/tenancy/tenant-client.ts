import { faultMappedStub } from "./fault-mapped-stub";
import type { TenantObject } from "./tenant-object";

/**
 * The Durable Object stub of one tenant (one object per tenant, named by the tenant id); faults map to
 * StorageUnavailable. Call a record kind's target through it in one round trip (pipelined) and one expression.
 * @example
 * const result = await tenantObject(c.env, tenantId).keySeeds().create(input, requestActor(c, new Date()));
 */
export function tenantObject(env: Pick<Env, "TENANTS">, tenantId: string): DurableObjectStub<TenantObject> {
  return faultMappedStub(env.TENANTS.get(env.TENANTS.idFromName(tenantId)), "tenant-object");
}
