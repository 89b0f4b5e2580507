import { SELF } from "cloudflare:test";
import { TEST_BINDINGS } from "../../test-bindings";

/** Talks to the Worker as a client would, over its HTTP API. */
export const BASE = "https://keys.test";

export interface TestTenant {
  readonly tenantId: string;
  readonly managementKey: string;
  readonly keySeedId: string;
  readonly authorization: string;
}

export function basic(tenantId: string, secret: string): string {
  return `Basic ${btoa(`${tenantId}:${secret}`)}`;
}

/** Creates a tenant through the Operator API. */
export async function createTenant(name = "test"): Promise<TestTenant> {
  const response = await SELF.fetch(`${BASE}/admin/tenants`, {
    method: "POST",
    headers: { Authorization: `Bearer ${TEST_BINDINGS.ADMIN_TOKEN}`, "Content-Type": "application/json" },
    body: JSON.stringify({ name }),
  });
  if (response.status !== 201) throw new Error(`tenant creation failed: ${response.status} ${await response.text()}`);
  const body = await response.json<{ tenantId: string; managementKey: string; keySeedId: string }>();
  return { ...body, authorization: basic(body.tenantId, body.managementKey) };
}

/** A request to the tenant API with the tenant's credentials. */
export function api(
  tenant: TestTenant,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  return SELF.fetch(`${BASE}${path}`, {
    method,
    headers: { Authorization: tenant.authorization, ...(body !== undefined && { "Content-Type": "application/json" }), ...headers },
    ...(body !== undefined && { body: typeof body === "string" ? body : JSON.stringify(body) }),
  });
}

/** Base64 of fresh random bytes (a key seed to import). */
export function randomBase64(length: number): string {
  return btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(length))));
}

export interface KeySeedJson {
  Id: string;
  Name: string;
  Created: string;
  Updated: string;
  Generated: boolean;
  MadeDefault: string | null;
  IsDefault: boolean;
  DefaultEffectiveAt?: string;
}
