import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { SYSTEM_IDS } from "../../src/drm/system-ids";
import { snapshotKey } from "../../src/tenancy/snapshot";
import { api } from "./support/api";
import { sample } from "./support/samples";
import { postCpix, tenantWithTestSeed } from "./support/tenant-with-seed";

const KID = "0f083e4e-b831-4a3d-917e-ce78076e1234";
const AUDIO_KID = "1f083e4e-b831-4a3d-917e-ce78076e1234";

/** A valid SPEKE v2.0 request (one video, one audio key, Widevine), mutated by each case below. */
const VALID = `<?xml version="1.0" encoding="UTF-8"?>
<cpix:CPIX contentId="content-1" version="2.3" xmlns:cpix="urn:dashif:org:cpix" xmlns:pskc="urn:ietf:params:xml:ns:keyprov:pskc">
  <cpix:ContentKeyList>
    <cpix:ContentKey kid="${KID}" commonEncryptionScheme="cenc"/>
    <cpix:ContentKey kid="${AUDIO_KID}" commonEncryptionScheme="cenc"/>
  </cpix:ContentKeyList>
  <cpix:DRMSystemList>
    <cpix:DRMSystem kid="${KID}" systemId="${SYSTEM_IDS.widevine}"><cpix:PSSH/></cpix:DRMSystem>
    <cpix:DRMSystem kid="${AUDIO_KID}" systemId="${SYSTEM_IDS.widevine}"><cpix:PSSH/></cpix:DRMSystem>
  </cpix:DRMSystemList>
  <cpix:ContentKeyUsageRuleList>
    <cpix:ContentKeyUsageRule kid="${KID}" intendedTrackType="VIDEO"><cpix:VideoFilter/></cpix:ContentKeyUsageRule>
    <cpix:ContentKeyUsageRule kid="${AUDIO_KID}" intendedTrackType="AUDIO"><cpix:AudioFilter/></cpix:ContentKeyUsageRule>
  </cpix:ContentKeyUsageRuleList>
</cpix:CPIX>`;

const removeElement = (xml: string, pattern: RegExp) => {
  const out = xml.replace(pattern, "");
  if (out === xml) throw new Error(`pattern ${pattern} matched nothing`);
  return out;
};

/** The SPEKE v2 error table (AWS SPEKE v2 docs, speke-constraints-v2): the exact body text, status 422. */
const SPEKE_TABLE: [string, (xml: string) => string, string][] = [
  ["CPIX@contentId missing", (xml) => xml.replace(' contentId="content-1"', ""), "Missing CPIX@contentId"],
  ["CPIX@version missing", (xml) => xml.replace(' version="2.3"', ""), "Missing CPIX@version"],
  ["CPIX@version 4.0", (xml) => xml.replace('version="2.3"', 'version="4.0"'), "Unsupported CPIX@version"],
  ["CPIX@version 2.4 on SPEKE 2.0", (xml) => xml.replace('version="2.3"', 'version="2.4"'), "Unsupported CPIX@version"],
  [
    "commonEncryptionScheme missing",
    (xml) => xml.replace(`kid="${KID}" commonEncryptionScheme="cenc"`, `kid="${KID}"`),
    `Missing ContentKey@commonEncryptionScheme for KID ${KID}`,
  ],
  [
    "two schemes in one document",
    (xml) => xml.replace(`kid="${AUDIO_KID}" commonEncryptionScheme="cenc"`, `kid="${AUDIO_KID}" commonEncryptionScheme="cbcs"`),
    "Non compliant ContentKey@commonEncryptionScheme combination",
  ],
  [
    "FairPlay with cenc",
    (xml) => xml.replace(`systemId="${SYSTEM_IDS.widevine}"><cpix:PSSH/>`, `systemId="${SYSTEM_IDS.fairPlay}">`),
    `ContentKey@commonEncryptionScheme non compatible with DRMSystem ${SYSTEM_IDS.fairPlay}`,
  ],
  [
    "ContentKeyUsageRuleList missing",
    (xml) => removeElement(xml, /<cpix:ContentKeyUsageRuleList>[\s\S]*<\/cpix:ContentKeyUsageRuleList>/),
    "Missing CPIX encryption contract",
  ],
  [
    "both filters removed",
    (xml) => xml.replace("<cpix:VideoFilter/>", "").replace("<cpix:AudioFilter/>", ""),
    "Missing CPIX encryption contract",
  ],
  ["one rule without a filter", (xml) => xml.replace("<cpix:VideoFilter/>", ""), "Malformed encryption contract"],
  ["intendedTrackType removed", (xml) => xml.replace(' intendedTrackType="VIDEO"', ""), "Malformed encryption contract"],
  [
    "an unknown intendedTrackType",
    (xml) => xml.replace('intendedTrackType="VIDEO"', 'intendedTrackType="HOLOGRAM"'),
    "Malformed encryption contract",
  ],
  [
    "ALL next to other track types",
    (xml) => xml.replace('intendedTrackType="VIDEO"', 'intendedTrackType="ALL"'),
    "Malformed encryption contract",
  ],
  [
    "two rules with the same track type",
    (xml) => xml.replace('intendedTrackType="AUDIO"', 'intendedTrackType="VIDEO"'),
    "Malformed encryption contract",
  ],
  [
    "a rule filtering on an unknown period",
    (xml) => xml.replace("<cpix:VideoFilter/>", '<cpix:KeyPeriodFilter periodId="nowhere"/><cpix:VideoFilter/>'),
    "Malformed encryption contract",
  ],
  [
    "a LabelFilter",
    (xml) => xml.replace("<cpix:VideoFilter/>", '<cpix:LabelFilter label="x"/><cpix:VideoFilter/>'),
    "Requested CPIX encryption contract not supported",
  ],
  [
    "Clear Key AES-128 with cenc",
    (xml) => xml.replace(`systemId="${SYSTEM_IDS.widevine}"><cpix:PSSH/>`, `systemId="${SYSTEM_IDS.clearKeyAes128}">`),
    `ContentKey@commonEncryptionScheme non compatible with DRMSystem ${SYSTEM_IDS.clearKeyAes128}`,
  ],
];

