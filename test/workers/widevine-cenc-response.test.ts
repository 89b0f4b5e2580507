import { describe, expect, it } from "vitest";
import shaka from "../fixtures/vectors/widevine-cenc-api-shaka-unittest.json";
import { fromBase64, toHex, utf8 } from "../../src/domain/bytes";
import { keySeedFromBytes } from "../../src/domain/content-key";
import { KeyId } from "../../src/domain/key-id";
import { deriveContentKey, deriveIv } from "../../src/domain/key-derivation";
import { parsePsshBox } from "./support/pssh-parser";
import { SYSTEM_IDS } from "../../src/drm/system-ids";
import { encodeSignedResponse } from "../../src/protocols/widevine-cenc/envelope";
import { failureResponse, type WidevineCencFailure } from "../../src/protocols/widevine-cenc/failure";
import { issueCommonEncryptionKeys, type WidevineCencSignallingSettings } from "../../src/protocols/widevine-cenc/issue";
import { parseCommonEncryptionRequest } from "../../src/protocols/widevine-cenc/request";
import type { CommonEncryptionResponseJson } from "../../src/protocols/widevine-cenc/response";
import { parsePlayReadyObject } from "./support/playready-object-parser";
import { parseWidevinePsshData } from "./support/widevine-pssh-data-parser";

const TENANT = "0b6c5a8e-1f0e-4a57-9d55-3a3d8d1b9c01";
/** Microsoft's published test key seed (PlayReady test servers), 30 bytes. */
const SEED = keySeedFromBytes(fromBase64("XVBovsmzhP9gRIZxWfFta3VVRPzVEWmJsazEJ46I")!);
const KID = "0b350c08-4bcb-4b96-a873-8c24f6e991c5";

async function issue(json: object | string, settings: WidevineCencSignallingSettings = {}): Promise<CommonEncryptionResponseJson> {
  const parsed = parseCommonEncryptionRequest(utf8(typeof json === "string" ? json : JSON.stringify(json)));
  if (!parsed.ok) throw new Error(`invalid test request: ${parsed.failure.reason}`);
  const issued = await issueCommonEncryptionKeys({ request: parsed.value, tenantId: TENANT, seed: SEED, settings });
  if (!issued.ok) throw new Error(`issue failed: ${issued.failure.reason}`);
  return issued.value.response;
}

function bytes(base64: string | undefined): Uint8Array {
  const decoded = base64 === undefined ? undefined : fromBase64(base64);
  if (!decoded) throw new Error("expected base64");
  return decoded;
}

/**
 * The checks Shaka Packager 3.4.2 makes on a response (`WidevineKeySource::ExtractEncryptionKey` in
 * `packager/media/base/widevine_key_source.cc`), so a response that passes here is one Shaka accepts.
 */
function assertShakaAccepts(response: CommonEncryptionResponseJson, rotation?: { firstIndex: number; count: number }) {
  expect(response.status).toBe("OK");
  expect(response.tracks.length).toBeGreaterThanOrEqual(rotation ? rotation.count : 1);
  let period = rotation?.firstIndex ?? 0;
  let typesInPeriod = new Set<string>();
  for (const track of response.tracks) {
    if (rotation) {
      expect(track.crypto_period_index).toBeTypeOf("number");
      if (track.crypto_period_index !== period) {
        expect(track.crypto_period_index).toBe(period + 1);
        period++;
        typesInPeriod = new Set();
      }
    }
    expect(typesInPeriod.has(track.type)).toBe(false);
    typesInPeriod.add(track.type);
    expect(bytes(track.key)).toHaveLength(16);
    expect(bytes(track.key_id)).toHaveLength(16);
    expect(track.pssh).toHaveLength(1); // "Expecting one and only one pssh"
  }
}

