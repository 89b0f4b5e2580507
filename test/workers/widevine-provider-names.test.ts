import { SELF, env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { fromBase64, fromHex, toBase64, utf8 } from "../../src/domain/bytes";
import { deriveContentKey } from "../../src/domain/key-derivation";
import { KeyId } from "../../src/domain/key-id";
import { aesRequestSignature } from "../../src/protocols/widevine-cenc/signature";
import { signerKey } from "../../src/tenancy/snapshot";
import { BASE, api, type TestTenant } from "./support/api";
import { TEST_SEED, tenantWithTestSeed } from "./support/tenant-with-seed";

const PARALLEL_PER_TENANT = 8;
const KID = "339c45b5-fb6d-4bd9-994c-eabd9d41c95b";

interface CreatedCredential {
  ProviderName: string;
  SigningKeyHex: string;
  SigningIvHex: string;
}

interface Attempt {
  readonly tenant: TestTenant;
  readonly status: number;
  readonly credential?: CreatedCredential;
}

async function createNamed(tenant: TestTenant, providerName: string): Promise<Attempt> {
  const response = await api(tenant, "POST", "/api/WidevineProtectionInfoCredentials", { ProviderName: providerName });
  return { tenant, status: response.status, ...(response.status === 201 && { credential: await response.json<CreatedCredential>() }) };
}

/** The tenant the global registry says holds the name, and the one KV's signer index says. */
async function holders(providerName: string): Promise<{ registry: string | undefined; kv: string | null }> {
  const registry = await runInDurableObject(
    env.SIGNERS.get(env.SIGNERS.idFromName("global")),
    (_instance, state) =>
      state.storage.sql.exec<{ tenant_id: string }>("SELECT tenant_id FROM signers WHERE provider_name = ?", providerName).toArray()[0]
        ?.tenant_id,
  );
  return { registry, kv: await env.SNAPSHOTS.get(signerKey(providerName)) };
}

async function storedNames(tenant: TestTenant): Promise<string[]> {
  const response = await api(tenant, "GET", "/api/WidevineProtectionInfoCredentials");
  return (await response.json<{ ProviderName: string }[]>()).map((credential) => credential.ProviderName);
}

/** A request signed with the credential is answered OK with the key derived from the tenant's seed. */
async function expectSignedRequestWorks(credential: CreatedCredential): Promise<void> {
  const keyRequest = utf8(JSON.stringify({ content_id: btoa(KID), tracks: [{ type: "SD" }] }));
  const signature = await aesRequestSignature(keyRequest, fromHex(credential.SigningKeyHex)!, fromHex(credential.SigningIvHex)!);
  const response = await SELF.fetch(`${BASE}/api/WidevineProtectionInfo`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ request: toBase64(keyRequest), signature: toBase64(signature), signer: credential.ProviderName }),
  });
  const inner = JSON.parse(new TextDecoder().decode(fromBase64((await response.json<{ response: string }>()).response)!));
  expect(inner.status).toBe("OK");
  expect(fromBase64(inner.tracks[0].key)).toEqual((await deriveContentKey(TEST_SEED, KeyId.require(KID))).bytes);
}

/** After every attempt settled: exactly one tenant owns the name everywhere, and the other cannot take it. */
async function expectOneOwner(attempts: readonly Attempt[], tenants: readonly TestTenant[], providerName: string): Promise<void> {
  const created = attempts.filter((attempt) => attempt.status === 201);
  expect(created).toHaveLength(1);
  expect(attempts.filter((attempt) => attempt.status !== 201).map((attempt) => attempt.status)).toEqual(
    Array(attempts.length - 1).fill(409),
  );
  const owner = created[0]!.tenant;
  expect(await holders(providerName)).toEqual({ registry: owner.tenantId, kv: owner.tenantId });
  for (const tenant of tenants) {
    expect(await storedNames(tenant)).toEqual(tenant === owner ? [providerName] : []);
    if (tenant !== owner) expect((await createNamed(tenant, providerName)).status).toBe(409);
  }
  expect(await holders(providerName)).toEqual({ registry: owner.tenantId, kv: owner.tenantId });
  await expectSignedRequestWorks(created[0]!.credential!);
}

describe("Widevine provider names cannot be taken over", () => {
  it("ends parallel creations of one name by one tenant with that tenant owning it, so another tenant cannot take it", async () => {
    const owner = await tenantWithTestSeed();
    const other = await tenantWithTestSeed();
    const providerName = `contested-${crypto.randomUUID()}`;
    const attempts = await Promise.all(Array.from({ length: PARALLEL_PER_TENANT }, () => createNamed(owner, providerName)));
    await expectOneOwner(attempts, [owner, other], providerName);
  });

  it("ends parallel creations of one name by two tenants with exactly one owner in the registry, KV and its own store", async () => {
    const first = await tenantWithTestSeed();
    const second = await tenantWithTestSeed();
    const providerName = `contested-${crypto.randomUUID()}`;
    const attempts = await Promise.all(
      Array.from({ length: PARALLEL_PER_TENANT }, () => [createNamed(first, providerName), createNamed(second, providerName)]).flat(),
    );
    await expectOneOwner(attempts, [first, second], providerName);
  });

  it("keeps the registry, KV and the stores in agreement when a tenant deletes its name while both tenants create it", async () => {
    const first = await tenantWithTestSeed();
    const second = await tenantWithTestSeed();
    const providerName = `contested-${crypto.randomUUID()}`;
    const original = await api(first, "POST", "/api/WidevineProtectionInfoCredentials", { ProviderName: providerName });
    expect(original.status).toBe(201);
    const { Id } = await original.json<{ Id: string }>();
    const settled = await Promise.all([
      api(first, "DELETE", `/api/WidevineProtectionInfoCredentials/${Id}`).then((response) => response.status),
      ...Array.from({ length: 4 }, () => [createNamed(first, providerName), createNamed(second, providerName)])
        .flat()
        .map((attempt) => attempt.then(({ status }) => status)),
    ]);
    expect(settled[0]).toBe(204);
    const storing = [];
    for (const tenant of [first, second]) if ((await storedNames(tenant)).includes(providerName)) storing.push(tenant.tenantId);
    expect(storing.length).toBeLessThanOrEqual(1);
    expect(await holders(providerName)).toEqual({ registry: storing[0], kv: storing[0] ?? null });
  });
});