/** More removals the SPEKE v2 verification suite expects a 4xx for (test_negative_cases.py). */
const SUITE_NEGATIVES: [string, (xml: string) => string][] = [
  ["ContentKeyList removed", (xml) => removeElement(xml, /<cpix:ContentKeyList>[\s\S]*<\/cpix:ContentKeyList>/)],
  ["DRMSystemList removed", (xml) => removeElement(xml, /<cpix:DRMSystemList>[\s\S]*<\/cpix:DRMSystemList>/)],
  ["every ContentKey removed", (xml) => removeElement(xml, /<cpix:ContentKey kid[^>]*\/>/g)],
  ["every DRMSystem removed", (xml) => removeElement(xml, /<cpix:DRMSystem [\s\S]*?<\/cpix:DRMSystem>/g)],
  ["every ContentKeyUsageRule removed", (xml) => removeElement(xml, /<cpix:ContentKeyUsageRule [\s\S]*?<\/cpix:ContentKeyUsageRule>/g)],
  ["ContentKey@kid removed", (xml) => xml.replace(`<cpix:ContentKey kid="${KID}" `, "<cpix:ContentKey ")],
  ["DRMSystem@systemId removed", (xml) => xml.replace(` systemId="${SYSTEM_IDS.widevine}"`, "")],
  [
    "DRMSystem@kid pointing at no key",
    (xml) => xml.replace(`<cpix:DRMSystem kid="${KID}"`, '<cpix:DRMSystem kid="99999999-b831-4a3d-917e-ce78076e1234"'),
  ],
  ["an unknown DRM system", (xml) => xml.replace(`systemId="${SYSTEM_IDS.widevine}"`, 'systemId="5e629af5-38da-4063-8977-97ffbd9902d4"')],
  ["a kid that is not a UUID", (xml) => xml.replace(`<cpix:ContentKey kid="${KID}"`, '<cpix:ContentKey kid="not-a-uuid"')],
  [
    "an explicitIV of 12 bytes",
    (xml) =>
      xml.replace(`kid="${KID}" commonEncryptionScheme="cenc"`, `kid="${KID}" commonEncryptionScheme="cenc" explicitIV="AAAAAAAAAAAAAAAA"`),
  ],
  ["an unknown scheme", (xml) => xml.replace(/commonEncryptionScheme="cenc"/g, 'commonEncryptionScheme="ctr1"')],
  ["an empty body", () => ""],
];

async function expectNothingChanged(tenantId: string, before: string | null) {
  expect(await env.SNAPSHOTS.get(snapshotKey(tenantId))).toBe(before);
}