describe("Widevine CENC response: what Shaka Packager accepts", () => {
  it("answers Shaka's CENC request with one track per type, each with key_id, key, iv and one WIDEVINE pssh", async () => {
    const response = await issue(shaka.instantiated.request_cenc);
    assertShakaAccepts(response);
    expect(response.tracks.map((track) => track.type)).toEqual(["SD", "HD", "UHD1", "UHD2", "AUDIO"]);
    const track = response.tracks[0]!;
    expect(Object.keys(track)).toEqual(["type", "key_id", "key", "iv", "pssh"]);
    expect(track.pssh[0]!.drm_type).toBe("WIDEVINE");
  });

  it("answers Shaka's rotation request with ten periods from index 7, five tracks each", async () => {
    const response = await issue(shaka.instantiated.key_rotation.first_rotation_request_cenc);
    assertShakaAccepts(response, { firstIndex: 7, count: 10 });
    expect(response.tracks).toHaveLength(50);
    expect(response.tracks.at(-1)!.crypto_period_index).toBe(16);
  });

  it("writes the inner JSON like Google's serializer: status first, proto field names, no iv-less tracks", async () => {
    const response = await issue(shaka.instantiated.request_cbcs);
    expect(Object.keys(response)).toEqual(["status", "drm", "tracks", "content_id"]);
    expect(response.drm).toEqual([{ type: "WIDEVINE", system_id: "edef8ba9-79d6-4ace-a3c8-27dcd51d21ed" }]);
    expect(new TextDecoder().decode(bytes(response.content_id))).toBe("ContentFoo");
  });

  it('wraps the inner JSON as {"response": base64} that decodes back to the same object', async () => {
    const response = await issue(shaka.instantiated.request_cenc);
    const wrapped = encodeSignedResponse(response);
    expect(Object.keys(wrapped)).toEqual(["response"]);
    expect(JSON.parse(new TextDecoder().decode(bytes(wrapped.response)))).toEqual(response);
  });
});

describe("Widevine CENC response: keys, IVs and Widevine signalling", () => {
  it("derives each key from the seed and Key ID, and the IV from deriveIv", async () => {
    const response = await issue({ content_id: btoa("CID:123"), tracks: [{ type: "SD" }, { type: "AUDIO" }], protection_scheme: "CBCS" });
    for (const track of response.tracks) {
      const kid = KeyId.fromBytes(bytes(track.key_id));
      expect(toHex(bytes(track.key))).toBe(toHex((await deriveContentKey(SEED, kid)).bytes));
      expect(toHex(bytes(track.iv))).toBe(toHex((await deriveIv(SEED, kid, 16)).bytes));
    }
  });

  it.each([
    ["CENC", ["WIDEVINE"], 8],
    ["CENS", ["WIDEVINE", "PLAYREADY"], 8],
    [undefined, ["WIDEVINE"], 8],
    ["CBCS", ["WIDEVINE"], 16],
    ["CBC1", ["WIDEVINE"], 16],
    ["CENC", ["WIDEVINE", "FAIRPLAY"], 16],
    [undefined, ["FAIRPLAY"], 16],
  ])(
    "issues for protection_scheme %s with drm_types %j an IV of %i bytes, a prefix of the 16-byte one",
    async (scheme, drmTypes, length) => {
      const response = await issue({
        content_id: btoa("CID:123"),
        tracks: [{ type: "SD" }],
        drm_types: drmTypes,
        ...(scheme && { protection_scheme: scheme }),
      });
      const track = response.tracks[0]!;
      expect(bytes(track.iv)).toHaveLength(length);
      const full = await deriveIv(SEED, KeyId.fromBytes(bytes(track.key_id)), 16);
      expect(toHex(bytes(track.iv))).toBe(toHex(full.bytes.subarray(0, length)));
    },
  );

  it("gives every track of a GUID content_id the same Key ID, key and IV", async () => {
    const response = await issue({ content_id: btoa(KID), tracks: [{ type: "SD" }, { type: "HD" }, { type: "AUDIO" }] });
    expect(new Set(response.tracks.map((track) => `${track.key_id}|${track.key}|${track.iv}`)).size).toBe(1);
    expect(KeyId.fromBytes(bytes(response.tracks[0]!.key_id)).toString()).toBe(KID);
  });

  it("puts WidevinePsshData (this Key ID, content_id, provider, scheme) in data and the v0 box in boxes", async () => {
    const response = await issue(shaka.instantiated.request_cbcs, { widevineProvider: "acme" });
    const track = response.tracks[0]!;
    const data = parseWidevinePsshData(bytes(track.pssh[0]!.data));
    if ("reason" in data) throw new Error(data.detail);
    expect(data.keyIds.map((kid) => kid.toBase64())).toEqual([track.key_id]);
    expect(new TextDecoder().decode(data.contentId)).toBe("ContentFoo");
    expect(data.provider).toBe("acme");
    expect(data.protectionScheme).toBe("cbcs");
    const box = parsePsshBox(bytes(track.pssh[0]!.boxes));
    if ("reason" in box) throw new Error(box.detail);
    expect(box.version).toBe(0);
    expect(box.systemId.equals(SYSTEM_IDS.widevine)).toBe(true);
    expect(toHex(box.data)).toBe(toHex(bytes(track.pssh[0]!.data)));
  });

  it("leaves protection_scheme out of the Widevine data when the request names none", async () => {
    const response = await issue({ content_id: btoa("CID:123"), tracks: [{ type: "SD" }] });
    const data = parseWidevinePsshData(bytes(response.tracks[0]!.pssh[0]!.data));
    expect("reason" in data || data.protectionScheme).toBeUndefined();
  });
});

