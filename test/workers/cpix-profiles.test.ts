import { describe, expect, it } from "vitest";
import { KeyId } from "../../src/domain/key-id";
import type { CpixDocument } from "../../src/cpix/model";
import { SYSTEM_IDS } from "../../src/drm/system-ids";
import type { CpixProfile } from "../../src/protocols/cpix/profile";
import { CPIX_GET } from "../../src/protocols/cpix/profiles/cpix-get";
import { PLAIN_CPIX } from "../../src/protocols/cpix/profiles/plain-cpix";
import { spekeV1Profile } from "../../src/protocols/cpix/profiles/speke-v1";
import { SPEKE_V2_PROFILES } from "../../src/protocols/cpix/profiles/speke-v2";

const KID = KeyId.require("2fd4c9a5-7a27-4d45-9d62-5b3c7f04e1d1");
const OTHER_KID = KeyId.require("a5e1f0c2-9b1d-4c1e-8f7a-3d2b6c4e5f60");

/** Every CPIX profile, with the CPIX version its requests carry. */
const PROFILES: [string, CpixProfile, string][] = [
  ["SPEKE v2.0", SPEKE_V2_PROFILES["2.0"], "2.3"],
  ["SPEKE v2.1", SPEKE_V2_PROFILES["2.1"], "2.4"],
  ["SPEKE v1", spekeV1Profile(undefined), "2.3"],
  ["SPEKE v1 with cbcs", spekeV1Profile("cbcs"), "2.3"],
  ["plain CPIX", PLAIN_CPIX, "2.3"],
  ["CPIX GET", CPIX_GET, "2.3"],
];

function request(version: string, drmSystemKid: KeyId): CpixDocument {
  return {
    contentId: "profile-contract",
    version,
    contentKeyList: { items: [{ kid: KID, commonEncryptionScheme: "cbcs" }] },
    drmSystemList: { items: [{ systemId: SYSTEM_IDS.widevine, kid: drmSystemKid, hlsSignalingData: [], extensions: [] }] },
  };
}

describe.each(PROFILES)("the %s profile", (_name, profile, version) => {
  it("refuses a DRMSystem whose kid no ContentKey has, as answering relies on", () => {
    expect(profile.check(request(version, OTHER_KID))).toEqual({
      reason: "invalid-request",
      message: `DRMSystem ${SYSTEM_IDS.widevine} names kid ${OTHER_KID}, which no ContentKey has`,
    });
  });

  it("answers a document it accepts itself, except SPEKE v2 with a CPIX 2.2-style document", () => {
    expect(profile.answeredAs?.(request(version, KID))).toBeUndefined();
    const { version: _version, contentId: _contentId, ...cpix22 } = request(version, KID);
    expect(profile.answeredAs?.(cpix22)?.name).toBe(profile.name.startsWith("speke-v2") ? "cpix-via-speke-v2" : undefined);
  });
});
