import { utf8 } from "../../../domain/bytes";
import { PROTECTION_SCHEMES, type ProtectionScheme } from "../../../domain/protection-scheme";
import type { CpixAnswerDrmSystem, CpixDocument, CpixDrmSystem, CpixHlsSignalingData } from "../../../cpix/model";
import type { DrmSignalling } from "../../../drm/signalling";
import { knownDrmSystem } from "../../../drm/system-ids";
import type { AcquisitionFailure } from "../failure";
import { askedForNothing, asks, filledDrmSystem } from "../fill-drm-system";
import type { CpixProfile } from "../profile";
import { checkKeysAndSystems } from "../structure";

/** First stable Key ID part of SPEKE v1; changing it changes every Key ID it ever overrode. */
const STABLE_KEY_ID_LABEL = "speke-v1";

/** SPEKE v1 carries no HLSSignalingData: HLS goes in URIExtXKey and the speke: elements. */
const NO_HLS_SIGNALING_DATA: readonly CpixHlsSignalingData[] = Object.freeze([]);

/** FairPlay is cbcs only (Apple: "you must use the METHOD=SAMPLE-AES ... the cbcs protection scheme"). */
function fairPlayConflict(request: CpixDocument, scheme: ProtectionScheme | undefined): AcquisitionFailure | undefined {
  if (scheme === undefined || scheme === "cbcs") return undefined;
  if (!request.drmSystemList?.items.some((system) => knownDrmSystem(system.systemId) === "fairPlay")) return undefined;
  return { reason: "invalid-request", message: `FairPlay needs protectionScheme=cbcs, got ${scheme}` };
}

/**
 * SPEKE v1 (AWS SPEKE v1, live-workflow-methods): PSSH and ContentProtectionData as in CPIX; HLS through URIExtXKey
 * plus speke:KeyFormat(Versions), Smooth Streaming through speke:ProtectionHeader; all base64 of their text.
 */
function fillSpekeV1DrmSystem(system: CpixDrmSystem, signalling: DrmSignalling): CpixAnswerDrmSystem {
  const askedNothing = askedForNothing(system);
  const filled = filledDrmSystem(system, signalling, askedNothing, NO_HLS_SIGNALING_DATA, false);
  const speke = {
    ...(signalling.hlsKeyFormat !== undefined &&
      asks(askedNothing, system.speke?.keyFormat) && { keyFormat: utf8(signalling.hlsKeyFormat) }),
    ...(signalling.hlsKeyFormatVersions !== undefined &&
      asks(askedNothing, system.speke?.keyFormatVersions) && { keyFormatVersions: utf8(signalling.hlsKeyFormatVersions) }),
    ...(signalling.smoothStreamingProtectionHeader &&
      asks(askedNothing, system.speke?.protectionHeader) && { protectionHeader: signalling.smoothStreamingProtectionHeader }),
  };
  return {
    ...filled,
    ...(signalling.hlsUri !== undefined && asks(askedNothing, system.uriExtXKey) && { uriExtXKey: utf8(signalling.hlsUri) }),
    ...(Object.keys(speke).length > 0 && { speke }),
  };
}

/**
 * SPEKE v1 (CPIX 2.0 with the `speke:` namespace), every key signalled for the `?protectionScheme=` of the URL
 * (Axinom Key Service API help, api/Speke). Stable Key IDs: "speke-v1", CPIX@id (else @contentId), period, key index.
 */
function spekeV1(scheme: ProtectionScheme | undefined): CpixProfile {
  return {
    name: "speke-v1",
    macKeyShape: "aws",
    check: (request) => checkKeysAndSystems(request) ?? fairPlayConflict(request, scheme),
    schemeOf: () => scheme,
    stableKeyIdParts: (request, _key, index, period) => [STABLE_KEY_ID_LABEL, request.id ?? request.contentId ?? "", period, String(index)],
    fillDrmSystem: fillSpekeV1DrmSystem,
  };
}

const SPEKE_V1_PROFILES: ReadonlyMap<ProtectionScheme | undefined, CpixProfile> = new Map(
  [undefined, ...PROTECTION_SCHEMES].map((scheme) => [scheme, spekeV1(scheme)]),
);

/** `POST /api/Speke`: the SPEKE v1 profile for a `?protectionScheme=` (none: scheme-neutral signalling). */
export function spekeV1Profile(scheme: ProtectionScheme | undefined): CpixProfile {
  return SPEKE_V1_PROFILES.get(scheme)!;
}
