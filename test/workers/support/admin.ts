import { SELF } from "cloudflare:test";
import type { TenantMetadata } from "../../../src/tenancy/tenant-types";
import { TEST_BINDINGS } from "../../test-bindings";
import { BASE } from "./api";

/** Reads a tenant's metadata through the Operator API. */
export async function tenantMetadata(tenantId: string): Promise<TenantMetadata> {
  const response = await SELF.fetch(`${BASE}/admin/tenants/${tenantId}`, {
    headers: { Authorization: `Bearer ${TEST_BINDINGS.ADMIN_TOKEN}` },
  });
  return response.json();
}
