import type { ContentKey, Iv, KeySeedValue, ProtectionScheme } from "../../domain/content-key";
import { deriveContentKey, deriveIv } from "../../domain/key-derivation";
import type { KeyId } from "../../domain/key-id";
import type { CpixContentKey, CpixDocument, CpixDrmSystem, CpixHlsSignalingData, HlsPlaylist } from "../../cpix/model";
import {
  isDrmSignallingFailure,
  signalDrmSystem,
  type DrmSignalling,
  type DrmSignallingFailure,
  type DrmSignallingSettings,
} from "../../drm/signalling";
import { knownDrmSystem } from "../../drm/system-ids";
import type { AcquisitionFailure } from "./failure";

/** How the response speaks: which DRMSystem children it fills. */
export type CpixDialect = "speke-v1" | "speke-v2" | "cpix";

export interface AnswerOptions {
  readonly dialect: CpixDialect;
  readonly seed: KeySeedValue;
  readonly settings: DrmSignallingSettings;
  /** The scheme of each key (already validated by the protocol); undefined = one key for every scheme. */
  readonly schemeOf: (key: CpixContentKey) => ProtectionScheme | undefined;
}

const utf8 = new TextEncoder();

/**
 * Fills a validated request: every ContentKey gets its derived key and an explicitIV (the request's, or one
 * derived from seed and KID so a retry gets the same), every DRMSystem its signalling. Everything else
 * (contentId, version, periods, usage rules) is echoed unchanged.
 */
export async function answerCpixRequest(
  request: CpixDocument,
  options: AnswerOptions,
): Promise<{ ok: true; document: CpixDocument } | { ok: false; failure: AcquisitionFailure }> {
  const keys = request.contentKeyList?.items ?? [];
  const material = new Map<string, { key: ContentKey; iv: Iv; scheme: ProtectionScheme | undefined }>();
  const filledKeys: CpixContentKey[] = [];
  for (const contentKey of keys) {
    const key = await deriveContentKey(options.seed, contentKey.kid);
    const iv = contentKey.explicitIV ?? (await deriveIv(options.seed, contentKey.kid, 16));
    material.set(contentKey.kid.toString(), { key, iv, scheme: options.schemeOf(contentKey) });
    const { encryptedValue: _dropped, ...rest } = contentKey;
    filledKeys.push({ ...rest, explicitIV: iv, value: key });
  }

  const filledSystems: CpixDrmSystem[] = [];
  for (const system of request.drmSystemList?.items ?? []) {
    const keyMaterial = material.get(system.kid.toString());
    if (!keyMaterial) {
      return {
        ok: false,
        failure: { reason: "invalid-request", message: `DRMSystem ${system.systemId} names kid ${system.kid}, which no ContentKey has` },
      };
    }
    const signalling = await signalDrmSystem({ systemId: system.systemId, kid: system.kid, ...keyMaterial, settings: options.settings });
    if (isDrmSignallingFailure(signalling)) return { ok: false, failure: signallingFailure(signalling) };
    filledSystems.push(fillDrmSystem(system, signalling, options.dialect, request.version));
  }

  const { deliveryDataList: _delivery, ...rest } = request;
  return {
    ok: true,
    document: {
      ...rest,
      ...(request.contentKeyList && { contentKeyList: { ...request.contentKeyList, items: filledKeys } }),
      ...(request.drmSystemList && { drmSystemList: { ...request.drmSystemList, items: filledSystems } }),
    },
  };
}

/** CPIX 2.4 renamed the master playlist `multiVariant`; CPIX 2.1 called it `variant`. */
function masterPlaylistName(version: string | undefined): HlsPlaylist {
  if (version === "2.4") return "multiVariant";
  if (version === "2.1") return "variant";
  return "master";
}

/**
 * The response's DRMSystem: the request's identity and extensions, and the signalling it asked for. A
 * placeholder the request sent is filled ("When included in a CPIX request by the encryptor, all elements
 * and attributes shall carry a valid value", speke-constraints-v2); a DRMSystem sent with no signalling
 * children at all gets every form its DRM has, as Axinom answers Unified Streaming's documents. A form the
 * DRM does not have (a FairPlay PSSH; MediaPackage user guide, implementing-speke-v2) is left out rather than
 * filled with something else.
 */
