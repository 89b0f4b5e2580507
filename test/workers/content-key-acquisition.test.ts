/**
 * Acquisition answers a KID the tenant stores with the stored key (and its stored IV), every other KID with the key
 * derived from the seed, and a deleted KID with the derived key again (docs/storage.md §Stored content keys).
 */
import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { fromBase64, fromHex, toBase64, toBase64Url, utf8 } from "../../src/domain/bytes";
import { KeyId } from "../../src/domain/key-id";
import { deriveContentKey, deriveIv } from "../../src/domain/key-derivation";
import { SYSTEM_IDS } from "../../src/drm/system-ids";
import { aesRequestSignature } from "../../src/protocols/widevine-cenc/signature";
import { BASE, api, type TestTenant } from "./support/api";
import { AUDIO_KID, CPIX_PROTOCOLS, KID } from "./support/cpix-requests";
import { contentKeyRecord, importKeys, storedKeyValue } from "./support/content-keys";
import { readResponse } from "./support/speke-v2-requests";
import { TEST_SEED, postCpix, tenantWithTestSeed } from "./support/tenant-with-seed";

const derived = async (kid: string) => (await deriveContentKey(TEST_SEED, KeyId.require(kid))).bytes;

/** Makes a random key for `kid` through the Management API and answers its value. */
async function randomKey(tenant: TestTenant, kid: string): Promise<Uint8Array> {
  const created = await api(tenant, "POST", "/api/ContentKeys", { Id: kid, Name: "random" });
  expect(created.status).toBe(201);
  return storedKeyValue(tenant, kid);
}

/** The keys and IVs of a CPIX answer, by KID. */
async function answered(response: Response): Promise<Map<string, { key: Uint8Array; iv: Uint8Array | undefined }>> {
  expect(response.status).toBe(200);
  const document = readResponse(await response.text());
  return new Map(
    (document.contentKeyList?.items ?? []).map((key) => [key.kid.toString(), { key: key.value!.bytes, iv: key.explicitIV?.bytes }]),
  );
}

