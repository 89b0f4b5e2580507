import { readCpix } from "../../../src/cpix/reader";
import type { CpixDocument } from "../../../src/cpix/model";
import { SYSTEM_IDS } from "../../../src/drm/system-ids";

/** The header of a SPEKE v2.0 request. */
export const SPEKE_V2 = { "X-Speke-Version": "2.0" };

/** Reads a CPIX answer, failing the test when it is not readable CPIX. */
export function readResponse(xml: string): CpixDocument {
  const read = readCpix(new TextEncoder().encode(xml));
  if (!read.ok) throw new Error(`response is not readable CPIX: ${JSON.stringify(read.failure)}`);
  return read.document;
}

/** A SPEKE v2.0 request: PRESET-VIDEO-3 (SD, HD, UHD) + PRESET-AUDIO-1 for Widevine, PlayReady and FairPlay. */
export function presetVideo3Audio1Request(kids: string[], scheme = "cbcs"): string {
  const [sd, hd, uhd, audio] = kids;
  const systems = [SYSTEM_IDS.widevine, SYSTEM_IDS.playReady, SYSTEM_IDS.fairPlay];
  return `<?xml version="1.0" encoding="UTF-8"?>
<cpix:CPIX xmlns:cpix="urn:dashif:org:cpix" xmlns:pskc="urn:ietf:params:xml:ns:keyprov:pskc" contentId="movie-42" version="2.3">
  <cpix:ContentKeyList>${kids.map((kid) => `<cpix:ContentKey kid="${kid}" commonEncryptionScheme="${scheme}"/>`).join("")}</cpix:ContentKeyList>
  <cpix:DRMSystemList>${kids
    .flatMap((kid) =>
      systems.map(
        (system) =>
          `<cpix:DRMSystem kid="${kid}" systemId="${system}"><cpix:PSSH/><cpix:ContentProtectionData/><cpix:HLSSignalingData playlist="media"/><cpix:HLSSignalingData playlist="master"/></cpix:DRMSystem>`,
      ),
    )
    .join("")}</cpix:DRMSystemList>
  <cpix:ContentKeyUsageRuleList>
    <cpix:ContentKeyUsageRule kid="${sd}" intendedTrackType="SD"><cpix:VideoFilter maxPixels="589824"/></cpix:ContentKeyUsageRule>
    <cpix:ContentKeyUsageRule kid="${hd}" intendedTrackType="HD"><cpix:VideoFilter minPixels="589825" maxPixels="2073600"/></cpix:ContentKeyUsageRule>
    <cpix:ContentKeyUsageRule kid="${uhd}" intendedTrackType="UHD"><cpix:VideoFilter minPixels="2073601"/></cpix:ContentKeyUsageRule>
    <cpix:ContentKeyUsageRule kid="${audio}" intendedTrackType="AUDIO"><cpix:AudioFilter/></cpix:ContentKeyUsageRule>
  </cpix:ContentKeyUsageRuleList>
</cpix:CPIX>`;
}
