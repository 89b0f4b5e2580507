/**
 * Bounded work per Widevine CENC request (src/domain/request-limits.ts): the largest request the limits allow
 * (5 track types × 100 crypto periods × 3 drm_types) is answered with default settings; with every tenant setting
 * at its longest it would pass the 16 MiB answer budget and is refused before the answer is rendered; a
 * `content_id`, which every track's Widevine PSSH data repeats, is refused over 1 KiB.
 */
import { describe, expect, it } from "vitest";
import { fromBase64, utf8 } from "../../src/domain/bytes";
import { keySeedFromBytes } from "../../src/domain/content-key";
import { MAX_ANSWER_BYTES, MAX_CRYPTO_PERIOD_COUNT, MAX_WIDEVINE_CONTENT_ID_BYTES } from "../../src/domain/request-limits";
import { encodeSignedResponse } from "../../src/protocols/widevine-cenc/envelope";
import { failureResponse } from "../../src/protocols/widevine-cenc/failure";
import { issueCommonEncryptionKeys, type WidevineCencSignallingSettings } from "../../src/protocols/widevine-cenc/issue";
import { parseCommonEncryptionRequest, TRACK_TYPES } from "../../src/protocols/widevine-cenc/request";

const TENANT = "0b6c5a8e-1f0e-4a57-9d55-3a3d8d1b9c01";
/** Microsoft's published test key seed (PlayReady test servers), 30 bytes. */
const SEED = keySeedFromBytes(fromBase64("XVBovsmzhP9gRIZxWfFta3VVRPzVEWmJsazEJ46I")!);

/** Every track type, every drm_type, the most crypto periods: the largest request the limits allow. */
const LARGEST_REQUEST = {
  content_id: btoa("c".repeat(MAX_WIDEVINE_CONTENT_ID_BYTES)),
  tracks: TRACK_TYPES.map((type) => ({ type })),
  drm_types: ["WIDEVINE", "PLAYREADY", "FAIRPLAY"],
  protection_scheme: "CBCS",
  first_crypto_period_index: 0,
  crypto_period_count: MAX_CRYPTO_PERIOD_COUNT,
};

function parse(json: object) {
  const parsed = parseCommonEncryptionRequest(utf8(JSON.stringify(json)));
  if (!parsed.ok) throw new Error(`invalid test request: ${parsed.failure.reason}`);
  return parsed.value;
}

describe("Widevine CENC limits", () => {
  it(`reads a content_id of ${MAX_WIDEVINE_CONTENT_ID_BYTES} bytes and refuses one byte more, naming the limit`, () => {
    expect(parse(LARGEST_REQUEST).contentId).toHaveLength(MAX_WIDEVINE_CONTENT_ID_BYTES);
    const parsed = parseCommonEncryptionRequest(
      utf8(JSON.stringify({ ...LARGEST_REQUEST, content_id: btoa("c".repeat(MAX_WIDEVINE_CONTENT_ID_BYTES + 1)) })),
    );
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      expect(failureResponse(parsed.failure)).toEqual({
        status: "MALFORMED_REQUEST",
        status_message: `content_id must be at most ${MAX_WIDEVINE_CONTENT_ID_BYTES} bytes, got ${MAX_WIDEVINE_CONTENT_ID_BYTES + 1}`,
      });
    }
  });

  it("answers the largest request the limits allow with default settings: 500 keys, 3 PSSH entries each, within the budget", async () => {
    const issued = await issueCommonEncryptionKeys({ request: parse(LARGEST_REQUEST), tenantId: TENANT, seed: SEED, settings: {} });
    if (!issued.ok) throw new Error(issued.failure.reason);
    expect(issued.value.response.tracks).toHaveLength(TRACK_TYPES.length * MAX_CRYPTO_PERIOD_COUNT);
    expect(issued.value.response.tracks.every((track) => track.pssh.length === 3)).toBe(true);
    expect(JSON.stringify(encodeSignedResponse(issued.value.response)).length).toBeLessThanOrEqual(MAX_ANSWER_BYTES);
  });

  it("refuses it, naming the 16 MiB budget, when every tenant setting is at its longest", async () => {
    const settings: WidevineCencSignallingSettings = {
      widevineProvider: "p".repeat(2048),
      playReadyLaUrl: `https://license.example.com/${"a".repeat(2048 - 28)}`,
      fairPlayUriTemplate: `skd://${"{ivHex}".repeat(291)}`,
    };
    const issued = await issueCommonEncryptionKeys({ request: parse(LARGEST_REQUEST), tenantId: TENANT, seed: SEED, settings });
    expect(issued.ok).toBe(false);
    if (!issued.ok) {
      expect(failureResponse(issued.failure)).toEqual({
        status: "MALFORMED_REQUEST",
        status_message: `the answer would exceed ${MAX_ANSWER_BYTES} bytes, the most one response carries; ask for fewer crypto periods or drm_types per request`,
      });
    }
  });
});
