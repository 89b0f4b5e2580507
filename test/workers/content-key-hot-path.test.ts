/**
 * What stored content keys cost an acquisition: no storage call for a derived KID on a warm isolate, even beside
 * 100,000 stored keys (the snapshot carries only the membership filter); at most one KV read per isolate for a stored
 * KID; one per isolate and snapshot for a false positive of the filter; and a failed read answers 503, never a key.
 */
import { runInDurableObject } from "cloudflare:test";
import { beforeEach, describe, expect, it } from "vitest";
import { fromBase64, fromHex, toBase64, utf8 } from "../../src/domain/bytes";
import { KeyId } from "../../src/domain/key-id";
import { deriveContentKey } from "../../src/domain/key-derivation";
import { aesRequestSignature } from "../../src/protocols/widevine-cenc/signature";
import { KeyIdFilter } from "../../src/tenancy/content-key-filter";
import { TenantStore } from "../../src/tenancy/tenant-store";
import { api, type TestTenant } from "./support/api";
import { countingKv, fetchWithKv, importKeys, publishedSnapshot, tenantObjectOf } from "./support/content-keys";
import { VALID_SPEKE_V2 } from "./support/cpix-requests";
import { readResponse } from "./support/speke-v2-requests";
import { TEST_SEED, tenantWithTestSeed } from "./support/tenant-with-seed";

const VIDEO = "0f083e4e-b831-4a3d-917e-ce78076e1234";
const AUDIO = "1f083e4e-b831-4a3d-917e-ce78076e1234";
const STORED_KEYS = 100_000;

function spekeV2(tenant: TestTenant, kv: KVNamespace, kids: readonly [string, string]): Promise<Response> {
  return fetchWithKv(kv, "/api/SpekeV2", {
    method: "POST",
    headers: { Authorization: tenant.authorization, "Content-Type": "application/xml", "X-Speke-Version": "2.0" },
    body: VALID_SPEKE_V2.replaceAll(VIDEO, kids[0]).replaceAll(AUDIO, kids[1]),
  });
}

async function keysOf(response: Response): Promise<Uint8Array[]> {
  expect(response.status).toBe(200);
  return readResponse(await response.text()).contentKeyList!.items.map((key) => key.value!.bytes);
}

/** Random KIDs the published filter answers as `wanted` (not stored, or a false positive). */
async function kidsWhereFilterSays(tenant: TestTenant, wanted: boolean, count: number): Promise<string[]> {
  const filter = KeyIdFilter.decode((await publishedSnapshot(tenant)).contentKeys.filter!)!;
  const kids: string[] = [];
  while (kids.length < count) {
    const kid = crypto.randomUUID();
    if (filter.mightContain(KeyId.require(kid).bytes) === wanted) kids.push(kid);
  }
  return kids;
}

/** Stores `count` keys straight into the object's table, marked published, then publishes (as many imports would). */
async function storeManyKeys(tenant: TestTenant, count: number): Promise<void> {
  await runInDurableObject(tenantObjectOf(tenant), (_instance, state) => {
    const now = new Date().toISOString();
    state.storage.transactionSync(() => {
      for (let i = 0; i < count; i++) {
        state.storage.sql.exec(
          "INSERT INTO content_keys (id, name, sealed_value, created, updated, creation_method, published) VALUES (?, '', 'v1.1.AAAA', ?, ?, 2, 1)",
          crypto.randomUUID(),
          now,
          now,
        );
      }
      state.storage.sql.exec(
        "INSERT INTO meta (name, value) VALUES ('content_key_membership', '1') ON CONFLICT(name) DO UPDATE SET value = CAST(value AS INTEGER) + 1",
      );
    });
  });
  // Any write publishes the snapshot, filter rebuilt.
  expect((await api(tenant, "PUT", "/api/Settings", { LogRetentionDays: 30 })).status).toBe(200);
}

beforeEach(() => TenantStore.clear());

