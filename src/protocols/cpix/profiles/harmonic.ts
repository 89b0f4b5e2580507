import type { CpixProfile } from "../profile";
import { plainCpixProfile } from "./plain-cpix";

/** First stable Key ID part of Harmonic with `?overrideKeyIds=true`; changing it changes every Key ID issued that way. */
const STABLE_KEY_ID_LABEL = "harmonic";

/**
 * Harmonic encoders (`POST /api/Harmonic/v2`): a DASH-IF CPIX request without a `version` attribute, with a
 * `contentId`, several ContentKeys and key rotation through `ContentKeyPeriodList` and usage rules that name a
 * period (Axinom Key Service docs, Harmonic: v2 adds "Multi-key and Key-rotation support" and
 * `ContentKey@commonEncryptionScheme`). Checked and answered as plain CPIX, in the request's own style (no version
 * in, none out). Stable Key IDs: "harmonic", CPIX@contentId (else @id), the key's period and its index.
 * `RequireSignatures` and `EncryptContentKeys` (`/api/HarmonicConfiguration`) are applied by the route.
 */
export const HARMONIC: CpixProfile = {
  ...plainCpixProfile("harmonic"),
  stableKeyIdParts: (request, _key, index, period) => [STABLE_KEY_ID_LABEL, request.contentId ?? request.id ?? "", period, String(index)],
};
