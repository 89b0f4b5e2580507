import vectors from "../../fixtures/vectors/playready-key-seed.json";
import { fromBase64 } from "../../../src/domain/bytes";
import { keySeedFromBytes, type KeySeedValue } from "../../../src/domain/content-key";
import { SELF } from "cloudflare:test";
import { BASE, api, createTenant, type TestTenant } from "./api";

/** Microsoft's published PlayReady test key seed (test/fixtures/vectors/playready-key-seed.json). */
export const TEST_SEED_BASE64 = vectors.test_key_seed.b64;
export const TEST_SEED: KeySeedValue = keySeedFromBytes(fromBase64(TEST_SEED_BASE64)!);

/** A tenant whose default seed is the published test seed, as a license service would hold it. */
export async function tenantWithTestSeed(seedBase64 = TEST_SEED_BASE64): Promise<TestTenant & { seedId: string }> {
  const tenant = await createTenant();
  const seedId = crypto.randomUUID();
  const imported = await api(tenant, "POST", "/api/Import/KeySeeds", [{ Id: seedId, Data: seedBase64 }]);
  if (imported.status !== 200) throw new Error(`import failed: ${imported.status}`);
  const made = await api(tenant, "PUT", `/api/KeySeeds/${seedId}`, { IsDefault: true });
  if (made.status !== 200) throw new Error(`make default failed: ${made.status}`);
  return { ...tenant, seedId };
}

/** Posts a CPIX body to an acquisition endpoint. */
export function postCpix(
  tenant: TestTenant,
  path: string,
  body: Uint8Array | string,
  headers: Record<string, string> = {},
): Promise<Response> {
  return SELF.fetch(`${BASE}${path}`, {
    method: "POST",
    headers: { Authorization: tenant.authorization, "Content-Type": "application/xml", ...headers },
    body,
  });
}
