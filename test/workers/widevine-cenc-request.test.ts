import { describe, expect, it } from "vitest";
import shaka from "../fixtures/vectors/widevine-cenc-api-shaka-unittest.json";
import { utf8 } from "../../src/domain/bytes";
import { failureResponse } from "../../src/protocols/widevine-cenc/failure";
import { MAX_CRYPTO_PERIOD_COUNT } from "../../src/domain/request-limits";
import { parseCommonEncryptionRequest, type CommonEncryptionRequest } from "../../src/protocols/widevine-cenc/request";

/** Golden requests: Shaka Packager's WidevineKeySource unit test (test/fixtures/vectors, provenance in test/fixtures/SOURCES.md). */
const requests = shaka.instantiated;
const ALL_TRACKS = ["SD", "HD", "UHD1", "UHD2", "AUDIO"];

function parse(json: string | object) {
  return parseCommonEncryptionRequest(utf8(typeof json === "string" ? json : JSON.stringify(json)));
}

function parsed(json: string | object): CommonEncryptionRequest {
  const result = parse(json);
  if (!result.ok) throw new Error(`expected a valid request, got ${result.failure.reason}`);
  return result.value;
}

function wireFailure(json: string | object) {
  const result = parse(json);
  if (result.ok) throw new Error("expected the request to be refused");
  return failureResponse(result.failure);
}

describe("Widevine CENC request parsing: Shaka's own requests", () => {
  it.each([
    ["request_cenc", "cenc"],
    ["request_cbcs", "cbcs"],
    ["request_cens", "cens"],
    ["request_cbc1", "cbc1"],
  ] as const)("reads Shaka's %s with its content id, policy, five tracks and scheme", (name, scheme) => {
    const request = parsed(requests[name]);
    expect(new TextDecoder().decode(request.contentId)).toBe(shaka.constants.kContentId);
    expect(request.policy).toBe(shaka.constants.kPolicy);
    expect(request.tracks).toEqual(ALL_TRACKS);
    expect(request.drmTypes).toEqual(["WIDEVINE"]);
    expect(request.protectionScheme).toBe(scheme);
    expect(request.cryptoPeriods).toBeUndefined();
  });

  it("reads Shaka's key-rotation request as periods 7..16 of 100 s", () => {
    const request = parsed(requests.key_rotation.first_rotation_request_cenc);
    expect(request.cryptoPeriods).toEqual({ firstIndex: 7, count: 10, seconds: 100 });
    expect(request.protectionScheme).toBe("cenc");
  });

  // The body Shaka Packager 3.4.2 sent to a local mock key server (`--content_id 3031323334353637`, no policy).
  it("reads the request Shaka 3.4.2 sends with an empty policy", () => {
    const request = parsed(
      '{"content_id":"MDEyMzQ1Njc=","policy":"","tracks":[{"type":"SD"},{"type":"HD"},{"type":"UHD1"},{"type":"UHD2"},{"type":"AUDIO"}],"drm_types":["WIDEVINE"],"protection_scheme":"CENC"}',
    );
    expect(request.policy).toBe("");
    expect(request.tracks).toHaveLength(5);
  });

  it.each([
    ["pssh_data (decryption mode)", requests.request_with_pssh_data_from_pssh_box, "pssh_data"],
    ["asset_id (Widevine Classic)", requests.request_classic_asset_id, "asset_id"],
    ["enable_entitlement_license", requests.request_entitlement_cenc, "enable_entitlement_license"],
  ])("tells a valid but unsupported %s request apart from an invalid one", (_, json, field) => {
    const answer = wireFailure(json);
    expect(answer.status).toBe("MALFORMED_REQUEST");
    expect(answer.status_message).toContain(`${field} is valid but not supported`);
  });
});

describe("Widevine CENC request parsing: defaults and proto3 JSON forms", () => {
  const minimal = { content_id: btoa("CID:123"), tracks: [{ type: "SD" }] };

  it("reads Axinom's minimal request: WIDEVINE only, no scheme, no policy", () => {
    const request = parsed(minimal);
    expect(request.drmTypes).toEqual(["WIDEVINE"]);
    expect(request.protectionScheme).toBeUndefined();
    expect(request.policy).toBe("");
  });

  it("treats an empty drm_types list as [WIDEVINE] (proto: 'An empty list implies [ WIDEVINE ]')", () => {
    expect(parsed({ ...minimal, drm_types: [] }).drmTypes).toEqual(["WIDEVINE"]);
  });

  it("keeps drm_types in request order", () => {
    expect(parsed({ ...minimal, drm_types: ["FAIRPLAY", "WIDEVINE", "PLAYREADY"] }).drmTypes).toEqual([
      "FAIRPLAY",
      "WIDEVINE",
      "PLAYREADY",
    ]);
  });

  it("accepts lowerCamelCase names, numeric enums, URL-safe base64 and decimal-string uint32s", () => {
    const request = parsed({
      contentId: "_-8",
      tracks: [{ type: "AUDIO" }],
      drmTypes: [0],
      protectionScheme: 0x63626373,
      firstCryptoPeriodIndex: "3",
      cryptoPeriodCount: 2,
    });
    expect([...request.contentId]).toEqual([0xff, 0xef]);
    expect(request.drmTypes).toEqual(["WIDEVINE"]);
    expect(request.protectionScheme).toBe("cbcs");
    expect(request.cryptoPeriods).toEqual({ firstIndex: 3, count: 2 });
  });

  it("treats UNSPECIFIED like an absent scheme", () => {
    expect(parsed({ ...minimal, protection_scheme: "UNSPECIFIED" }).protectionScheme).toBeUndefined();
  });

  it("defaults crypto_period_count to 1 when only first_crypto_period_index is given (proto default)", () => {
    expect(parsed({ ...minimal, first_crypto_period_index: 0 }).cryptoPeriods).toEqual({ firstIndex: 0, count: 1 });
  });

  it("keeps video_feature and ignores unknown fields and group_id", () => {
    const request = parsed({ ...minimal, video_feature: "HDR", group_id: "AAEC", something_new: { nested: true } });
    expect(request.videoFeature).toBe("HDR");
  });
});

