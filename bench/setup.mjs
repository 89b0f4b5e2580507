import { randomBytes, randomUUID } from "node:crypto";

/** The bench's client side of the service API (see test/workers/support/api.ts for the same calls in workerd). */

export const SPEKE_V2_HEADERS = { "Content-Type": "application/xml", "X-Speke-Version": "2.0" };

/** Creates a tenant through the Operator API; its management key holds both `acquire` and `manage`. */
export async function createTenant(origin, adminToken, name = "bench") {
  const response = await fetch(`${origin}/admin/tenants`, {
    method: "POST",
    headers: { Authorization: `Bearer ${adminToken}`, "Content-Type": "application/json" },
    body: JSON.stringify({ name }),
  });
  if (response.status !== 201) throw new Error(`tenant creation answered ${response.status}: ${await response.text()}`);
  const { tenantId, managementKey, keySeedId } = await response.json();
  return { tenantId, keySeedId, authorization: `Basic ${Buffer.from(`${tenantId}:${managementKey}`).toString("base64")}` };
}

/** Creates a Widevine CENC API signer (AES) for the tenant; the 201 is the only answer carrying its key. */
export async function createWidevineSigner(origin, tenant, providerName) {
  const response = await fetch(`${origin}/api/WidevineProtectionInfoCredentials`, {
    method: "POST",
    headers: { Authorization: tenant.authorization, "Content-Type": "application/json" },
    body: JSON.stringify({ ProviderName: providerName }),
  });
  if (response.status !== 201) throw new Error(`signer creation answered ${response.status}: ${await response.text()}`);
  const { SigningKeyHex, SigningIvHex } = await response.json();
  return { providerName, signingKeyHex: SigningKeyHex, signingIvHex: SigningIvHex };
}

/** The KID of the random content key the stored-key scenario asks for (made with `POST /api/ContentKeys`). */
export const STORED_CONTENT_KEY_ID = "5703ed00-0b0e-4c4e-9a11-000000000001";

/**
 * Stores the scenario's random key and `others` more, so every acquisition scenario runs with a membership filter in
 * the snapshot (derived KIDs must still make no storage call) and the stored-key scenario reads a stored KID.
 */
export async function createStoredContentKeys(origin, tenant, others = 200) {
  const create = async (body) => {
    const response = await fetch(`${origin}/api/ContentKeys`, {
      method: "POST",
      headers: { Authorization: tenant.authorization, "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    if (response.status !== 201) throw new Error(`content key creation answered ${response.status}: ${await response.text()}`);
  };
  await create({ Id: STORED_CONTENT_KEY_ID, Name: "bench stored key" });
  for (let made = 0; made < others; made += 10) {
    await Promise.all(Array.from({ length: Math.min(10, others - made) }, (_, i) => create({ Name: `bench ${made + i}` })));
  }
}

/** How many content keys the large tenant stores (issue: no storage call beside 100,000 stored keys). */
export const LARGE_TENANT_KEYS = 100_000;

/**
 * Imports `count` random content keys into the tenant with `POST /api/Import/ContentKeys` (1,024 per request), then
 * waits until the last one is served: KV records go out 200 per publish (docs/storage.md §Stored content keys) and the
 * snapshot's membership filter holds only published keys, so that key being served means every one is. Answers the
 * KID of one stored key for the stored-key scenario on this tenant.
 */
export async function importManyContentKeys(origin, tenant, request, count = LARGE_TENANT_KEYS) {
  let last;
  for (let made = 0; made < count; made += 1024) {
    const entries = Array.from({ length: Math.min(1024, count - made) }, () => ({
      Id: randomUUID(),
      Data: randomBytes(16).toString("base64"),
    }));
    const response = await fetch(`${origin}/api/Import/ContentKeys`, {
      method: "POST",
      headers: { Authorization: tenant.authorization, "Content-Type": "application/json" },
      body: JSON.stringify(entries),
    });
    if (response.status !== 200) throw new Error(`content key import answered ${response.status}: ${await response.text()}`);
    last = entries.at(-1);
  }
  const deadline = Date.now() + 15 * 60_000;
  for (;;) {
    const response = await fetch(`${origin}/api/SpekeV2`, {
      method: "POST",
      headers: { ...SPEKE_V2_HEADERS, Authorization: tenant.authorization },
      body: request(last.Id),
    });
    if (response.status === 200 && (await response.text()).includes(`PlainValue>${last.Data}<`)) return last.Id;
    if (Date.now() > deadline) throw new Error(`the ${count} imported keys were not all served within 15 minutes`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

/**
 * A tenant that answers only CPIX requests signed by a trusted requester (setting `RequireSignedRequests`, CPIX 2.3
 * §Digital Signature): `requesterDer` (a DER certificate) is added with `POST /api/TrustedRequesters`.
 */
export async function createSignedRequestsTenant(origin, adminToken, requesterDer) {
  const tenant = await createTenant(origin, adminToken, "bench-signed");
  const send = async (method, path, body) => {
    const response = await fetch(`${origin}${path}`, {
      method,
      headers: { Authorization: tenant.authorization, "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    return { status: response.status, text: await response.text() };
  };
  const added = await send("POST", "/api/TrustedRequesters", { Certificate: Buffer.from(requesterDer).toString("base64") });
  if (added.status !== 201) throw new Error(`trusted requester refused: ${added.status} ${added.text}`);
  const settings = await send("PUT", "/api/Settings", { RequireSignedRequests: true });
  if (settings.status !== 200) throw new Error(`settings refused: ${settings.status} ${settings.text}`);
  return tenant;
}