describe("a stored content key is what every acquisition protocol answers for its KID", () => {
  it("a random key made with POST /api/ContentKeys is what a SPEKE v2 request for that KID returns; the other KID is derived", async () => {
    const tenant = await tenantWithTestSeed();
    const stored = await randomKey(tenant, KID);
    expect(stored).toHaveLength(16);
    expect(stored).not.toEqual(await derived(KID));
    const keys = await answered(await postCpix(tenant, "/api/SpekeV2", CPIX_PROTOCOLS[0]!.valid, CPIX_PROTOCOLS[0]!.headers));
    expect(keys.get(KID)!.key).toEqual(stored);
    expect(keys.get(AUDIO_KID)!.key).toEqual(await derived(AUDIO_KID));
    // No IV was stored with it: the IV is derived from seed and KID, as for any key.
    expect(keys.get(KID)!.iv).toEqual((await deriveIv(TEST_SEED, KeyId.require(KID), 16)).bytes);
  });

  it("two random keys differ, and each is 16 bytes", async () => {
    const tenant = await tenantWithTestSeed();
    const first = await randomKey(tenant, crypto.randomUUID());
    const second = await randomKey(tenant, crypto.randomUUID());
    expect(first).toHaveLength(16);
    expect(second).toHaveLength(16);
    expect(first).not.toEqual(second);
  });

  it("a KeySeed key (CreationMethod 1) holds the derivation of the named seed for its KID, and keeps it after the default changes", async () => {
    const tenant = await tenantWithTestSeed();
    const other = await (await api(tenant, "POST", "/api/KeySeeds", { Name: "other" })).json<{ Id: string }>();
    const kid = crypto.randomUUID();
    const created = await api(tenant, "POST", "/api/ContentKeys", { Id: kid, Name: "seeded", KeySeedId: tenant.seedId });
    expect(await created.json()).toMatchObject({ CreationMethod: 1 });
    expect(await storedKeyValue(tenant, kid)).toEqual(await derived(kid));
    expect((await api(tenant, "PUT", `/api/KeySeeds/${other.Id}`, { IsDefault: true })).status).toBe(200);
    const request = CPIX_PROTOCOLS[0]!.valid.replaceAll(KID, kid);
    const keys = await answered(await postCpix(tenant, "/api/SpekeV2?keySeedId=" + other.Id, request, CPIX_PROTOCOLS[0]!.headers));
    expect(keys.get(kid)!.key).toEqual(await derived(kid));
  });

  it.each(CPIX_PROTOCOLS.slice(1))(
    "$name answers the stored key for a stored KID and derives the other",
    async ({ path, headers, valid }) => {
      const tenant = await tenantWithTestSeed();
      const stored = await randomKey(tenant, KID);
      const keys = await answered(await postCpix(tenant, path, valid, headers));
      expect(keys.get(KID)!.key).toEqual(stored);
      expect(keys.get(AUDIO_KID)!.key).toEqual(await derived(AUDIO_KID));
    },
  );

  it("CPIX GET, Anevia and Broadpeak answer the stored key", async () => {
    const tenant = await tenantWithTestSeed();
    const stored = await randomKey(tenant, KID);
    const get = await answered(await api(tenant, "GET", `/api/Cpix/movie-1?kid=${KID}&drm=widevine`));
    expect(get.get(KID)!.key).toEqual(stored);
    const config = toBase64Url(utf8(JSON.stringify({ ContentKeyIds: [KID], DrmSystemIds: [SYSTEM_IDS.widevine.toString()] })));
    const anevia = await answered(await api(tenant, "GET", `/api/Anevia?id=${config}`));
    expect(anevia.get(KID)!.key).toEqual(stored);
    const broadpeak = await answered(await postCpix(tenant, "/api/Broadpeak", CPIX_PROTOCOLS[3]!.valid.replace(' version="2.3"', "")));
    expect(broadpeak.get(KID)!.key).toEqual(stored);
  });

  it("Harmonic v2 answers the stored key", async () => {
    const tenant = await tenantWithTestSeed();
    const stored = await randomKey(tenant, KID);
    const request = `<?xml version="1.0" encoding="UTF-8"?>
<cpix:CPIX xmlns:cpix="urn:dashif:org:cpix" xmlns:pskc="urn:ietf:params:xml:ns:keyprov:pskc" contentId="channel_01">
  <cpix:ContentKeyList><cpix:ContentKey kid="${KID}"/></cpix:ContentKeyList>
  <cpix:DRMSystemList><cpix:DRMSystem kid="${KID}" systemId="${SYSTEM_IDS.widevine}"/></cpix:DRMSystemList>
</cpix:CPIX>`;
    const keys = await answered(await postCpix(tenant, "/api/Harmonic/v2", request));
    expect(keys.get(KID)!.key).toEqual(stored);
  });

  it("an imported key comes with its stored IV, unless the request gives its own explicitIV", async () => {
    const tenant = await tenantWithTestSeed();
    const key = crypto.getRandomValues(new Uint8Array(16));
    const iv = crypto.getRandomValues(new Uint8Array(16));
    await importKeys(tenant, [{ id: KID, key, iv }]);
    const keys = await answered(await postCpix(tenant, "/api/SpekeV2", CPIX_PROTOCOLS[0]!.valid, CPIX_PROTOCOLS[0]!.headers));
    expect(keys.get(KID)).toEqual({ key, iv });
    const requestIv = crypto.getRandomValues(new Uint8Array(16));
    const withIv = CPIX_PROTOCOLS[0]!.valid.replace(`kid="${KID}"`, `kid="${KID}" explicitIV="${toBase64(requestIv)}"`);
    const own = await answered(await postCpix(tenant, "/api/SpekeV2", withIv, CPIX_PROTOCOLS[0]!.headers));
    expect(own.get(KID)).toEqual({ key, iv: requestIv });
  });

  it("a deleted KID is derived again, and its KV record is gone", async () => {
    const tenant = await tenantWithTestSeed();
    const stored = await randomKey(tenant, KID);
    expect(await contentKeyRecord(tenant, KID)).not.toBeNull();
    expect((await api(tenant, "DELETE", `/api/ContentKeys/${KID}`)).status).toBe(204);
    expect(await contentKeyRecord(tenant, KID)).toBeNull();
    const keys = await answered(await postCpix(tenant, "/api/SpekeV2", CPIX_PROTOCOLS[0]!.valid, CPIX_PROTOCOLS[0]!.headers));
    expect(keys.get(KID)!.key).toEqual(await derived(KID));
    expect(keys.get(KID)!.key).not.toEqual(stored);
  });
});