describe("Widevine CENC request parsing: each broken field is named", () => {
  const valid = { content_id: btoa("CID:123"), tracks: [{ type: "SD" }, { type: "AUDIO" }] };

  it.each([
    ["text that is not JSON", "MALFORMED_REQUEST", "request", "{not json"],
    ["a JSON array", "MALFORMED_REQUEST", "request", "[]"],
    ["no content specifier", "CONTENT_ID_MISSING", "content_id", { tracks: [{ type: "SD" }] }],
    ["an empty content_id", "CONTENT_ID_MISSING", "content_id", { ...valid, content_id: "" }],
    ["content_id that is not base64", "MALFORMED_REQUEST", "content_id", { ...valid, content_id: "!!!" }],
    ["content_id and pssh_data", "TOO_MANY_CONTENT_SPECIFIERS", "content_id, pssh_data", { ...valid, pssh_data: "IgpDb250ZW50Rm9v" }],
    ["no tracks", "TRACK_TYPE_MISSING", "tracks", { content_id: valid.content_id }],
    ["an empty track list", "TRACK_TYPE_MISSING", "tracks", { ...valid, tracks: [] }],
    ["tracks that is not a list", "MALFORMED_REQUEST", "tracks", { ...valid, tracks: "SD" }],
    ["a track without type", "TRACK_TYPE_MISSING", "tracks[1].type", { ...valid, tracks: [{ type: "SD" }, {}] }],
    ["an unknown track type", "TRACK_TYPE_UNKNOWN", "tracks[0].type", { ...valid, tracks: [{ type: "4K" }] }],
    ["a lower-case track type", "TRACK_TYPE_UNKNOWN", "tracks[0].type", { ...valid, tracks: [{ type: "sd" }] }],
    ["a repeated track type", "MALFORMED_REQUEST", "tracks[1].type", { ...valid, tracks: [{ type: "SD" }, { type: "SD" }] }],
    ["an unknown drm type", "MALFORMED_REQUEST", "drm_types[1]", { ...valid, drm_types: ["WIDEVINE", "CLEARKEY"] }],
    ["a repeated drm type", "MALFORMED_REQUEST", "drm_types[1]", { ...valid, drm_types: ["WIDEVINE", "WIDEVINE"] }],
    ["an unknown protection scheme", "MALFORMED_REQUEST", "protection_scheme", { ...valid, protection_scheme: "AES" }],
    ["a policy that is not a string", "MALFORMED_REQUEST", "policy", { ...valid, policy: 5 }],
    [
      "a zero crypto_period_count",
      "NO_REQUESTED_CRYPTO_PERIODS",
      "crypto_period_count",
      { ...valid, first_crypto_period_index: 0, crypto_period_count: 0 },
    ],
    [
      "too many crypto periods",
      "MALFORMED_REQUEST",
      "crypto_period_count",
      { ...valid, first_crypto_period_index: 0, crypto_period_count: MAX_CRYPTO_PERIOD_COUNT + 1 },
    ],
    ["crypto_period_count without a first index", "MALFORMED_REQUEST", "first_crypto_period_index", { ...valid, crypto_period_count: 10 }],
    ["a negative first index", "MALFORMED_REQUEST", "first_crypto_period_index", { ...valid, first_crypto_period_index: -1 }],
    ["a fractional first index", "MALFORMED_REQUEST", "first_crypto_period_index", { ...valid, first_crypto_period_index: 1.5 }],
    [
      "periods past uint32",
      "MALFORMED_REQUEST",
      "first_crypto_period_index",
      { ...valid, first_crypto_period_index: 0xffffffff, crypto_period_count: 2 },
    ],
    [
      "crypto_period_seconds that is not a number",
      "MALFORMED_REQUEST",
      "crypto_period_seconds",
      { ...valid, first_crypto_period_index: 0, crypto_period_seconds: "2s" },
    ],
  ])("refuses %s with %s naming %s", (_, status, field, json) => {
    const answer = wireFailure(json);
    expect(answer.status).toBe(status);
    expect(answer.status_message).toContain(field);
  });

  it("answers bytes that are not UTF-8 as a malformed request", () => {
    const result = parseCommonEncryptionRequest(Uint8Array.of(0x7b, 0xff, 0x7d));
    expect(result.ok || failureResponse(result.failure).status).toBe("MALFORMED_REQUEST");
  });
});