describe("SPEKE v2 errors", () => {
  it("accepts the valid base request (so each case below fails for its own reason)", async () => {
    const tenant = await tenantWithTestSeed();
    expect((await postCpix(tenant, "/api/SpekeV2", VALID, { "X-Speke-Version": "2.0" })).status).toBe(200);
  });

  it.each(SPEKE_TABLE)("answers %s with 422 and the exact SPEKE message", async (_case, mutate, message) => {
    const tenant = await tenantWithTestSeed();
    const before = await env.SNAPSHOTS.get(snapshotKey(tenant.tenantId));
    const response = await postCpix(tenant, "/api/SpekeV2", mutate(VALID), { "X-Speke-Version": "2.0" });
    expect(response.status).toBe(422);
    expect(await response.text()).toBe(message);
    expect(response.headers.get("X-AxDRM-ErrorMessage")).toBe(message);
    expect(response.headers.get("X-Speke-Version")).toBe("2.0");
    await expectNothingChanged(tenant.tenantId, before);
  });

  it.each(SUITE_NEGATIVES)("answers %s with a 4xx that names the problem", async (_case, mutate) => {
    const tenant = await tenantWithTestSeed();
    const response = await postCpix(tenant, "/api/SpekeV2", mutate(VALID), { "X-Speke-Version": "2.0" });
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
    const text = await response.text();
    expect(text.length).toBeGreaterThan(10);
    expect(response.headers.get("X-AxDRM-ErrorMessage")).toBe(text);
  });

  it.each([
    ["missing", undefined, "the header is missing"],
    ["1.0", "1.0", 'got "1.0"'],
    ["2.2", "2.2", 'got "2.2"'],
    ["garbage", "two", 'got "two"'],
  ])(
    "answers an X-Speke-Version %s with 422 Unsupported SPEKE version naming the header and the supported values",
    async (_case, version, got) => {
      const tenant = await tenantWithTestSeed();
      const response = await postCpix(tenant, "/api/SpekeV2", VALID, version === undefined ? {} : { "X-Speke-Version": version });
      expect(response.status).toBe(422);
      expect(await response.text()).toBe(`Unsupported SPEKE version: X-Speke-Version must be one of 2.0, 2.1; ${got}`);
    },
  );

  it.each([
    ["general/3_negative_wrong_version_spekev2_dash_widevine.xml", "Unsupported CPIX@version"],
    ["general/4_spekev2_negative_preset_shared_video.xml", "Malformed encryption contract"],
    ["general/5_spekev2_negative_preset_shared_audio.xml", "Malformed encryption contract"],
  ])("refuses the reference suite's negative request %s", async (file, message) => {
    const tenant = await tenantWithTestSeed();
    const response = await postCpix(tenant, "/api/SpekeV2", sample(`aws-speke-reference-server/spekev2_requests/${file}`), {
      "X-Speke-Version": "2.0",
    });
    expect(response.status).toBe(422);
    expect(await response.text()).toBe(message);
  });

  it("answers malformed XML with 400 saying where it broke", async () => {
    const tenant = await tenantWithTestSeed();
    const response = await postCpix(tenant, "/api/SpekeV2", VALID.replace("</cpix:ContentKeyList>", "</cpix:ContentKeyLis>"), {
      "X-Speke-Version": "2.0",
    });
    expect(response.status).toBe(400);
    expect(await response.text()).toMatch(/^Malformed XML: .*(line|offset|ContentKeyList)/i);
  });

  it("answers a body over 1 MiB with 413", async () => {
    const tenant = await tenantWithTestSeed();
    const padding = `<!--${"x".repeat(1024 * 1024)}-->`;
    const response = await postCpix(tenant, "/api/SpekeV2", VALID.replace("<cpix:ContentKeyList>", `${padding}<cpix:ContentKeyList>`), {
      "X-Speke-Version": "2.0",
    });
    expect(response.status).toBe(413);
  });

  it("refuses a request asking for encrypted keys (DeliveryData) instead of sending them in clear", async () => {
    const tenant = await tenantWithTestSeed();
    const response = await postCpix(tenant, "/api/Cpix", sample("dashif-cpix-test-vectors/EncryptedContentKeys.xml"));
    expect(response.status).toBe(422);
    expect(await response.text()).toMatch(/DeliveryDataList\) is not supported yet/);
  });

  it("refuses a wrong overrideKeyIds value with Axinom's message", async () => {
    const tenant = await tenantWithTestSeed();
    const response = await postCpix(tenant, "/api/SpekeV2?overrideKeyIds=yes", VALID, { "X-Speke-Version": "2.0" });
    expect(response.status).toBe(422);
    expect(await response.text()).toMatch(/The 'overrideKeyIds' parameter has an incorrect value/);
  });

  it("never puts key material in an error", async () => {
    const tenant = await tenantWithTestSeed();
    const ok = await (await postCpix(tenant, "/api/SpekeV2", VALID, { "X-Speke-Version": "2.0" })).text();
    const key = /<pskc:PlainValue>([^<]+)</.exec(ok)![1]!;
    for (const [, mutate] of SPEKE_TABLE) {
      const response = await postCpix(tenant, "/api/SpekeV2", mutate(VALID), { "X-Speke-Version": "2.0" });
      expect(await response.text()).not.toContain(key);
    }
    expect((await api(tenant, "GET", "/api/Logs")).status).toBe(200);
  });
});