function fillDrmSystem(system: CpixDrmSystem, signalling: DrmSignalling, dialect: CpixDialect, version: string | undefined): CpixDrmSystem {
  const v1 = dialect === "speke-v1";
  const askedNothing =
    system.pssh === undefined &&
    system.contentProtectionData === undefined &&
    system.uriExtXKey === undefined &&
    system.smoothStreamingProtectionHeaderData === undefined &&
    system.hdsSignalingData === undefined &&
    system.speke === undefined &&
    system.hlsSignalingData.length === 0;
  const asks = (placeholder: unknown) => askedNothing || placeholder !== undefined;
  const isFairPlay = knownDrmSystem(system.systemId) === "fairPlay";

  const hls: CpixHlsSignalingData[] = [];
  if (!v1 && signalling.hlsMediaLine !== undefined && signalling.hlsMasterLine !== undefined) {
    const askedPlaylists = new Set(system.hlsSignalingData.map((data) => ((data.playlist ?? "media") === "media" ? "media" : "master")));
    if (askedNothing || askedPlaylists.has("media")) hls.push({ playlist: "media", data: utf8.encode(signalling.hlsMediaLine) });
    if (askedNothing || askedPlaylists.has("master"))
      hls.push({ playlist: masterPlaylistName(version), data: utf8.encode(signalling.hlsMasterLine) });
  }
  const filled: CpixDrmSystem = {
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
    ...(signalling.pssh && !isFairPlay && asks(system.pssh) && { pssh: signalling.pssh }),
    ...(signalling.contentProtectionData &&
      !isFairPlay &&
      asks(system.contentProtectionData) && {
        contentProtectionData: utf8.encode(signalling.contentProtectionData),
      }),
    ...(signalling.smoothStreamingProtectionHeader &&
      !v1 &&
      asks(system.smoothStreamingProtectionHeaderData) && {
        smoothStreamingProtectionHeaderData: signalling.smoothStreamingProtectionHeader,
      }),
  };
  if (!v1) return filled;
  // SPEKE v1 (live-workflow-methods): HLS through URIExtXKey + speke:KeyFormat(Versions), Smooth through
  // speke:ProtectionHeader; all base64 of their text.
  const speke = {
    ...(signalling.hlsKeyFormat !== undefined && asks(system.speke?.keyFormat) && { keyFormat: utf8.encode(signalling.hlsKeyFormat) }),
    ...(signalling.hlsKeyFormatVersions !== undefined &&
      asks(system.speke?.keyFormatVersions) && { keyFormatVersions: utf8.encode(signalling.hlsKeyFormatVersions) }),
    ...(signalling.smoothStreamingProtectionHeader &&
      asks(system.speke?.protectionHeader) && { protectionHeader: signalling.smoothStreamingProtectionHeader }),
  };
  return {
    ...filled,
    ...(signalling.hlsUri !== undefined && asks(system.uriExtXKey) && { uriExtXKey: utf8.encode(signalling.hlsUri) }),
    ...(Object.keys(speke).length > 0 && { speke }),
  };
}

function signallingFailure(failure: DrmSignallingFailure): AcquisitionFailure {
  switch (failure.reason) {
    case "unsupported-system":
      return {
        reason: "unsupported",
        message: `DRMSystem ${failure.systemId} is not supported; supported: Widevine, PlayReady, FairPlay, W3C Common PSSH, Clear Key AES-128`,
      };
    case "scheme-not-supported-by-system":
      return { reason: "speke", message: `ContentKey@commonEncryptionScheme non compatible with DRMSystem ${failure.systemId}` };
    case "iv-size-not-supported-by-system":
      return {
        reason: "invalid-request",
        message: `DRMSystem ${failure.systemId} needs a ${failure.required}-byte explicitIV, got ${failure.ivLength} bytes`,
      };
    case "setting-required":
      return {
        reason: "unsupported",
        message: `DRMSystem ${failure.systemId} needs the tenant setting ${settingWireName(failure.setting)} (PUT /api/Settings)`,
      };
    case "setting-invalid":
      return { reason: "unsupported", message: `The tenant setting ${settingWireName(failure.setting)} ${failure.rule}` };
  }
}

function settingWireName(setting: keyof DrmSignallingSettings): string {
  return setting.charAt(0).toUpperCase() + setting.slice(1);
}

/** The Key IDs a response carries, in order (for the issuance record). */
export function issuedKeyIds(document: CpixDocument): KeyId[] {
  return (document.contentKeyList?.items ?? []).map((key) => key.kid);
}