describe("Widevine CENC response: PlayReady and FairPlay (Axinom extensions)", () => {
  const axinomRequest = {
    content_id: btoa(KID),
    tracks: [{ type: "SD" }],
    drm_types: ["WIDEVINE", "PLAYREADY", "FAIRPLAY"],
    protection_scheme: "CENC",
  };

  it.each([[["WIDEVINE", "PLAYREADY", "FAIRPLAY"]], [["FAIRPLAY", "WIDEVINE"]], [["PLAYREADY"]], [["PLAYREADY", "WIDEVINE"]]])(
    "lists pssh entries only for %j, in that order",
    async (drmTypes) => {
      const response = await issue({ ...axinomRequest, drm_types: drmTypes });
      expect(response.tracks[0]!.pssh.map((entry) => entry.drm_type)).toEqual(drmTypes);
      expect(response.drm.map((entry) => entry.type)).toEqual(drmTypes);
    },
  );

  it("answers the seed script's request: key_id = the KID, 16-byte iv, Widevine then PlayReady pssh, skd_uri", async () => {
    const response = await issue(axinomRequest);
    const track = response.tracks[0]!;
    expect(KeyId.fromBytes(bytes(track.key_id)).toString()).toBe(KID);
    expect(toHex(bytes(track.key))).toBe(toHex((await deriveContentKey(SEED, KeyId.require(KID))).bytes));
    expect(bytes(track.iv)).toHaveLength(16);
    expect(track.pssh.map((entry) => entry.drm_type)).toEqual(["WIDEVINE", "PLAYREADY", "FAIRPLAY"]);
    expect(track.skd_uri).toBe(`skd://${KID}:${toHex(bytes(track.iv)).toUpperCase()}`);
  });

  it("puts the PlayReady Object in data (for mp4split --iss.drm_specific_data), the PSSH box in boxes, and the checksum beside them", async () => {
    const response = await issue(axinomRequest, { playReadyLaUrl: "https://pr.example.com/rightsmanager.asmx" });
    const entry = response.tracks[0]!.pssh[1]!;
    const pro = parsePlayReadyObject(bytes(entry.data));
    if ("reason" in pro) throw new Error(pro.detail);
    const kid = KeyId.require(KID);
    expect(pro.wrmHeader).toContain(`<KID>${btoa(String.fromCharCode(...kid.guidBytes()))}</KID>`);
    expect(pro.wrmHeader).toContain(`<CHECKSUM>${entry.checksum}</CHECKSUM>`);
    expect(pro.wrmHeader).toContain("<LA_URL>https://pr.example.com/rightsmanager.asmx</LA_URL>");
    expect(bytes(entry.checksum)).toHaveLength(8);
    const box = parsePsshBox(bytes(entry.boxes));
    if ("reason" in box) throw new Error(box.detail);
    expect(box.systemId.equals(SYSTEM_IDS.playReady)).toBe(true);
    expect(toHex(box.data)).toBe(toHex(bytes(entry.data)));
  });

  it("omits the PlayReady checksum for CBCS, where AESCBC has none", async () => {
    const response = await issue({ ...axinomRequest, protection_scheme: "CBCS" });
    const entry = response.tracks[0]!.pssh[1]!;
    expect(entry.checksum).toBeUndefined();
    const pro = parsePlayReadyObject(bytes(entry.data));
    expect("reason" in pro || pro.wrmHeader).toContain('ALGID="AESCBC"');
  });

  it("gives FairPlay its system's PSSH entry and a track-level skd_uri from the tenant's template", async () => {
    const response = await issue({ ...axinomRequest, drm_types: ["FAIRPLAY"] }, { fairPlayUriTemplate: "skd://keys.example.com/{kidHex}" });
    const track = response.tracks[0]!;
    expect(track.pssh.map((entry) => entry.drm_type)).toEqual(["FAIRPLAY"]);
    expect(track.skd_uri).toBe(`skd://keys.example.com/${KeyId.require(KID).toHex()}`);
  });

  it("adds no skd_uri when FairPlay was not requested", async () => {
    const response = await issue({ ...axinomRequest, drm_types: ["WIDEVINE", "PLAYREADY"] });
    expect(response.tracks[0]!.skd_uri).toBeUndefined();
  });

  it("refuses with ACCESS_DENIED naming the setting when the tenant's FairPlay template is unusable", async () => {
    const parsed = parseCommonEncryptionRequest(utf8(JSON.stringify(axinomRequest)));
    if (!parsed.ok) throw new Error("unreachable");
    const issued = await issueCommonEncryptionKeys({
      request: parsed.value,
      tenantId: TENANT,
      seed: SEED,
      settings: { fairPlayUriTemplate: "https://{nope}" },
    });
    expect(issued.ok).toBe(false);
    if (!issued.ok)
      expect(failureResponse(issued.failure)).toMatchObject({
        status: "ACCESS_DENIED",
        status_message: expect.stringContaining("fairPlayUriTemplate"),
      });
  });
});

