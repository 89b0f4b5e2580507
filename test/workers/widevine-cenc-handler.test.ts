import { describe, expect, it } from "vitest";
import signing from "../fixtures/vectors/widevine-cenc-api-signing.json";
import { fromBase64, fromHex, toBase64, toHex, utf8 } from "../../src/domain/bytes";
import { keySeedFromBytes } from "../../src/domain/content-key";
import { KeyId } from "../../src/domain/key-id";
import { deriveContentKey } from "../../src/domain/key-derivation";
import { handleCommonEncryptionRequest, type WidevineCencLookups } from "../../src/protocols/widevine-cenc/handler";
import { aesRequestSignature } from "../../src/protocols/widevine-cenc/signature";

const TENANT = "0b6c5a8e-1f0e-4a57-9d55-3a3d8d1b9c01";
const SIGNER = "widevine_test";
const SIGNING_KEY = fromHex(signing.widevine_test_credentials.aes_signing_key_hex)!;
const SIGNING_IV = fromHex(signing.widevine_test_credentials.aes_signing_iv_hex)!;
const SEED = keySeedFromBytes(fromBase64("XVBovsmzhP9gRIZxWfFta3VVRPzVEWmJsazEJ46I")!);
const KID = "0b350c08-4bcb-4b96-a873-8c24f6e991c5";

function lookups(overrides: Partial<WidevineCencLookups> = {}): WidevineCencLookups & { loads: string[] } {
  const loads: string[] = [];
  return {
    loads,
    resolveSigner: async (signer) =>
      signer === SIGNER ? { tenantId: TENANT, credential: { kind: "aes", signingKey: SIGNING_KEY, signingIv: SIGNING_IV } } : undefined,
    loadTenantKeys: async ({ tenantId }) => {
      loads.push(tenantId);
      return { seed: SEED, settings: {} };
    },
    ...overrides,
  };
}

/** Signs like the seed script (SHA-1 → AES-256-CBC with the provider's key and IV) and wraps the envelope. */
async function signedBody(request: object | string, options: { signer?: string; key?: Uint8Array } = {}): Promise<Uint8Array> {
  const requestBytes = utf8(typeof request === "string" ? request : JSON.stringify(request));
  const signature = await aesRequestSignature(requestBytes, options.key ?? SIGNING_KEY, SIGNING_IV);
  return utf8(JSON.stringify({ request: toBase64(requestBytes), signature: toBase64(signature), signer: options.signer ?? SIGNER }));
}

function inner(body: { response: string }): Record<string, any> {
  return JSON.parse(new TextDecoder().decode(fromBase64(body.response)));
}

const seedScriptRequest = { content_id: btoa(KID), tracks: [{ type: "SD" }], drm_types: ["WIDEVINE", "PLAYREADY", "FAIRPLAY"] };

describe("Widevine CENC request handling, end to end without storage", () => {
  it("answers the seed script's signed request with the KID, its derived key, an IV, Widevine and PlayReady pssh and an skd_uri", async () => {
    const outcome = await handleCommonEncryptionRequest(await signedBody(seedScriptRequest), lookups());
    const response = inner(outcome.body);
    expect(response.status).toBe("OK");
    const track = response.tracks[0];
    expect(KeyId.fromBytes(fromBase64(track.key_id)!).toString()).toBe(KID);
    expect(toHex(fromBase64(track.key)!)).toBe(toHex((await deriveContentKey(SEED, KeyId.require(KID))).bytes));
    expect(fromBase64(track.iv)).toHaveLength(16);
    expect(track.pssh[0].drm_type).toBe("WIDEVINE");
    expect(track.pssh[1].drm_type).toBe("PLAYREADY");
    expect(track.skd_uri).toMatch(/^skd:\/\//);
    expect(outcome).toMatchObject({ tenantId: TENANT });
    expect(outcome.keys!.map((key) => key.kid.toString())).toEqual([KID]);
  });

  it("names the signer as the Widevine provider unless the tenant set one", async () => {
    const outcome = await handleCommonEncryptionRequest(await signedBody(seedScriptRequest), lookups());
    const data = new TextDecoder().decode(fromBase64(inner(outcome.body).tracks[0].pssh[0].data));
    expect(data).toContain(SIGNER);
  });

  it("accepts Shaka's exact signed message (shared vector, widevine_test credential)", async () => {
    const outcome = await handleCommonEncryptionRequest(
      utf8((signing.vectors[1] as { signed_message: string }).signed_message),
      lookups({ pathSigner: SIGNER }),
    );
    expect(inner(outcome.body).status).toBe("OK");
    expect(inner(outcome.body).tracks).toHaveLength(5);
  });

  it.each([
    ["a wrong signing key", "SIGNATURE_FAILED", async () => signedBody(seedScriptRequest, { key: new Uint8Array(32) }), lookups()],
    ["an unknown signer", "ACCESS_DENIED", async () => signedBody(seedScriptRequest, { signer: "someone_else" }), lookups()],
    [
      "a path signer that differs from the body's",
      "ACCESS_DENIED",
      async () => signedBody(seedScriptRequest),
      lookups({ pathSigner: "other" }),
    ],
    ["an invalid request", "TRACK_TYPE_UNKNOWN", async () => signedBody({ content_id: btoa("x"), tracks: [{ type: "8K" }] }), lookups()],
    [
      "a tenant without a key seed",
      "ACCESS_DENIED",
      async () => signedBody(seedScriptRequest),
      lookups({ loadTenantKeys: async () => ({ seed: undefined, settings: {} }) }),
    ],
  ])("refuses %s with HTTP-200 status %s and no key material", async (_, status, body, lookup) => {
    const outcome = await handleCommonEncryptionRequest(await body(), lookup);
    const response = inner(outcome.body);
    expect(response.status).toBe(status);
    expect(response.tracks).toBeUndefined();
    expect(JSON.stringify(response)).not.toContain(toBase64((await deriveContentKey(SEED, KeyId.require(KID))).bytes));
    expect(outcome.failure).toBeDefined();
  });

  it("does not load the tenant's seed before the signature verifies", async () => {
    const lookup = lookups();
    await handleCommonEncryptionRequest(await signedBody(seedScriptRequest, { key: new Uint8Array(32) }), lookup);
    expect(lookup.loads).toEqual([]);
  });
});
