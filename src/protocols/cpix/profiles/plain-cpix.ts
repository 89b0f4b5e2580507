import { isHlsKeyMethod, protectionSchemeOf, type ProtectionScheme } from "../../../domain/protection-scheme";
import type { CpixContentKey, CpixDocument } from "../../../cpix/model";
import type { AcquisitionFailure } from "../failure";
import { fillCpixDrmSystem } from "../fill-drm-system";
import type { CpixProfile, CpixProfileName } from "../profile";
import { checkKeysAndSystems, schemeNameRefused } from "../structure";

/** First stable Key ID part of plain CPIX; changing it changes every Key ID it ever overrode. */
const STABLE_KEY_ID_LABEL = "cpix";

/** CPIX versions whose `ContentKey@commonEncryptionScheme` may be an HLS METHOD (CPIX 2.3.1 and 2.4 §ContentKey Element). */
const HLS_METHOD_VERSIONS: ReadonlySet<string | undefined> = new Set(["2.3.1", "2.4"]);

/** The scheme a key names in `@commonEncryptionScheme`; undefined when it names none. */
export function schemeNamedBy(key: CpixContentKey): ProtectionScheme | undefined {
  return key.commonEncryptionScheme === undefined ? undefined : protectionSchemeOf(key.commonEncryptionScheme);
}

/** Plain DASH-IF CPIX: each key may name its own scheme or none (one key usable with several schemes). */
function checkPlainCpix(request: CpixDocument): AcquisitionFailure | undefined {
  const structure = checkKeysAndSystems(request);
  if (structure) return structure;
  if (HLS_METHOD_VERSIONS.has(request.version)) return undefined;
  for (const key of request.contentKeyList?.items ?? []) {
    if (key.commonEncryptionScheme !== undefined && isHlsKeyMethod(key.commonEncryptionScheme)) return schemeNameRefused(key.kid);
  }
  return undefined;
}

/**
 * Plain DASH-IF CPIX under a log name: `POST /api/Cpix`, and the protocols that answer some documents the same way.
 * Stable Key IDs: "cpix", CPIX@id (else @contentId), period, key index.
 */
export function plainCpixProfile(name: CpixProfileName): CpixProfile {
  return {
    name,
    macKeyShape: "xmlenc",
    check: checkPlainCpix,
    schemeOf: schemeNamedBy,
    stableKeyIdParts: (request, _key, index, period) => [STABLE_KEY_ID_LABEL, request.id ?? request.contentId ?? "", period, String(index)],
    fillDrmSystem: fillCpixDrmSystem,
  };
}

/** `POST /api/Cpix`: a plain DASH-IF CPIX request (any 2.x) answered with keys. */
export const PLAIN_CPIX: CpixProfile = plainCpixProfile("cpix");
