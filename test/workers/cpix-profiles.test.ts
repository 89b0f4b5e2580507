import { describe, expect, it } from "vitest";
import { KeyId } from "../../src/domain/key-id";
import { PROTECTION_SCHEMES } from "../../src/domain/protection-scheme";
import type { CpixDocument } from "../../src/cpix/model";
import { SYSTEM_IDS } from "../../src/drm/system-ids";
import type { CpixProfile } from "../../src/protocols/cpix/profile";
import { ANEVIA } from "../../src/protocols/cpix/profiles/anevia";
import { BROADPEAK } from "../../src/protocols/cpix/profiles/broadpeak";
import { CPIX_GET } from "../../src/protocols/cpix/profiles/cpix-get";
import { HARMONIC } from "../../src/protocols/cpix/profiles/harmonic";
import { PLAIN_CPIX } from "../../src/protocols/cpix/profiles/plain-cpix";
import { spekeV1Profile } from "../../src/protocols/cpix/profiles/speke-v1";
import { SPEKE_V2_PROFILES } from "../../src/protocols/cpix/profiles/speke-v2";

const KID = KeyId.require("2fd4c9a5-7a27-4d45-9d62-5b3c7f04e1d1");
const OTHER_KID = KeyId.require("a5e1f0c2-9b1d-4c1e-8f7a-3d2b6c4e5f60");

/** The profile SPEKE v2 hands a CPIX 2.2-style document (neither version nor contentId) to. */
const CPIX_VIA_SPEKE_V2 = SPEKE_V2_PROFILES["2.0"].answeredAs!({ contentKeyList: { items: [] } })!;

/**
 * Every CPIX profile, with the CPIX version its requests carry: each route's (src/protocols/cpix/routes.ts), SPEKE v1
 * under each `?protectionScheme=`, and the one SPEKE v2 hands documents to. Harmonic's requests carry no version;
 * Anevia's and CPIX GET's are built from the URL as CPIX 2.3.
 */
const PROFILES: [string, CpixProfile, string | undefined][] = [
  ["SPEKE v2.0", SPEKE_V2_PROFILES["2.0"], "2.3"],
  ["SPEKE v2.1", SPEKE_V2_PROFILES["2.1"], "2.4"],
  ["SPEKE v2 for a CPIX 2.2-style document", CPIX_VIA_SPEKE_V2, undefined],
  ["SPEKE v1", spekeV1Profile(undefined), "2.3"],
  ...PROTECTION_SCHEMES.map((scheme): [string, CpixProfile, string] => [`SPEKE v1 with ${scheme}`, spekeV1Profile(scheme), "2.3"]),
  ["plain CPIX", PLAIN_CPIX, "2.3"],
  ["CPIX GET", CPIX_GET, "2.3"],
  ["Anevia", ANEVIA, "2.3"],
  ["Broadpeak", BROADPEAK, "2.3"],
  ["Harmonic", HARMONIC, undefined],
];

/** Each profile module's exports: the profiles themselves, records of them, or functions that make them. */
const PROFILE_MODULES = import.meta.glob<Record<string, unknown>>("../../src/protocols/cpix/profiles/*.ts", { eager: true });

function isProfile(value: unknown): value is CpixProfile {
  return typeof value === "object" && value !== null && typeof (value as CpixProfile).check === "function";
}

/** The profiles an export is or holds (a record such as SPEKE_V2_PROFILES); none for a function or a constant. */
function profilesIn(value: unknown): CpixProfile[] {
  if (isProfile(value)) return [value];
  const members = typeof value === "object" && value !== null ? Object.values(value) : [];
  return members.length > 0 && members.every(isProfile) ? members : [];
}

function request(version: string | undefined, drmSystemKid: KeyId): CpixDocument {
  return {
    contentId: "profile-contract",
    ...(version !== undefined && { version }),
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

describe("the table above", () => {
  it("holds every profile a module under src/protocols/cpix/profiles/ exports, so a new one is held to the contract", () => {
    const exported = Object.values(PROFILE_MODULES).flatMap((module) => Object.values(module).flatMap(profilesIn));
    expect(exported.length).toBeGreaterThanOrEqual(7);
    const listed = new Set(PROFILES.map(([, profile]) => profile));
    expect(exported.filter((profile) => !listed.has(profile)).map((profile) => profile.name)).toEqual([]);
  });
});
