import type { TestTenant } from "./api";
import { tenantWithTestSeed } from "./tenant-with-seed";

/**
 * How many acquisitions one shared tenant serves before the next is made: well under the test project's acquisition
 * rate limit (test/test-bindings.ts), even when all of them fall in one minute.
 */
const ACQUISITIONS_PER_TENANT = 40;

/**
 * Tenants whose default seed is the test seed, shared by the tests of a file whose answers do not depend on what the
 * tenant served before (a sample answered, a document refused): each test asks `next()` once per acquisition, and a
 * new tenant is made every ACQUISITIONS_PER_TENANT calls. It saves the three management calls of a tenant per test.
 * `prepare` runs once on each new tenant (settings the file's requests need).
 * @example const tenants = sharedTenants(); const response = await postCpix(await tenants.next(), "/api/Cpix", body);
 */
export function sharedTenants(prepare: (tenant: TestTenant) => Promise<void> = async () => {}): { next(): Promise<TestTenant> } {
  let tenant: TestTenant | undefined;
  let served = 0;
  return {
    async next() {
      if (!tenant || served === ACQUISITIONS_PER_TENANT) {
        tenant = await tenantWithTestSeed();
        await prepare(tenant);
        served = 0;
      }
      served++;
      return tenant;
    },
  };
}
