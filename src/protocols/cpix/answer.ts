import type { ContentKey, Iv, KeySeedValue, ProtectionScheme } from "../../domain/content-key";
import { deriveContentKey, deriveIv } from "../../domain/key-derivation";
import type { KeyId } from "../../domain/key-id";
import type { CpixContentKey, CpixDocument, CpixDrmSystem, CpixHlsSignalingData, HlsPlaylist } from "../../cpix/model";
import { isDrmSignallingFailure, signalDrmSystem, type DrmSignalling, type DrmSignallingFailure, type DrmSignallingSettings } from "../../drm/signalling";
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
export async function answerCpixRequest(request: CpixDocument, options: AnswerOptions): Promise<{ ok: true; document: CpixDocument } | { ok: false; failure: AcquisitionFailure }> {
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
      return { ok: false, failure: { reason: "invalid-request", message: `DRMSystem ${system.systemId} names kid ${system.kid}, which no ContentKey has` } };
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

function fillDrmSystem(system: CpixDrmSystem, signalling: DrmSignalling, dialect: CpixDialect, version: string | undefined): CpixDrmSystem {
  const isFairPlay = knownDrmSystem(system.systemId) === "fairPlay";
  const hls: CpixHlsSignalingData[] = [];
  if (signalling.hlsMediaLine && signalling.hlsMasterLine && dialect !== "speke-v1") {
    hls.push({ playlist: "media", data: utf8.encode(signalling.hlsMediaLine) });
    hls.push({ playlist: masterPlaylistName(version), data: utf8.encode(signalling.hlsMasterLine) });
  }
  const {
    pssh: _pssh,
    contentProtectionData: _cpd,
    uriExtXKey: _uri,
    smoothStreamingProtectionHeaderData: _smooth,
    speke: _speke,
    hlsSignalingData: _hls,
    ...identity
  } = system;
  const filled: CpixDrmSystem = {
    ...identity,
    hlsSignalingData: hls,
    // FairPlay has no PSSH or MPD signalling (speke-cpix.md §5.7); a placeholder sent for it is dropped.
    ...(signalling.pssh && !isFairPlay && { pssh: signalling.pssh }),
    ...(signalling.contentProtectionData && !isFairPlay && { contentProtectionData: utf8.encode(signalling.contentProtectionData) }),
    ...(signalling.smoothStreamingProtectionHeader && dialect !== "speke-v1" && { smoothStreamingProtectionHeaderData: signalling.smoothStreamingProtectionHeader }),
  };
  if (dialect !== "speke-v1") return filled;
  // SPEKE v1 (live-workflow-methods): HLS through URIExtXKey + speke:KeyFormat(Versions), Smooth through
  // speke:ProtectionHeader; all base64 of their text.
  return {
    ...filled,
    ...(signalling.hlsUri !== undefined && { uriExtXKey: utf8.encode(signalling.hlsUri) }),
    ...((signalling.hlsKeyFormat !== undefined || signalling.smoothStreamingProtectionHeader) && {
      speke: {
        ...(signalling.hlsKeyFormat !== undefined && { keyFormat: utf8.encode(signalling.hlsKeyFormat) }),
        ...(signalling.hlsKeyFormatVersions !== undefined && { keyFormatVersions: utf8.encode(signalling.hlsKeyFormatVersions) }),
        ...(signalling.smoothStreamingProtectionHeader && { protectionHeader: signalling.smoothStreamingProtectionHeader }),
      },
    }),
  };
}

function signallingFailure(failure: DrmSignallingFailure): AcquisitionFailure {
  switch (failure.reason) {
    case "unsupported-system":
      return { reason: "unsupported", message: `DRMSystem ${failure.systemId} is not supported; supported: Widevine, PlayReady, FairPlay, W3C Common PSSH, Clear Key AES-128` };
    case "scheme-not-supported-by-system":
      return { reason: "speke", message: `ContentKey@commonEncryptionScheme non compatible with DRMSystem ${failure.systemId}` };
    case "iv-size-not-supported-by-system":
      return { reason: "invalid-request", message: `DRMSystem ${failure.systemId} needs a ${failure.required}-byte explicitIV, got ${failure.ivLength} bytes` };
    case "setting-required":
      return { reason: "unsupported", message: `DRMSystem ${failure.systemId} needs the tenant setting ${settingWireName(failure.setting)} (PUT /api/Settings)` };
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
