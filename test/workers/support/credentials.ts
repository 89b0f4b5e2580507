import { SELF } from "cloudflare:test";
import { TEST_BINDINGS } from "../../test-bindings";
import { BASE, api, basic, type TestTenant } from "./api";

/** A credential as `POST /api/Credentials` answers it. */
export interface IssuedCredentialJson {
  Id: string;
  Name: string;
  Scopes: string[];
  Created: string;
  ExpiresAt: string | null;
  Protocols: string[] | null;
  Secret: string;
}

/** Creates a credential through the tenant's API and answers it with the tenant to call the API with it. */
export async function createCredential(
  tenant: TestTenant,
  body: { Name: string; Scopes: string[]; Protocols?: readonly string[]; ExpiresAt?: string },
): Promise<{ credential: IssuedCredentialJson; as: TestTenant }> {
  const response = await api(tenant, "POST", "/api/Credentials", body);
  if (response.status !== 201) throw new Error(`credential creation failed: ${response.status} ${await response.text()}`);
  const credential = await response.json<IssuedCredentialJson>();
  return { credential, as: { ...tenant, authorization: basic(tenant.tenantId, credential.Secret) } };
}

/** The operator's recovery call: a fresh manage credential for a tenant. */
export function operatorCredential(tenantId: string, body?: unknown): Promise<Response> {
  return SELF.fetch(`${BASE}/admin/tenants/${tenantId}/credentials`, {
    method: "POST",
    headers: { Authorization: `Bearer ${TEST_BINDINGS.ADMIN_TOKEN}`, "Content-Type": "application/json" },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
}
