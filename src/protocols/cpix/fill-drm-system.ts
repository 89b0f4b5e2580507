import { Base64Value } from "../../domain/base64-value";
import type {
  CpixAnswerDrmSystem,
  CpixDocument,
  CpixDrmSystem,
  CpixHlsSignalingData,
  CpixSignallingValue,
  HlsPlaylist,
} from "../../cpix/model";
import type { DrmSignalling } from "../../drm/signalling";
import { knownDrmSystem } from "../../drm/system-ids";

/**
 * Filling a response DRMSystem. A placeholder the request sent is filled ("When included in a CPIX request by the
 * encryptor, all elements and attributes shall carry a valid value", speke-constraints-v2); a DRMSystem sent with
 * no signalling children at all gets every form its DRM has, as Axinom answers Unified Streaming's documents. A
 * form the DRM does not have (a FairPlay PSSH; MediaPackage user guide, implementing-speke-v2) is left out rather
 * than filled with something else.
 */

/** True when a request DRMSystem carries no signalling element at all, so the answer gets every form. */
export function askedForNothing(system: CpixDrmSystem): boolean {
  return (
    system.pssh === undefined &&
    system.contentProtectionData === undefined &&
    system.uriExtXKey === undefined &&
    system.smoothStreamingProtectionHeaderData === undefined &&
    system.hdsSignalingData === undefined &&
    system.speke === undefined &&
    system.hlsSignalingData.length === 0
  );
}

/** True when the answer should carry the form whose request placeholder this is. */
export function asks(askedNothing: boolean, placeholder: unknown): boolean {
  return askedNothing || placeholder !== undefined;
}

/**
 * What every CPIX dialect fills alike: the request's identity and extensions, PSSH and ContentProtectionData when
 * asked for; plus the HLS data and (with `smoothStreaming`) the Smooth Streaming header the dialect carries.
 */
export function filledDrmSystem(
  system: CpixDrmSystem,
  signalling: DrmSignalling,
  askedNothing: boolean,
  hls: readonly CpixHlsSignalingData<CpixSignallingValue>[],
  smoothStreaming: boolean,
): CpixAnswerDrmSystem {
  const isFairPlay = knownDrmSystem(system.systemId) === "fairPlay";
  return {
    systemId: system.systemId,
    kid: system.kid,
    ...(system.id !== undefined && { id: system.id }),
    ...(system.updateVersion !== undefined && { updateVersion: system.updateVersion }),
    ...(system.name !== undefined && { name: system.name }),
    ...(system.hlsAllowedCpc !== undefined && { hlsAllowedCpc: system.hlsAllowedCpc }),
    ...(system.contentProtectionDataRobustness !== undefined && {
      contentProtectionDataRobustness: system.contentProtectionDataRobustness,
    }),
    hlsSignalingData: hls,
    extensions: system.extensions,
    ...(signalling.pssh && !isFairPlay && asks(askedNothing, system.pssh) && { pssh: signalling.pssh }),
    ...(signalling.contentProtectionData &&
      !isFairPlay &&
      asks(askedNothing, system.contentProtectionData) && {
        contentProtectionData: signallingText(signalling, signalling.contentProtectionData),
      }),
    ...(smoothStreaming &&
      signalling.smoothStreamingProtectionHeader &&
      asks(askedNothing, system.smoothStreamingProtectionHeaderData) && {
        smoothStreamingProtectionHeaderData: signalling.smoothStreamingProtectionHeader,
      }),
  };
}

/**
 * The DASH-IF CPIX DRMSystem (SPEKE v2, plain CPIX): HLSSignalingData for each playlist asked for (CPIX 2.3
 * §HLSSignalingData Element) and SmoothStreamingProtectionHeaderData.
 */
export function fillCpixDrmSystem(system: CpixDrmSystem, signalling: DrmSignalling, request: CpixDocument): CpixAnswerDrmSystem {
  const askedNothing = askedForNothing(system);
  const hls: CpixHlsSignalingData<Base64Value>[] = [];
  if (signalling.hlsMediaLine !== undefined && signalling.hlsMasterLine !== undefined) {
    const askedPlaylists = new Set(system.hlsSignalingData.map((data) => ((data.playlist ?? "media") === "media" ? "media" : "master")));
    if (askedNothing || askedPlaylists.has("media"))
      hls.push({ playlist: "media", data: signallingText(signalling, signalling.hlsMediaLine) });
    if (askedNothing || askedPlaylists.has("master"))
      hls.push({ playlist: masterPlaylistName(request.version), data: signallingText(signalling, signalling.hlsMasterLine) });
  }
  return filledDrmSystem(system, signalling, askedNothing, hls, true);
}

/**
 * Signalling text as the answer carries it: base64 made straight from the text, not through a byte array; without
 * a UTF-8 check when the signalling knows its text is ASCII (`DrmSignalling.textIsAscii`).
 */
function signallingText(signalling: DrmSignalling, text: string): Base64Value {
  return signalling.textIsAscii ? Base64Value.ofAscii(text) : Base64Value.ofUtf8(text);
}

/** CPIX 2.4 renamed the master playlist `multiVariant`; CPIX 2.1 called it `variant`. */
function masterPlaylistName(version: string | undefined): HlsPlaylist {
  if (version === "2.4") return "multiVariant";
  if (version === "2.1") return "variant";
  return "master";
}
