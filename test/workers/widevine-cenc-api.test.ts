import { SELF, env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { fromBase64, fromHex, toBase64, utf8 } from "../../src/domain/bytes";
import { KeyId } from "../../src/domain/key-id";
import { deriveContentKey } from "../../src/domain/key-derivation";
import { aesRequestSignature } from "../../src/protocols/widevine-cenc/signature";
import { BASE, api, createTenant, type TestTenant } from "./support/api";
import { parsePlayReadyObject } from "./support/playready-object-parser";
import { TEST_SEED, tenantWithTestSeed } from "./support/tenant-with-seed";
import { parseWidevinePsshData } from "./support/widevine-pssh-data-parser";

/** Public keys too small for a signer (made with `openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:N`). */
const RSA_512_SPKI =
  "MFwwDQYJKoZIhvcNAQEBBQADSwAwSAJBALx67jA4OOLiXzJ5qWG34Yx5G/fEb8gqM0lhkEDxXNE6TzDS2Wl57q9MqjUCfwkk1a64O0m/uxIxNQgwSxVevH0CAwEAAQ==";
const RSA_1024_SPKI =
  "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQC5fGSxTTGoSecnjzGXnmnk5Ez2UIrhR9jyaAG8TMPtel5Vi3ib7UF1+tEVtg8YWhu9muObwkd5Tin41SxpugYD3kKdr8ZLvyC9ppXHlkSVV6NdqZXMs6umzDRNlodAfv8BA2yuB5dPoZTr/nWm8tVI42CmJ4IX/4x6/q+y93nbEQIDAQAB";

interface Credential {
  Id: string;
  ProviderName: string;
  SigningKey: string;
  SigningIv: string;
  SigningKeyHex: string;
  SigningIvHex: string;
}

async function createCredential(tenant: TestTenant, providerName = `p-${crypto.randomUUID()}`): Promise<Credential> {
  const response = await api(tenant, "POST", "/api/WidevineProtectionInfoCredentials", { ProviderName: providerName });
  expect(response.status).toBe(201);
  return response.json();
}

/** Signs and posts a request exactly as the seed script does: SHA-1 → AES-256-CBC(key, iv, PKCS#7). */
async function signedPost(path: string, credential: Credential, keyRequest: string, signer = credential.ProviderName) {
  const signature = await aesRequestSignature(utf8(keyRequest), fromHex(credential.SigningKeyHex)!, fromHex(credential.SigningIvHex)!);
  const response = await SELF.fetch(`${BASE}${path}`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ request: toBase64(utf8(keyRequest)), signature: toBase64(signature), signer }),
  });
  expect(response.status).toBe(200);
  const outer = await response.json<{ response: string }>();
  return JSON.parse(new TextDecoder().decode(fromBase64(outer.response)!));
}

