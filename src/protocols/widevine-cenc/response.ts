import { toBase64 } from "../../domain/bytes";
import type { ContentKey, Iv } from "../../domain/content-key";
import type { KeyId } from "../../domain/key-id";
import type { SystemId } from "../../domain/system-id";
import { SYSTEM_IDS } from "../../drm/system-ids";
import type { WidevineDrmType, WidevineTrackType } from "./request";

/**
 * The inner `CommonEncryptionResponse` JSON (Shaka `widevine_common_encryption.proto`), fields in field-number
 * order with proto names, `bytes` as standard base64, as Google's `MessageToJsonString` writes them. Fields the
 * proto lacks (`skd_uri`, `checksum`) are Axinom-style extensions; Shaka ignores unknown fields.
 */

/** One `Track.Pssh` entry. */
export interface PsshJson {
  /** `drm_type`, field 1. */
  readonly drm_type: WidevineDrmType;
  /** `data`, field 2: "only PSSH data, i.e. no PSSH box header" — for PLAYREADY the PlayReady Object. */
  readonly data: string;
  /** `boxes`, field 3: "full PSSH boxes … Always populated". */
  readonly boxes?: string;
  /**
   * Extension, PLAYREADY entries only: the 8-byte PlayReady key checksum (PRH spec §5), base64; present for
   * AESCTR (cenc, cens), absent for AESCBC, which has none. Axinom lists "Checksum – used by PlayReady".
   */
  readonly checksum?: string;
}

/** One `Track`. */
export interface TrackJson {
  /** `type`, field 1. */
  readonly type: WidevineTrackType;
  /** `key_id`, field 2: the 16 RFC 4122 bytes. */
  readonly key_id: string;
  /** `key`, field 3. */
  readonly key: string;
  /** `iv`, field 4: 8 bytes (CTR schemes) or 16 (CBC, FairPlay); Shaka uses it as per-sample IV, or constant IV for cbcs. */
  readonly iv: string;
  /** `pssh`, field 5: one entry per requested drm_type, in request order (Shaka wants exactly one for WIDEVINE). */
  readonly pssh: readonly PsshJson[];
  /** `crypto_period_index`, field 6: key-rotation requests only. */
  readonly crypto_period_index?: number;
  /** Extension, when FAIRPLAY was requested: the `skd://` key URI for HLS (Axinom "SKD URI – used by FairPlay"). */
  readonly skd_uri?: string;
}

/** The successful inner response. */
export interface CommonEncryptionResponseJson {
  /** `status`, field 1. */
  readonly status: "OK";
  /** `drm`, field 3: the requested DRM systems with their registered system id (lower-case UUID text). */
  readonly drm: ReadonlyArray<{ readonly type: WidevineDrmType; readonly system_id: string }>;
  /** `tracks`, field 4. */
  readonly tracks: readonly TrackJson[];
  /** `content_id`, field 6: "the content_id from the request". */
  readonly content_id: string;
}

/** The signalling of one DRM system for one key (a structural subset of `drm/signalling.ts`'s `DrmSignalling`). */
export interface TrackDrmSignalling {
  /** Full PSSH box. */
  readonly pssh?: Uint8Array;
  /** PSSH box payload (WidevinePsshData; the PlayReady Object; empty for FairPlay). */
  readonly psshData?: Uint8Array;
  readonly playReadyChecksum?: Uint8Array;
  readonly skdUri?: string;
}

/** Everything issued for one track in one period. */
export interface IssuedTrackKey {
  readonly trackType: WidevineTrackType;
  readonly kid: KeyId;
  readonly key: ContentKey;
  readonly iv: Iv;
  readonly cryptoPeriodIndex?: number;
  /** One entry per requested drm_type, in request order. */
  readonly signalling: ReadonlyArray<{ readonly drmType: WidevineDrmType; readonly signalling: TrackDrmSignalling }>;
}

const SYSTEM_ID_BY_DRM_TYPE: Readonly<Record<WidevineDrmType, SystemId>> = {
  WIDEVINE: SYSTEM_IDS.widevine,
  PLAYREADY: SYSTEM_IDS.playReady,
  FAIRPLAY: SYSTEM_IDS.fairPlay,
};

/** The DRM system a drm_type names (DASH-IF registry via `drm/system-ids.ts`). */
export function systemIdOf(drmType: WidevineDrmType): SystemId {
  return SYSTEM_ID_BY_DRM_TYPE[drmType];
}

/** Renders the successful inner response from issued keys (in plan order) and their signalling. */
export function buildCommonEncryptionResponse(input: {
  readonly contentId: Uint8Array;
  readonly drmTypes: readonly WidevineDrmType[];
  readonly tracks: readonly IssuedTrackKey[];
}): CommonEncryptionResponseJson {
  return {
    status: "OK",
    drm: input.drmTypes.map((type) => ({ type, system_id: systemIdOf(type).toString() })),
    tracks: input.tracks.map(renderTrack),
    content_id: toBase64(input.contentId),
  };
}

/**
 * The characters `renderTrack` spends on a track's values (base64 of the key, IV, PSSH data, boxes and checksum;
 * the skd URI), which are nearly all of a rendered track: counted to stop before rendering an oversized answer.
 */
export function trackValueLength(track: IssuedTrackKey): number {
  const base64Length = (bytes: Uint8Array | undefined) => (bytes ? 4 * Math.ceil(bytes.length / 3) : 0);
  let length = base64Length(track.kid.bytes) + base64Length(track.key.bytes) + base64Length(track.iv.bytes);
  for (const { signalling } of track.signalling) {
    length += base64Length(signalling.psshData) + base64Length(signalling.pssh) + base64Length(signalling.playReadyChecksum);
    length += signalling.skdUri?.length ?? 0;
  }
  return length;
}

function renderTrack(track: IssuedTrackKey): TrackJson {
  const skdUri = track.signalling.find((entry) => entry.drmType === "FAIRPLAY")?.signalling.skdUri;
  return {
    type: track.trackType,
    key_id: track.kid.toBase64(),
    key: toBase64(track.key.bytes),
    iv: toBase64(track.iv.bytes),
    pssh: track.signalling.map(({ drmType, signalling }) => renderPssh(drmType, signalling)),
    ...(track.cryptoPeriodIndex !== undefined && { crypto_period_index: track.cryptoPeriodIndex }),
    ...(skdUri !== undefined && { skd_uri: skdUri }),
  };
}

function renderPssh(drmType: WidevineDrmType, signalling: TrackDrmSignalling): PsshJson {
  return {
    drm_type: drmType,
    data: toBase64(signalling.psshData ?? new Uint8Array()),
    ...(signalling.pssh && { boxes: toBase64(signalling.pssh) }),
    ...(drmType === "PLAYREADY" && signalling.playReadyChecksum && { checksum: toBase64(signalling.playReadyChecksum) }),
  };
}
