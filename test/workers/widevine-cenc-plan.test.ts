import { describe, expect, it } from "vitest";
import shaka from "../fixtures/vectors/widevine-cenc-api-shaka-unittest.json";
import { toBase64, utf8 } from "../../src/domain/bytes";
import { KeyId } from "../../src/domain/key-id";
import { stableKeyId } from "../../src/domain/stable-key-id";
import { planTracks } from "../../src/protocols/widevine-cenc/plan";
import { parseCommonEncryptionRequest, type CommonEncryptionRequest } from "../../src/protocols/widevine-cenc/request";

const TENANT = "0b6c5a8e-1f0e-4a57-9d55-3a3d8d1b9c01";
const OTHER_TENANT = "7d1f4c22-5b1a-4d2e-8a3f-c0ffee000002";
const KID = "0b350c08-4bcb-4b96-a873-8c24f6e991c5";

function request(json: object): CommonEncryptionRequest {
  const result = parseCommonEncryptionRequest(utf8(JSON.stringify(json)));
  if (!result.ok) throw new Error(`invalid test request: ${result.failure.reason}`);
  return result.value;
}

const allTracks = [{ type: "SD" }, { type: "HD" }, { type: "UHD1" }, { type: "UHD2" }, { type: "AUDIO" }];

describe("Key IDs for a GUID content_id (Axinom: keyId = contentId for all tracks)", () => {
  it.each([
    ["text with dashes", utf8(KID)],
    ["upper-case text with dashes", utf8(KID.toUpperCase())],
    ["16 raw bytes in RFC 4122 order", KeyId.require(KID).bytes],
  ])("uses the GUID given as %s as every track's Key ID", async (_, contentId) => {
    const plan = await planTracks(request({ content_id: toBase64(contentId), tracks: allTracks }), TENANT);
    expect(plan.map((entry) => entry.trackType)).toEqual(["SD", "HD", "UHD1", "UHD2", "AUDIO"]);
    for (const entry of plan) {
      expect(entry.kid.toString()).toBe(KID);
      expect(entry.cryptoPeriodIndex).toBeUndefined();
    }
  });

  it("is the same Key ID for every tenant (the client chose it)", async () => {
    const json = { content_id: btoa(KID), tracks: [{ type: "SD" }] };
    const [a, b] = await Promise.all([planTracks(request(json), TENANT), planTracks(request(json), OTHER_TENANT)]);
    expect(a[0]!.kid.equals(b[0]!.kid)).toBe(true);
  });

  it.each([
    ["32 hex digits without dashes", "0b350c084bcb4b96a8738c24f6e991c5"],
    ["a GUID in braces", `{${KID}}`],
    ["a GUID with trailing text", `${KID} `],
  ])("does not treat %s as a GUID", async (_, text) => {
    const plan = await planTracks(request({ content_id: btoa(text), tracks: [{ type: "SD" }] }), TENANT);
    expect(plan[0]!.kid.toString()).not.toBe(KID);
  });
});

