import { describe, expect, it } from "vitest";
import { SYSTEM_IDS } from "../../src/drm/system-ids";
import { AUDIO_KID, KID, VALID_SPEKE_V2 as VALID, expectNothingChanged, removeElement, tenantState } from "./support/cpix-requests";
import { sample } from "./support/samples";
import { TEST_SEED, postCpix, tenantWithTestSeed } from "./support/tenant-with-seed";
import { readCpix } from "../../src/cpix/reader";
import { utf8 } from "../../src/domain/bytes";
import { deriveContentKey } from "../../src/domain/key-derivation";
import { decryptContentKeys } from "../../src/cpix/security/delivery-decryption";
import { dashifCert1DecryptionKey } from "./support/dashif-keys";

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

/**
 * Removals the SPEKE v2 verification suite expects a 4xx for (test_negative_cases.py) that only SPEKE v2 refuses:
 * its profile requires exactly one of each list. The removals every CPIX protocol refuses are in
 * cpix-acquisition.errors.test.ts.
 */
const SPEKE_V2_ONLY_NEGATIVES: [string, (xml: string) => string, string][] = [
  [
    "DRMSystemList removed",
    (xml) => removeElement(xml, /<cpix:DRMSystemList>[\s\S]*<\/cpix:DRMSystemList>/),
    "DRMSystemList is missing; SPEKE v2 requires exactly one",
  ],
  ["every DRMSystem removed", (xml) => removeElement(xml, /<cpix:DRMSystem [\s\S]*?<\/cpix:DRMSystem>/g), "DRMSystemList has no DRMSystem"],
  [
    "every ContentKeyUsageRule removed",
    (xml) => removeElement(xml, /<cpix:ContentKeyUsageRule [\s\S]*?<\/cpix:ContentKeyUsageRule>/g),
    "Missing CPIX encryption contract",
  ],
];

describe("SPEKE v2 errors", () => {
  it("accepts the valid base request (so each case below fails for its own reason)", async () => {
    const tenant = await tenantWithTestSeed();
    expect((await postCpix(tenant, "/api/SpekeV2", VALID, { "X-Speke-Version": "2.0" })).status).toBe(200);
  });

  it.each(SPEKE_TABLE)("answers %s with 422 and the exact SPEKE message", async (_case, mutate, message) => {
    const tenant = await tenantWithTestSeed();
    const before = await tenantState(tenant);
    const response = await postCpix(tenant, "/api/SpekeV2", mutate(VALID), { "X-Speke-Version": "2.0" });
    expect(response.status).toBe(422);
    expect(await response.text()).toBe(message);
    expect(response.headers.get("X-AxDRM-ErrorMessage")).toBe(message);
    expect(response.headers.get("X-Speke-Version")).toBe("2.0");
    await expectNothingChanged(tenant, before);
  });

  it.each(SPEKE_V2_ONLY_NEGATIVES)("answers %s with 422 naming the missing part, and changes nothing", async (_case, mutate, message) => {
    const tenant = await tenantWithTestSeed();
    const before = await tenantState(tenant);
    const response = await postCpix(tenant, "/api/SpekeV2", mutate(VALID), { "X-Speke-Version": "2.0" });
    expect(response.status).toBe(422);
    expect(await response.text()).toBe(message);
    expect(response.headers.get("X-AxDRM-ErrorMessage")).toBe(message);
    await expectNothingChanged(tenant, before);
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

  it("answers a request asking for encrypted keys (DeliveryData) with encrypted keys, never in clear", async () => {
    const tenant = await tenantWithTestSeed();
    const response = await postCpix(tenant, "/api/Cpix", sample("dashif-cpix-test-vectors/EncryptedContentKeys.xml"));
    expect(response.status).toBe(200);
    const body = await response.text();
    expect(body).not.toContain("PlainValue");
    expect(body).toContain("EncryptedValue");
    const read = readCpix(utf8(body));
    if (!read.ok) throw new Error(JSON.stringify(read.failure));
    const decrypted = await decryptContentKeys(read.document, await dashifCert1DecryptionKey());
    if (!decrypted.ok) throw new Error(JSON.stringify(decrypted.failure));
    for (const key of decrypted.keys) expect(key.value.bytes).toEqual((await deriveContentKey(TEST_SEED, key.kid)).bytes);
  });

  it("refuses a wrong overrideKeyIds value with Axinom's message", async () => {
    const tenant = await tenantWithTestSeed();
    const response = await postCpix(tenant, "/api/SpekeV2?overrideKeyIds=yes", VALID, { "X-Speke-Version": "2.0" });
    expect(response.status).toBe(422);
    expect(await response.text()).toMatch(/The 'overrideKeyIds' parameter has an incorrect value/);
  });
});
