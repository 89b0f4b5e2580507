import { describe, expect, it } from "vitest";
import { readCpix } from "../../src/cpix/reader";
import { toBase64Url } from "../../src/domain/bytes";
import { KeyId } from "../../src/domain/key-id";
import { deriveContentKey } from "../../src/domain/key-derivation";
import { SYSTEM_IDS } from "../../src/drm/system-ids";
import sample from "../fixtures/cpix/samples/vendor-pallycon/anevia-get-dash-response.xml?raw";
import { api } from "./support/api";
import { TEST_SEED, tenantWithTestSeed } from "./support/tenant-with-seed";

const KID_AUDIO = "00000000-0000-0000-0000-111111111111";
const KID_VIDEO = "00000000-0000-0000-0000-222222222222";
/** The CPIX Configuration example of the Axinom Key Service docs, Anevia. */
const CONFIG = {
  ContentKeyIds: [KID_AUDIO, KID_VIDEO],
  DrmSystemIds: [SYSTEM_IDS.fairPlay.toString(), SYSTEM_IDS.playReady.toString(), SYSTEM_IDS.widevine.toString()],
  ContentKeyUsageRules: [
    { KeyId: KID_AUDIO, AudioFilters: [{}] },
    { KeyId: KID_VIDEO, VideoFilters: [{ minPixels: 0, maxPixels: 2073600 }] },
  ],
};
const encode = (value: unknown) => toBase64Url(new TextEncoder().encode(typeof value === "string" ? value : JSON.stringify(value)));

async function readAnswer(response: Response) {
  expect(response.status).toBe(200);
  const read = readCpix(new TextEncoder().encode(await response.text()));
  if (!read.ok) throw new Error("unreadable");
  return read.document;
}

describe("GET /api/Anevia?id=<base64url JSON> (Anevia NEA-DVR)", () => {
  it("answers every requested key for every requested system, with the usage rules passed through", async () => {
    const tenant = await tenantWithTestSeed();
    const document = await readAnswer(await api(tenant, "GET", `/api/Anevia?id=${encode(CONFIG)}`));
    const keys = document.contentKeyList!.items;
    expect(keys.map((key) => key.kid.toString())).toEqual([KID_AUDIO, KID_VIDEO]);
    expect(keys[0]!.value!.bytes).toEqual((await deriveContentKey(TEST_SEED, KeyId.require(KID_AUDIO))).bytes);
    expect(keys.every((key) => key.explicitIV?.bytes.length === 16)).toBe(true);
    const systems = document.drmSystemList!.items;
    expect(systems).toHaveLength(6);
    expect(systems.filter((system) => system.systemId.equals(SYSTEM_IDS.widevine)).every((system) => system.pssh)).toBe(true);
    expect(
      systems.filter((system) => system.systemId.equals(SYSTEM_IDS.fairPlay)).every((system) => system.hlsSignalingData.length > 0),
    ).toBe(true);
    const rules = document.contentKeyUsageRuleList!.items;
    expect(rules.map((rule) => rule.kid.toString())).toEqual([KID_AUDIO, KID_VIDEO]);
    expect(rules[0]!.audioFilters).toEqual([{}]);
    expect(rules[1]!.videoFilters).toEqual([{ minPixels: 0, maxPixels: 2073600 }]);
  });

  it("answers in the shape another Anevia key service does (explicitIV on ContentKey, PSSH per DRMSystem)", async () => {
    const reference = readCpix(new TextEncoder().encode(sample));
    if (!reference.ok) throw new Error("sample unreadable");
    const tenant = await tenantWithTestSeed();
    const config = { ContentKeyIds: [KID_VIDEO], DrmSystemIds: [SYSTEM_IDS.playReady.toString(), SYSTEM_IDS.widevine.toString()] };
    const document = await readAnswer(await api(tenant, "GET", `/api/anevia?id=${encode(config)}`));
    for (const ours of [document, reference.document]) {
      expect(ours.contentKeyList!.items[0]!.explicitIV?.bytes.length).toBe(16);
      expect(ours.drmSystemList!.items.map((system) => system.systemId.toString())).toEqual([
        SYSTEM_IDS.playReady.toString(),
        SYSTEM_IDS.widevine.toString(),
      ]);
      expect(ours.drmSystemList!.items.every((system) => system.pssh !== undefined)).toBe(true);
    }
  });

  it("gives fresh IVs by default and the same IVs with fixedIv=true", async () => {
    const tenant = await tenantWithTestSeed();
    const ivs = async (query: string) =>
      (await readAnswer(await api(tenant, "GET", `/api/Anevia?id=${encode(CONFIG)}${query}`))).contentKeyList!.items.map((key) =>
        Array.from(key.explicitIV!.bytes).join(","),
      );
    expect(await ivs("&fixedIv=true")).toEqual(await ivs("&fixedIv=TRUE"));
    expect(await ivs("")).not.toEqual(await ivs(""));
    expect(await ivs("&fixedIv=false")).not.toEqual(await ivs("&fixedIv=true"));
  });

  it.each([
    ["no id", "", /id=<url-safe base64/],
    ["an id that is not base64url", "?id=abc%2B%2F", /not url-safe base64/],
    ["an id that is not JSON", `?id=${encode("{not json")}`, /does not decode to UTF-8 JSON/],
    ["a JSON array", `?id=${encode([1])}`, /must be a JSON object/],
    [
      "missing ContentKeyIds",
      `?id=${encode({ DrmSystemIds: [SYSTEM_IDS.widevine.toString()] })}`,
      /ContentKeyIds must be a non-empty array/,
    ],
    ["a Key ID that is not a UUID", `?id=${encode({ ...CONFIG, ContentKeyIds: ["abc"] })}`, /Each of ContentKeyIds must be a UUID/],
    ["missing DrmSystemIds", `?id=${encode({ ContentKeyIds: [KID_AUDIO] })}`, /DrmSystemIds must be a non-empty array/],
    [
      "an unknown system",
      `?id=${encode({ ...CONFIG, DrmSystemIds: ["11111111-2222-3333-4444-555555555555"] })}`,
      /DrmSystemIds names 11111111-2222-3333-4444-555555555555, which is not supported/,
    ],
    [
      "a rule for a key not requested",
      `?id=${encode({ ...CONFIG, ContentKeyUsageRules: [{ KeyId: "00000000-0000-0000-0000-333333333333" }] })}`,
      /ContentKeyUsageRules\[0\]\.KeyId .* is not one of ContentKeyIds/,
    ],
    [
      "a filter with a bad bound",
      `?id=${encode({ ...CONFIG, ContentKeyUsageRules: [{ KeyId: KID_VIDEO, VideoFilters: [{ maxPixels: "big" }] }] })}`,
      /VideoFilters\[0\]\.maxPixels must be a non-negative integer/,
    ],
    ["a bad fixedIv", `?id=${encode(CONFIG)}&fixedIv=yes`, /fixedIv must be true or false/],
  ])("refuses %s with 422 in text/plain", async (_case, query, message) => {
    const tenant = await tenantWithTestSeed();
    const response = await api(tenant, "GET", `/api/Anevia${query}`);
    expect(response.status).toBe(422);
    expect(response.headers.get("Content-Type")).toBe("text/plain; charset=utf-8");
    expect(await response.text()).toMatch(message);
  });

  it("requires tenant credentials", async () => {
    const tenant = await tenantWithTestSeed();
    const response = await api({ ...tenant, authorization: "Basic Zm9vOmJhcg==" }, "GET", `/api/Anevia?id=${encode(CONFIG)}`);
    expect(response.status).toBe(401);
  });
});
