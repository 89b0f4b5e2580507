import type { CpixDocument } from "../../../cpix/model";
import type { AcquisitionFailure } from "../failure";
import type { CpixProfile } from "../profile";
import { plainCpixProfile } from "./plain-cpix";

/** First stable Key ID part of Broadpeak with `?overrideKeyIds=true`; changing it changes every Key ID issued that way. */
const STABLE_KEY_ID_LABEL = "broadpeak";

const PLAIN = plainCpixProfile("broadpeak");

/**
 * Broadpeak's packagers (Origin Packager, BkS) send a DASH-IF CPIX request (Insys Cloud DRM docs, Broadpeak BKS:
 * "the Broadpeak CPIX interface based on the DASH-IF Implementation Guidelines"), with a "Content id" the operator
 * chooses (Axinom Key Service docs, Broadpeak). It is checked and answered as plain CPIX, and the content id is
 * required: with `?overrideKeyIds=true` "the key ID … from the request CPIX document is not used", another is
 * generated "based on the provided contentID and other parameters" (ibid.), here "broadpeak", CPIX@contentId (else
 * @id), the key's period and its index.
 */
function checkBroadpeak(request: CpixDocument): AcquisitionFailure | undefined {
  if (!request.contentId && !request.id) {
    return { reason: "invalid-request", message: "Missing CPIX@contentId: set the packager's Content id (any value naming the content)" };
  }
  return PLAIN.check(request);
}

export const BROADPEAK: CpixProfile = {
  ...PLAIN,
  check: checkBroadpeak,
  stableKeyIdParts: (request, _key, index, period) => [STABLE_KEY_ID_LABEL, request.contentId ?? request.id ?? "", period, String(index)],
};