/** The issuance entries of the tenant once `count` are written (they are recorded after the answer, batched). */
async function issuanceEntries(
  tenant: TestTenant,
  count: number,
): Promise<{ KeyIds: string[]; StoredKeyIds: string[]; Protocol: string }[]> {
  let entries: { KeyIds: string[]; StoredKeyIds: string[]; Protocol: string }[] = [];
  for (let attempt = 0; attempt < 100 && entries.length < count; attempt++) {
    if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 50));
    entries = await (await api(tenant, "GET", "/api/Logs?category=100")).json();
  }
  return entries;
}

describe("the issuance log names the KIDs answered with a stored key", () => {
  it("StoredKeyIds lists the stored KID of a SPEKE v2 answer, not the derived one, so a license service knows which to derive", async () => {
    const tenant = await tenantWithTestSeed();
    await randomKey(tenant, KID);
    expect((await postCpix(tenant, "/api/SpekeV2", CPIX_PROTOCOLS[0]!.valid, CPIX_PROTOCOLS[0]!.headers)).status).toBe(200);
    const [entry] = await issuanceEntries(tenant, 1);
    expect(entry!.KeyIds.sort()).toEqual([KID, AUDIO_KID].sort());
    expect(entry!.StoredKeyIds).toEqual([KID]);
  });

  it("StoredKeyIds is empty when every key is derived", async () => {
    const tenant = await tenantWithTestSeed();
    expect((await postCpix(tenant, "/api/SpekeV2", CPIX_PROTOCOLS[0]!.valid, CPIX_PROTOCOLS[0]!.headers)).status).toBe(200);
    const [entry] = await issuanceEntries(tenant, 1);
    expect(entry!.StoredKeyIds).toEqual([]);
  });
});

describe("the Widevine CENC API answers a stored key for a KID it answers for", () => {
  async function signedPost(tenant: TestTenant, keyRequest: object) {
    const created = await api(tenant, "POST", "/api/WidevineProtectionInfoCredentials", { ProviderName: `p-${crypto.randomUUID()}` });
    const credential = await created.json<{ ProviderName: string; SigningKeyHex: string; SigningIvHex: string }>();
    const body = utf8(JSON.stringify(keyRequest));
    const signature = await aesRequestSignature(body, fromHex(credential.SigningKeyHex)!, fromHex(credential.SigningIvHex)!);
    const response = await SELF.fetch(`${BASE}/api/WidevineProtectionInfo`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ request: toBase64(body), signature: toBase64(signature), signer: credential.ProviderName }),
    });
    const inner = JSON.parse(new TextDecoder().decode(fromBase64((await response.json<{ response: string }>()).response)!));
    expect(inner.status).toBe("OK");
    return inner.tracks as { key_id: string; key: string; iv: string }[];
  }

  it("with the stored key and the first 8 bytes of its stored IV for CENC", async () => {
    const tenant = await tenantWithTestSeed();
    const key = crypto.getRandomValues(new Uint8Array(16));
    const iv = crypto.getRandomValues(new Uint8Array(16));
    await importKeys(tenant, [{ id: KID, key, iv }]);
    const [track] = await signedPost(tenant, { content_id: btoa(KID), tracks: [{ type: "SD" }], drm_types: ["WIDEVINE"] });
    expect(KeyId.fromBytes(fromBase64(track!.key_id)!).toString()).toBe(KID);
    expect(fromBase64(track!.key)).toEqual(key);
    expect(fromBase64(track!.iv)).toEqual(iv.subarray(0, 8));
    const [entry] = await issuanceEntries(tenant, 1);
    expect(entry).toMatchObject({ Protocol: "widevine-cenc", KeyIds: [KID], StoredKeyIds: [KID] });
  });

  it("and derives a KID the tenant does not store", async () => {
    const tenant = await tenantWithTestSeed();
    await randomKey(tenant, KID);
    const [track] = await signedPost(tenant, { content_id: btoa(AUDIO_KID), tracks: [{ type: "SD" }] });
    expect(fromBase64(track!.key)).toEqual(await derived(AUDIO_KID));
  });
});