describe("Widevine CENC failure responses", () => {
  const failures: WidevineCencFailure[] = [
    { reason: "malformed-request", field: "request", rule: "must be JSON" },
    { reason: "request-unsigned", missing: "signature" },
    { reason: "signature-mismatch" },
    { reason: "unknown-signer" },
    { reason: "signer-mismatch" },
    { reason: "no-key-seed" },
    { reason: "content-id-missing" },
    { reason: "too-many-content-specifiers", fields: ["content_id", "asset_id"] },
    { reason: "track-type-missing", field: "tracks" },
    { reason: "track-type-unknown", field: "tracks[0].type" },
    { reason: "no-requested-crypto-periods" },
    { reason: "invalid-argument", field: "policy", rule: "must be a string" },
    { reason: "unsupported", field: "asset_id", detail: "no" },
    { reason: "drm-signalling-failed", drmType: "FAIRPLAY", detail: "no" },
    { reason: "tenant-setting-invalid", setting: "playReadyLaUrl", rule: "must be absolute" },
    { reason: "internal-error" },
  ];

  it.each(failures)("renders $reason as a status Shaka's proto knows, with a message and no tracks", (failure) => {
    const answer = failureResponse(failure);
    expect(shakaStatuses).toContain(answer.status);
    expect(answer.status).not.toBe("OK");
    expect(answer.status_message.length).toBeGreaterThan(0);
    expect(Object.keys(answer)).toEqual(["status", "status_message"]);
  });

  it("uses INTERNAL_ERROR, the one status Shaka retries, only for internal faults", () => {
    expect(failures.filter((failure) => failureResponse(failure).status === "INTERNAL_ERROR").map((f) => f.reason)).toEqual([
      "internal-error",
    ]);
  });
});

/** `CommonEncryptionResponse.Status` in Shaka's `widevine_common_encryption.proto`. */
const shakaStatuses = [
  "OK",
  "SIGNATURE_FAILED",
  "CONTENT_ID_MISSING",
  "POLICY_UNKNOWN",
  "TRACK_TYPE_MISSING",
  "TRACK_TYPE_UNKNOWN",
  "MALFORMED_REQUEST",
  "ACCESS_DENIED",
  "INTERNAL_ERROR",
  "INVALID_WIDEVINE_PSSH",
  "TOO_MANY_CONTENT_SPECIFIERS",
  "ASSET_NOT_FOUND",
  "ASSET_MISSING_KEY",
  "CONTENT_ID_MISMATCH",
  "KEY_ID_MISMATCH",
  "INVALID_GROUP_TRACK_TYPE",
  "KEY_ROTATION_WITH_UNSUPPORTED_DRM_TYPE",
  "NO_REQUESTED_CRYPTO_PERIODS",
];