describe("stored content keys on the acquisition path", () => {
  it(`a warm acquisition of derived KIDs makes no storage call beside ${STORED_KEYS.toLocaleString("en")} stored keys, whose filter stays small`, async () => {
    const tenant = await tenantWithTestSeed();
    await storeManyKeys(tenant, STORED_KEYS);
    const snapshot = await publishedSnapshot(tenant);
    expect(snapshot.contentKeys!.count).toBe(STORED_KEYS);
    // 10 bits per key: 125,000 bytes, 166,668 as base64; the whole snapshot stays under 200 KB of JSON.
    expect(snapshot.contentKeys.filter!.data.length).toBe(166_668);
    expect(JSON.stringify(snapshot).length).toBeLessThan(200_000);

    const [video, audio] = await kidsWhereFilterSays(tenant, false, 2);
    TenantStore.clear();
    const { kv, reads } = countingKv();
    await keysOf(await spekeV2(tenant, kv, [video!, audio!])); // cold: one read, the snapshot
    expect(reads).toHaveLength(1);
    reads.length = 0;
    const keys = await keysOf(await spekeV2(tenant, kv, [video!, audio!]));
    expect(reads).toEqual([]);
    expect(keys[0]).toEqual((await deriveContentKey(TEST_SEED, KeyId.require(video!))).bytes);
  });

  it("the filter's false-positive rate over the real 100,000-key snapshot is under 1 %", async () => {
    const tenant = await tenantWithTestSeed();
    await storeManyKeys(tenant, STORED_KEYS);
    const filter = KeyIdFilter.decode((await publishedSnapshot(tenant)).contentKeys.filter!)!;
    let positives = 0;
    for (let i = 0; i < 20_000; i++) if (filter.mightContain(KeyId.require(crypto.randomUUID()).bytes)) positives++;
    expect(positives / 20_000).toBeLessThan(0.01);
  });

  it("a stored KID costs one KV read per isolate, then none", async () => {
    const tenant = await tenantWithTestSeed();
    const key = crypto.getRandomValues(new Uint8Array(16));
    await importKeys(tenant, [{ id: VIDEO, key }]);
    TenantStore.clear();
    const { kv, reads } = countingKv();
    for (let i = 0; i < 3; i++) expect((await keysOf(await spekeV2(tenant, kv, [VIDEO, AUDIO])))[0]).toEqual(key);
    expect(reads.filter((read) => read.includes("/content-key/"))).toEqual([`tenant/${tenant.tenantId}/content-key/${VIDEO}`]);
    expect(reads.filter((read) => read.endsWith("/snapshot"))).toHaveLength(1);
    // Another isolate reads it once more.
    TenantStore.clear();
    await spekeV2(tenant, kv, [VIDEO, AUDIO]);
    expect(reads.filter((read) => read.includes("/content-key/"))).toHaveLength(2);
  });

  it("a false positive of the filter costs one KV read per isolate and snapshot, and the KID is derived", async () => {
    const tenant = await tenantWithTestSeed();
    await importKeys(tenant, [{ id: crypto.randomUUID(), key: crypto.getRandomValues(new Uint8Array(16)) }]);
    const [falsePositive] = await kidsWhereFilterSays(tenant, true, 1);
    TenantStore.clear();
    const { kv, reads } = countingKv();
    for (let i = 0; i < 3; i++) {
      const keys = await keysOf(await spekeV2(tenant, kv, [falsePositive!, AUDIO]));
      expect(keys[0]).toEqual((await deriveContentKey(TEST_SEED, KeyId.require(falsePositive!))).bytes);
    }
    expect(reads.filter((read) => read.includes("/content-key/"))).toEqual([`tenant/${tenant.tenantId}/content-key/${falsePositive}`]);
  });

  it("a failed KV read of a stored key answers 503 with Retry-After and no key, then the key once KV is back", async () => {
    const tenant = await tenantWithTestSeed();
    const key = crypto.getRandomValues(new Uint8Array(16));
    await importKeys(tenant, [{ id: VIDEO, key }]);
    TenantStore.clear();
    const failing = countingKv((read) => read.includes("/content-key/"));
    const refused = await spekeV2(tenant, failing.kv, [VIDEO, AUDIO]);
    expect(refused.status).toBe(503);
    expect(refused.headers.get("Retry-After")).toBe("5");
    expect(await refused.text()).toBe("Key storage is temporarily unavailable; retry in 5 s");
    const healthy = countingKv();
    expect((await keysOf(await spekeV2(tenant, healthy.kv, [VIDEO, AUDIO])))[0]).toEqual(key);
  });

  it("the Widevine CENC API answers a failed read of a stored key with INTERNAL_ERROR and Retry-After, no key", async () => {
    const tenant = await tenantWithTestSeed();
    await importKeys(tenant, [{ id: VIDEO, key: crypto.getRandomValues(new Uint8Array(16)) }]);
    const created = await api(tenant, "POST", "/api/WidevineProtectionInfoCredentials", { ProviderName: `p-${crypto.randomUUID()}` });
    const signer = await created.json<{ ProviderName: string; SigningKeyHex: string; SigningIvHex: string }>();
    const request = utf8(JSON.stringify({ content_id: btoa(VIDEO), tracks: [{ type: "SD" }] }));
    const signature = await aesRequestSignature(request, fromHex(signer.SigningKeyHex)!, fromHex(signer.SigningIvHex)!);
    TenantStore.clear();
    const failing = countingKv((read) => read.includes("/content-key/"));
    const response = await fetchWithKv(failing.kv, "/api/WidevineProtectionInfo", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ request: toBase64(request), signature: toBase64(signature), signer: signer.ProviderName }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("Retry-After")).toBe("5");
    const inner = JSON.parse(new TextDecoder().decode(fromBase64((await response.json<{ response: string }>()).response)!));
    expect(inner.status).toBe("INTERNAL_ERROR");
    expect(inner.tracks).toBeUndefined();
  });

  it("publishes one KV record per stored key, the value sealed, and only published keys in the filter", async () => {
    const tenant = await tenantWithTestSeed();
    const keys = Array.from({ length: 450 }, () => ({ id: crypto.randomUUID(), key: crypto.getRandomValues(new Uint8Array(16)) }));
    await importKeys(tenant, keys);
    // 200 records per publish; the object's alarm writes the rest.
    let snapshot = await publishedSnapshot(tenant);
    for (let attempt = 0; attempt < 100 && snapshot.contentKeys?.count !== keys.length; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      snapshot = await publishedSnapshot(tenant);
    }
    expect(snapshot.contentKeys!.count).toBe(keys.length);
    const filter = KeyIdFilter.decode(snapshot.contentKeys.filter!)!;
    expect(keys.every(({ id }) => filter.mightContain(KeyId.require(id).bytes))).toBe(true);
    const unpublished = await runInDurableObject(
      tenantObjectOf(tenant),
      (_instance, state) => state.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM content_keys WHERE published = 0").one().n,
    );
    expect(unpublished).toBe(0);
  });
});
