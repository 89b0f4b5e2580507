import type { CpixAnswerDocument } from "../../../cpix/model";
import { fillCpixDrmSystem } from "../fill-drm-system";
import type { CpixProfile } from "../profile";
import { plainCpixProfile, schemeNamedBy } from "./plain-cpix";
import { checkSpekeV2Request, type SpekeV2Version } from "./speke-v2-rules";

/** First stable Key ID part of SPEKE v2; changing it changes every Key ID it ever overrode. */
const STABLE_KEY_ID_LABEL = "speke-v2";

/**
 * A document with neither CPIX@version nor CPIX@contentId (CPIX 2.2 style, as Unified Streaming's docs send to
 * /SpekeV2) is answered as plain CPIX in its own style; strict SPEKE v2 needs one of them (issue rule).
 */
const CPIX_VIA_SPEKE_V2 = plainCpixProfile("cpix-via-speke-v2");

/** The SPEKE v2 suite requires CPIX@id to be absent from v2 responses (speke_element_assertions.py). */
function withoutRootId(document: CpixAnswerDocument): CpixAnswerDocument {
  const { id: _id, ...rest } = document;
  return rest;
}

/**
 * SPEKE v2 over CPIX 2.3 (v2.0) or 2.4 (v2.1). Stable Key IDs: "speke-v2", CPIX@contentId, period, scheme, the key's
 * intendedTrackType (or "key-<index>" without a usage rule), so each track of a re-packaged asset keeps its key.
 */
function spekeV2Profile(version: SpekeV2Version): CpixProfile {
  return {
    name: `speke-v${version}`,
    macKeyShape: "aws",
    answeredAs: (request) => (request.version === undefined && request.contentId === undefined ? CPIX_VIA_SPEKE_V2 : undefined),
    check: (request) => checkSpekeV2Request(request, version),
    // The check made every key name the document's one scheme (speke-constraints-v2).
    schemeOf: schemeNamedBy,
    stableKeyIdParts: (request, key, index, period, rule) => [
      STABLE_KEY_ID_LABEL,
      request.contentId ?? "",
      period,
      schemeNamedBy(key) ?? "",
      rule?.intendedTrackType ?? `key-${index}`,
    ],
    fillDrmSystem: fillCpixDrmSystem,
    finishResponse: withoutRootId,
  };
}

/** `POST /api/SpekeV2`, by `X-Speke-Version`. */
export const SPEKE_V2_PROFILES: Readonly<Record<SpekeV2Version, CpixProfile>> = {
  "2.0": spekeV2Profile("2.0"),
  "2.1": spekeV2Profile("2.1"),
};