describe("Key IDs for any other content_id: stableKeyId(tenant, [widevine-cenc, content_id, track, period])", () => {
  const contentId = btoa("CID:123");

  it("hashes exactly the documented parts, period 0 without rotation", async () => {
    const plan = await planTracks(request({ content_id: contentId, tracks: [{ type: "HD" }] }), TENANT);
    const expected = await stableKeyId(TENANT, ["widevine-cenc", contentId, "HD", "0"]);
    expect(plan[0]!.kid.toString()).toBe(expected.toString());
  });

  it("normalises the content_id to standard base64 before hashing, so URL-safe or unpadded input gives the same Key ID", async () => {
    const bytes = Uint8Array.of(0xfb, 0xff, 0xfe, 0x10);
    const standard = toBase64(bytes);
    const urlSafe = standard.replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
    const [a, b] = await Promise.all([
      planTracks(request({ content_id: standard, tracks: [{ type: "SD" }] }), TENANT),
      planTracks(request({ content_id: urlSafe, tracks: [{ type: "SD" }] }), TENANT),
    ]);
    expect(a[0]!.kid.equals(b[0]!.kid)).toBe(true);
  });

  it("differs per track and is stable across calls", async () => {
    const json = { content_id: contentId, tracks: allTracks };
    const [first, second] = await Promise.all([planTracks(request(json), TENANT), planTracks(request(json), TENANT)]);
    expect(new Set(first.map((entry) => entry.kid.toHex())).size).toBe(5);
    expect(first.map((entry) => entry.kid.toHex())).toEqual(second.map((entry) => entry.kid.toHex()));
  });

  it("differs per tenant", async () => {
    const json = { content_id: contentId, tracks: [{ type: "SD" }] };
    const [a, b] = await Promise.all([planTracks(request(json), TENANT), planTracks(request(json), OTHER_TENANT)]);
    expect(a[0]!.kid.equals(b[0]!.kid)).toBe(false);
  });

  it("is an RFC 9562 version-8 UUID", async () => {
    const [entry] = await planTracks(request({ content_id: contentId, tracks: [{ type: "SD" }] }), TENANT);
    expect(entry!.kid.toString()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it("gives HDR video its own Key IDs but leaves AUDIO alone (proto video_feature: 'Ignored for tracks with type AUDIO')", async () => {
    const tracks = [{ type: "SD" }, { type: "AUDIO" }];
    const [plain, hdr] = await Promise.all([
      planTracks(request({ content_id: contentId, tracks }), TENANT),
      planTracks(request({ content_id: contentId, tracks, video_feature: "HDR" }), TENANT),
    ]);
    expect(plain[0]!.kid.equals(hdr[0]!.kid)).toBe(false);
    expect(plain[1]!.kid.equals(hdr[1]!.kid)).toBe(true);
  });
});

describe("Key rotation plan", () => {
  it("lists Shaka's request (periods 7..16, five tracks) period by period in request track order", async () => {
    const result = parseCommonEncryptionRequest(utf8(shaka.instantiated.key_rotation.first_rotation_request_cenc));
    if (!result.ok) throw new Error("Shaka's rotation request must parse");
    const plan = await planTracks(result.value, TENANT);
    expect(plan).toHaveLength(50);
    plan.forEach((entry, i) => {
      expect(entry.cryptoPeriodIndex).toBe(7 + Math.floor(i / 5));
      expect(entry.trackType).toBe(["SD", "HD", "UHD1", "UHD2", "AUDIO"][i % 5]);
    });
    expect(new Set(plan.map((entry) => entry.kid.toHex())).size).toBe(50);
  });

  it("gives period p the Key ID of stableKeyId(..., track, p), so overlapping requests agree", async () => {
    const contentId = btoa("live-channel-1");
    const [early, late] = await Promise.all([
      planTracks(
        request({ content_id: contentId, tracks: [{ type: "SD" }], first_crypto_period_index: 0, crypto_period_count: 10 }),
        TENANT,
      ),
      planTracks(
        request({ content_id: contentId, tracks: [{ type: "SD" }], first_crypto_period_index: 9, crypto_period_count: 10 }),
        TENANT,
      ),
    ]);
    expect(early[9]!.kid.equals(late[0]!.kid)).toBe(true);
    expect(early[9]!.kid.toString()).toBe((await stableKeyId(TENANT, ["widevine-cenc", contentId, "SD", "9"])).toString());
  });

  it("matches the unrotated request's Key IDs in period 0 (Shaka asks once without rotation first)", async () => {
    const json = { content_id: btoa("live-channel-1"), tracks: [{ type: "SD" }, { type: "AUDIO" }] };
    const [plain, rotated] = await Promise.all([
      planTracks(request(json), TENANT),
      planTracks(request({ ...json, first_crypto_period_index: 0, crypto_period_count: 2 }), TENANT),
    ]);
    expect(rotated.slice(0, 2).map((entry) => entry.kid.toHex())).toEqual(plain.map((entry) => entry.kid.toHex()));
  });

  it("uses hashed Key IDs even for a GUID content_id, so each period gets its own key", async () => {
    const plan = await planTracks(
      request({ content_id: btoa(KID), tracks: [{ type: "SD" }], first_crypto_period_index: 0, crypto_period_count: 3 }),
      TENANT,
    );
    expect(new Set(plan.map((entry) => entry.kid.toHex())).size).toBe(3);
    expect(plan.some((entry) => entry.kid.toString() === KID)).toBe(false);
  });
});