describe("Widevine credentials API", () => {
  it("returns the signing key and IV once and lists credentials without them", async () => {
    const tenant = await createTenant();
    const credential = await createCredential(tenant);
    expect(fromBase64(credential.SigningKey)).toHaveLength(32);
    expect(fromBase64(credential.SigningIv)).toHaveLength(16);
    expect(credential.SigningKeyHex).toMatch(/^[0-9a-f]{64}$/);
    const listed = await (await api(tenant, "GET", "/api/WidevineProtectionInfoCredentials")).text();
    expect(JSON.parse(listed)).toEqual([
      expect.objectContaining({ Id: credential.Id, ProviderName: credential.ProviderName, Kind: "Aes" }),
    ]);
    expect(listed).not.toContain(credential.SigningKey);
    expect(listed).not.toContain(credential.SigningKeyHex);
  });

  it("accepts a 2048-bit RSA public key and then answers requests signed with its private key", async () => {
    const tenant = await tenantWithTestSeed();
    const pair = (await crypto.subtle.generateKey(
      { name: "RSA-PSS", modulusLength: 2048, publicExponent: Uint8Array.of(1, 0, 1), hash: "SHA-1" },
      true,
      ["sign", "verify"],
    )) as CryptoKeyPair;
    const spki = new Uint8Array((await crypto.subtle.exportKey("spki", pair.publicKey)) as ArrayBuffer);
    const providerName = `rsa-${crypto.randomUUID()}`;
    const created = await api(tenant, "POST", "/api/WidevineProtectionInfoCredentials", {
      ProviderName: providerName,
      RsaPublicKey: toBase64(spki),
    });
    expect(created.status).toBe(201);
    const keyRequest = utf8(JSON.stringify({ content_id: toBase64(utf8("rsa-movie")), tracks: [{ type: "SD" }] }));
    const signature = new Uint8Array(await crypto.subtle.sign({ name: "RSA-PSS", saltLength: 20 }, pair.privateKey, keyRequest));
    const response = await SELF.fetch(`${BASE}/api/WidevineProtectionInfo`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ request: toBase64(keyRequest), signature: toBase64(signature), signer: providerName }),
    });
    const inner = JSON.parse(new TextDecoder().decode(fromBase64((await response.json<{ response: string }>()).response)!));
    expect(inner.status).toBe("OK");
  });

  it("keeps provider names unique across tenants and frees a name on delete", async () => {
    const first = await createTenant();
    const second = await createTenant();
    const name = `shared-${crypto.randomUUID()}`;
    const credential = await createCredential(first, name);
    const clash = await api(second, "POST", "/api/WidevineProtectionInfoCredentials", { ProviderName: name });
    expect(clash.status).toBe(409);
    expect((await api(first, "DELETE", `/api/WidevineProtectionInfoCredentials/${credential.Id}`)).status).toBe(204);
    expect((await api(second, "POST", "/api/WidevineProtectionInfoCredentials", { ProviderName: name })).status).toBe(201);
  });

  it.each([
    ["no ProviderName", {}, /ProviderName is required/],
    ["a ProviderName with a slash", { ProviderName: "a/b" }, /ProviderName must be/],
    ["a SigningKey of 16 bytes", { ProviderName: "x16", SigningKey: toBase64(new Uint8Array(16)) }, /exactly 32 bytes/],
    ["a SigningIv of 8 bytes", { ProviderName: "x8", SigningIv: toBase64(new Uint8Array(8)) }, /exactly 16 bytes/],
    ["an RSA key that is not one", { ProviderName: "xr", RsaPublicKey: "AAAA" }, /RsaPublicKey must be/],
    ["a 512-bit RSA key", { ProviderName: "x512", RsaPublicKey: RSA_512_SPKI }, /^RsaPublicKey must be at least 2048 bits, got 512$/],
    ["a 1024-bit RSA key", { ProviderName: "x1024", RsaPublicKey: RSA_1024_SPKI }, /^RsaPublicKey must be at least 2048 bits, got 1024$/],
  ])("refuses %s with 400", async (_case, body, message) => {
    const tenant = await createTenant();
    const response = await api(tenant, "POST", "/api/WidevineProtectionInfoCredentials", body);
    expect(response.status).toBe(400);
    expect((await response.json<{ error: string }>()).error).toMatch(message);
    expect(await (await api(tenant, "GET", "/api/WidevineProtectionInfoCredentials")).json()).toEqual([]);
  });
});

