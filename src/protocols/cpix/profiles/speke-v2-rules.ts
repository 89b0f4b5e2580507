import { isHlsKeyMethod, protectionSchemeOf, type ProtectionScheme } from "../../../domain/protection-scheme";
import type { CpixContentKey, CpixContentKeyUsageRule, CpixDocument } from "../../../cpix/model";
import type { AcquisitionFailure, SpekeErrorMessage } from "../failure";
import { checkKeysAndSystems, schemeNameRefused } from "../structure";

/** SPEKE v2.0 is the CPIX 2.3 profile, v2.1 the CPIX 2.4 one (AWS SPEKE docs, "SPEKE API v2" and "SPEKE API v2.1"). */
export const SPEKE_CPIX_VERSIONS = { "2.0": "2.3", "2.1": "2.4" } as const;
export type SpekeV2Version = keyof typeof SPEKE_CPIX_VERSIONS;

const speke = (message: SpekeErrorMessage): AcquisitionFailure => ({ reason: "speke", message });
const invalid = (message: string): AcquisitionFailure => ({ reason: "invalid-request", message });

/**
 * The SPEKE v2 CPIX profile (AWS SPEKE v2 docs: speke-constraints-v2, standard-payload-components-v2,
 * encryption-contract-v2), checked in the order of the SPEKE error table so each refusal carries its exact
 * message: the first rule broken, or undefined when the request keeps them all.
 */
export function checkSpekeV2Request(document: CpixDocument, spekeVersion: SpekeV2Version): AcquisitionFailure | undefined {
  if (document.contentId === undefined || document.contentId === "") return speke("Missing CPIX@contentId");
  if (document.version === undefined || document.version === "") return speke("Missing CPIX@version");
  if (document.version !== SPEKE_CPIX_VERSIONS[spekeVersion]) return speke("Unsupported CPIX@version");

  const keys = document.contentKeyList?.items ?? [];
  if (!document.contentKeyList) return invalid("ContentKeyList is missing; SPEKE v2 requires exactly one");
  if (keys.length === 0) return invalid("ContentKeyList has no ContentKey");
  if (!document.drmSystemList) return invalid("DRMSystemList is missing; SPEKE v2 requires exactly one");
  if (document.drmSystemList.items.length === 0) return invalid("DRMSystemList has no DRMSystem");

  const schemes = new Set<ProtectionScheme>();
  for (const key of keys) {
    const name = key.commonEncryptionScheme;
    if (name === undefined) return speke(`Missing ContentKey@commonEncryptionScheme for KID ${key.kid}`);
    // SPEKE v2.1 (CPIX 2.4) may name a scheme by its HLS METHOD (AWS SPEKE v2.1 docs, "Changes from SPEKE v2.0").
    if (isHlsKeyMethod(name) && spekeVersion !== "2.1") return schemeNameRefused(key.kid);
    schemes.add(protectionSchemeOf(name));
  }
  // speke-constraints-v2: "A CPIX document shall not mix several commonEncryptionScheme values".
  if (schemes.size > 1) return speke("Non compliant ContentKey@commonEncryptionScheme combination");

  const structure = checkKeysAndSystems(document);
  if (structure) return structure;
  // Scheme ↔ DRM compatibility (FairPlay is cbcs only, Clear Key AES-128 CBC only) is checked where the
  // signalling is built (src/drm/signalling.ts), with the same SPEKE message for every protocol.

  return checkEncryptionContract(document, keys);
}

/** Track types a SPEKE v2 encryption contract may name (encryption-contract-v2, speke-v2-presets.json). */
const TRACK_TYPE =
  /^(ALL|VIDEO|AUDIO|SD|HD|HD1|HD2|UHD|UHD1|UHD2|STEREO_AUDIO|MULTICHANNEL_AUDIO|MULTICHANNEL_AUDIO_3_6|MULTICHANNEL_AUDIO_7)(\+(SD|HD|HD1|HD2|UHD|UHD1|UHD2|STEREO_AUDIO|MULTICHANNEL_AUDIO|MULTICHANNEL_AUDIO_3_6|MULTICHANNEL_AUDIO_7))*$/;

/**
 * The encryption contract (AWS SPEKE v2 docs, encryption-contract-v2): a rule per key with a unique
 * intendedTrackType and at least one VideoFilter or AudioFilter; `ALL` alone; periods it filters on exist.
 */
function checkEncryptionContract(document: CpixDocument, keys: readonly CpixContentKey[]): AcquisitionFailure | undefined {
  const rules = document.contentKeyUsageRuleList?.items ?? [];
  const everyFilterMissing = rules.every((rule) => rule.videoFilters.length === 0 && rule.audioFilters.length === 0);
  if (rules.length === 0 || everyFilterMissing) return speke("Missing CPIX encryption contract");
  const kids = new Set(keys.map((key) => key.kid.toString()));
  const periodIds = new Set((document.contentKeyPeriodList?.items ?? []).map((period) => period.id).filter((id) => id !== undefined));
  const trackTypesByPeriod = new Map<string, Set<string>>();
  for (const rule of rules) {
    if (!ruleIsWellFormed(rule, kids, periodIds)) return speke("Malformed encryption contract");
    // SPEKE supports neither LabelFilter nor proprietary filters (speke-constraints-v2).
    if (rule.labelFilters.length > 0 || rule.extensions.length > 0) return speke("Requested CPIX encryption contract not supported");
    const periodKey = rule.keyPeriodFilters.map((filter) => filter.periodId).join(",");
    const seen = trackTypesByPeriod.get(periodKey) ?? new Set<string>();
    if (seen.has(rule.intendedTrackType!)) return speke("Malformed encryption contract");
    seen.add(rule.intendedTrackType!);
    trackTypesByPeriod.set(periodKey, seen);
  }
  for (const types of trackTypesByPeriod.values()) {
    // `ALL` means one key for every track: it cannot share a period with other track types.
    if (types.has("ALL") && types.size > 1) return speke("Malformed encryption contract");
  }
  return undefined;
}

function ruleIsWellFormed(rule: CpixContentKeyUsageRule, kids: Set<string>, periodIds: Set<string | undefined>): boolean {
  if (rule.intendedTrackType === undefined || !TRACK_TYPE.test(rule.intendedTrackType)) return false;
  if (!kids.has(rule.kid.toString())) return false;
  if (rule.videoFilters.length === 0 && rule.audioFilters.length === 0) return false;
  if (rule.keyPeriodFilters.some((filter) => !periodIds.has(filter.periodId))) return false;
  return (
    rule.videoFilters.every(
      (filter) => filter.minPixels === undefined || filter.maxPixels === undefined || filter.minPixels <= filter.maxPixels,
    ) &&
    rule.audioFilters.every(
      (filter) => filter.minChannels === undefined || filter.maxChannels === undefined || filter.minChannels <= filter.maxChannels,
    )
  );
}
