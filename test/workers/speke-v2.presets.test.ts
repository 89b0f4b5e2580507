import { describe, expect, it } from "vitest";
import presets from "../fixtures/cpix/speke-v2-presets.json";
import { readCpix } from "../../src/cpix/reader";
import { deriveContentKey } from "../../src/domain/key-derivation";
import { SYSTEM_IDS } from "../../src/drm/system-ids";
import { TEST_SEED, postCpix, tenantWithTestSeed } from "./support/tenant-with-seed";

/** A preset's rules as the presets file gives them (test/fixtures/cpix/speke-v2-presets.json). */
type PresetRule = { intendedTrackType: string; VideoFilter?: Record<string, number>; AudioFilter?: Record<string, number> };

/** The presets that are lists of rules (SHARED and UNENCRYPTED are described in words in the file). */
function rulePresets(table: Record<string, unknown>): [string, PresetRule[]][] {
  return Object.entries(table).filter((entry) => Array.isArray(entry[1])) as [string, PresetRule[]][];
}
const videoPresets = rulePresets(presets.video_presets);
const audioPresets = rulePresets(presets.audio_presets);

function filter(name: "VideoFilter" | "AudioFilter", attributes: Record<string, number>): string {
  return `<cpix:${name}${Object.entries(attributes)
    .map(([key, value]) => ` ${key}="${value}"`)
    .join("")}/>`;
}

/** A SPEKE v2.0 request for a video × audio preset pair, live (one key period), as MediaPackage sends it. */
function presetRequest(video: PresetRule[], audio: PresetRule[]): { xml: string; kids: string[] } {
  const rules = [...video, ...audio];
  const kids = rules.map(() => crypto.randomUUID());
  const xml = `<?xml version="1.0" encoding="UTF-8"?>
<cpix:CPIX xmlns:cpix="urn:dashif:org:cpix" xmlns:pskc="urn:ietf:params:xml:ns:keyprov:pskc" contentId="preset-test" version="2.3">
<cpix:ContentKeyList>${kids.map((kid) => `<cpix:ContentKey kid="${kid}" commonEncryptionScheme="cbcs"/>`).join("")}</cpix:ContentKeyList>
<cpix:DRMSystemList>${kids
    .flatMap((kid) =>
      [SYSTEM_IDS.widevine, SYSTEM_IDS.playReady, SYSTEM_IDS.fairPlay].map(
        (system) => `<cpix:DRMSystem kid="${kid}" systemId="${system}"/>`,
      ),
    )
    .join("")}</cpix:DRMSystemList>
<cpix:ContentKeyPeriodList><cpix:ContentKeyPeriod id="keyPeriod_1" index="1"/></cpix:ContentKeyPeriodList>
<cpix:ContentKeyUsageRuleList>${rules
    .map(
      (rule, i) =>
        `<cpix:ContentKeyUsageRule kid="${kids[i]}" intendedTrackType="${rule.intendedTrackType}"><cpix:KeyPeriodFilter periodId="keyPeriod_1"/>${
          rule.VideoFilter ? filter("VideoFilter", rule.VideoFilter) : ""
        }${rule.AudioFilter ? filter("AudioFilter", rule.AudioFilter) : ""}</cpix:ContentKeyUsageRule>`,
    )
    .join("")}</cpix:ContentKeyUsageRuleList>
</cpix:CPIX>`;
  return { xml, kids };
}

describe("every SPEKE v2 encryption-contract preset", () => {
  const pairs = videoPresets.flatMap(([videoName, video]) =>
    audioPresets.map(([audioName, audio]) => [`${videoName} + ${audioName}`, video, audio] as const),
  );

  it.each(pairs)("answers %s with one key per rule and the contract echoed unchanged", async (_name, video, audio) => {
    const tenant = await tenantWithTestSeed();
    const { xml, kids } = presetRequest(video, audio);
    const response = await postCpix(tenant, "/api/SpekeV2", xml, { "X-Speke-Version": "2.0" });
    const body = await response.text();
    expect(response.status, body).toBe(200);
    const request = readCpix(new TextEncoder().encode(xml));
    const answer = readCpix(new TextEncoder().encode(body));
    if (!request.ok || !answer.ok) throw new Error("unreadable");
    expect(answer.document.contentKeyUsageRuleList).toEqual(request.document.contentKeyUsageRuleList);
    expect(answer.document.contentKeyPeriodList).toEqual(request.document.contentKeyPeriodList);
    expect(answer.document.contentKeyList!.items.map((key) => key.kid.toString())).toEqual(kids);
    for (const key of answer.document.contentKeyList!.items) {
      expect(key.value!.bytes).toEqual((await deriveContentKey(TEST_SEED, key.kid)).bytes);
    }
    expect(answer.document.drmSystemList!.items).toHaveLength(kids.length * 3);
  });

  it("answers the SHARED preset (one ALL key with bare filters)", async () => {
    const tenant = await tenantWithTestSeed();
    const { xml } = presetRequest([{ intendedTrackType: "ALL", VideoFilter: {}, AudioFilter: {} }], []);
    expect((await postCpix(tenant, "/api/SpekeV2", xml, { "X-Speke-Version": "2.0" })).status).toBe(200);
  });
});