describe("the seed document's Widevine CENC script", () => {
  it("gets the KID, key, IV, Widevine and PlayReady PSSH data and the skd URI it hands to mp4split", async () => {
    const tenant = await tenantWithTestSeed();
    const credential = await createCredential(tenant);
    const kid = "339C45B5-FB6D-4BD9-994C-EABD9D41C95B";
    const keyRequest = JSON.stringify({
      content_id: btoa(kid),
      tracks: [{ type: "SD" }],
      drm_types: ["WIDEVINE", "PLAYREADY", "FAIRPLAY"],
      protection_scheme: "CENC",
    });
    const keyResponse = await signedPost("/api/WidevineProtectionInfo", credential, keyRequest);
    expect(keyResponse.status).toBe("OK");
    const track = keyResponse.tracks[0];
    expect(KeyId.fromBytes(fromBase64(track.key_id)!).toString()).toBe(kid.toLowerCase());
    expect(fromBase64(track.key)).toEqual((await deriveContentKey(TEST_SEED, KeyId.require(kid))).bytes);
    expect(fromBase64(track.iv)).toHaveLength(16);
    const widevine = parseWidevinePsshData(fromBase64(track.pssh[0].data)!);
    if ("reason" in widevine) throw new Error(widevine.detail);
    expect(widevine.keyIds.map((id) => id.toString())).toEqual([kid.toLowerCase()]);
    expect(track.pssh[0].drm_type).toBe("WIDEVINE");
    expect(track.pssh[1].drm_type).toBe("PLAYREADY");
    const pro = parsePlayReadyObject(fromBase64(track.pssh[1].data)!);
    if ("reason" in pro) throw new Error(pro.detail);
    expect(pro.wrmHeader).toContain("<KID");
    expect(track.skd_uri).toMatch(/^skd:\/\/339c45b5-fb6d-4bd9-994c-eabd9d41c95b:[0-9A-F]{32}$/);
  });

  it("answers on Shaka's /cenc/getcontentkey/{signer} path too, and records the issuance", async () => {
    const tenant = await tenantWithTestSeed();
    const credential = await createCredential(tenant);
    const keyResponse = await signedPost(
      `/cenc/getcontentkey/${credential.ProviderName}`,
      credential,
      JSON.stringify({ content_id: btoa("movie-9"), tracks: [{ type: "SD" }, { type: "AUDIO" }] }),
    );
    expect(keyResponse.status).toBe("OK");
    expect(keyResponse.tracks).toHaveLength(2);
    let logs: { Protocol: string; KeyIds: string[] }[] = [];
    for (let attempt = 0; attempt < 50 && logs.length === 0; attempt++) {
      logs = await (await api(tenant, "GET", "/api/Logs?category=100")).json();
      if (logs.length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(logs[0]).toMatchObject({ Protocol: "widevine-cenc" });
    expect(logs[0]!.KeyIds).toHaveLength(2);
  });

  it.each([
    ["a signature made with another key", (c: Credential) => ({ ...c, SigningKeyHex: "00".repeat(32) }), undefined],
    ["an unknown signer", (c: Credential) => c, "nobody-here"],
  ])("refuses %s with a non-OK status and no key", async (_case, tamper, signer) => {
    const tenant = await tenantWithTestSeed();
    const credential = await createCredential(tenant);
    const keyResponse = await signedPost(
      "/api/WidevineProtectionInfo",
      tamper(credential),
      JSON.stringify({ content_id: btoa("x"), tracks: [{ type: "SD" }] }),
      signer ?? credential.ProviderName,
    );
    expect(keyResponse.status).not.toBe("OK");
    expect(keyResponse.tracks).toBeUndefined();
  });
});

describe("Widevine signer lookups and storage", () => {
  it("answers a signer name that cannot exist (too long, odd characters) with ACCESS_DENIED, not INTERNAL_ERROR", async () => {
    for (const signer of ["x".repeat(600), "a/b", "ü"]) {
      const response = await SELF.fetch(`${BASE}/api/WidevineProtectionInfo`, {
        method: "POST",
        body: JSON.stringify({ request: btoa("{}"), signature: btoa("0".repeat(32)), signer }),
      });
      expect(response.status).toBe(200);
      const inner = JSON.parse(atob((await response.json<{ response: string }>()).response));
      expect(inner.status).toBe("ACCESS_DENIED");
    }
  });

  it("stores no signing key or IV in clear in KV or the tenant object", async () => {
    const tenant = await createTenant();
    const credential = await createCredential(tenant);
    const forms = [credential.SigningKey, credential.SigningIv, credential.SigningKeyHex, credential.SigningIvHex];
    const { keys } = await env.SNAPSHOTS.list();
    for (const { name } of keys) {
      const value = (await env.SNAPSHOTS.get(name))!;
      for (const form of forms) expect(value).not.toContain(form);
    }
    const stub = env.TENANTS.get(env.TENANTS.idFromName(tenant.tenantId));
    const rows = await runInDurableObject(stub, (_instance, state) =>
      state.storage.sql
        .exec("SELECT * FROM widevine_credentials")
        .toArray()
        .map((row) => JSON.stringify(row)),
    );
    expect(rows).toHaveLength(1);
    for (const row of rows) for (const form of forms) expect(row).not.toContain(form);
  });
});
