import { MAX_CRYPTO_PERIOD_COUNT, MAX_WIDEVINE_CONTENT_ID_BYTES } from "../../domain/request-limits";
import { PROTECTION_SCHEME_FOURCC, PROTECTION_SCHEMES, type ProtectionScheme } from "../../domain/protection-scheme";
import { fail, succeed, type WidevineCencFailure, type WidevineCencResult } from "./failure";
import { decodeProtoBytes, decodeUint32, isJsonObject, parseJsonObject, readField, UINT32_MAX, type JsonObject } from "./proto-json";

/**
 * The inner `CommonEncryptionRequest` (Shaka `packager/media/base/widevine_common_encryption.proto`; field
 * numbers below are that proto's). Unknown fields are ignored, as Google's parser does.
 */

/** Track types, "SD, HD, UHD1, UHD2 or AUDIO" (proto `Track.type`; Shaka always asks for all five, in this order). */
export const TRACK_TYPES = ["SD", "HD", "UHD1", "UHD2", "AUDIO"] as const;
export type WidevineTrackType = (typeof TRACK_TYPES)[number];

/** DRM types whose signalling a client may ask for (Google's proto; Axinom adds PLAYREADY and FAIRPLAY). */
export const DRM_TYPES = ["WIDEVINE", "PLAYREADY", "FAIRPLAY"] as const;
export type WidevineDrmType = (typeof DRM_TYPES)[number];

/**
 * `ProtectionScheme` enum values by JSON name and by number: each scheme's upper-case 4CC and its FourCC as a
 * big-endian uint32, and UNSPECIFIED (0), which "Defaults to 'cenc'" but names no scheme.
 */
const PROTECTION_SCHEME_ENUM: ReadonlyMap<unknown, ProtectionScheme | undefined> = new Map<unknown, ProtectionScheme | undefined>([
  ["UNSPECIFIED", undefined],
  [0, undefined],
  ...PROTECTION_SCHEMES.flatMap((scheme) => [[scheme.toUpperCase(), scheme] as const, [PROTECTION_SCHEME_FOURCC[scheme], scheme] as const]),
]);

/** A key-rotation request: one key per track per period. */
export interface CryptoPeriodRequest {
  /** `first_crypto_period_index`, field 8. */
  readonly firstIndex: number;
  /** `crypto_period_count`, field 9 (proto default 1). */
  readonly count: number;
  /** `crypto_period_seconds`, field 13; informational only. */
  readonly seconds?: number;
}

/** A validated `CommonEncryptionRequest`. */
export interface CommonEncryptionRequest {
  /** `content_id`, field 1: the provider's content identifier, non-empty. */
  readonly contentId: Uint8Array;
  /** `policy`, field 2; this service keeps no stored policies and ignores it. */
  readonly policy: string;
  /** `tracks[].type`, field 3, in request order, no duplicates. */
  readonly tracks: readonly WidevineTrackType[];
  /** `drm_types`, field 4, in request order; "An empty list implies [ WIDEVINE ]". */
  readonly drmTypes: readonly WidevineDrmType[];
  /**
   * `protection_scheme`, field 14; undefined when absent or UNSPECIFIED ("Defaults to 'cenc'" for encryption, but
   * the signalling then stays scheme-neutral, e.g. no `protection_scheme` in the Widevine PSSH data).
   */
  readonly protectionScheme?: ProtectionScheme;
  /** Present when `first_crypto_period_index` or `crypto_period_count` is given. */
  readonly cryptoPeriods?: CryptoPeriodRequest;
  /** `video_feature`, field 19 (e.g. "HDR"): "used in conjunction with content_id to derive key IDs", not for AUDIO. */
  readonly videoFeature?: string;
}

/** Parses and validates the inner request bytes (the base64-decoded `request`), naming the first bad field. */
export function parseCommonEncryptionRequest(requestBytes: Uint8Array): WidevineCencResult<CommonEncryptionRequest> {
  const object = parseJsonObject(requestBytes);
  if (!object) return fail({ reason: "malformed-request", field: "request", rule: "must be base64 of a UTF-8 JSON object" });
  try {
    return succeed(readRequest(object));
  } catch (error) {
    if (error instanceof RequestRejection) return fail(error.failure);
    throw error;
  }
}

/** Carries a failure out of the nested readers; never leaves this module. */
class RequestRejection extends Error {
  constructor(readonly failure: WidevineCencFailure) {
    super(failure.reason);
  }
}

function reject(failure: WidevineCencFailure): never {
  throw new RequestRejection(failure);
}

function invalid(field: string, rule: string): never {
  return reject({ reason: "invalid-argument", field, rule });
}

function readRequest(object: JsonObject): CommonEncryptionRequest {
  const contentId = readContentId(object);
  const tracks = readTracks(readField(object, "tracks"));
  const drmTypes = readDrmTypes(readField(object, "drm_types"));
  const protectionScheme = readProtectionScheme(readField(object, "protection_scheme"));
  const cryptoPeriods = readCryptoPeriods(object);
  const policy = readOptionalString(object, "policy") ?? "";
  const videoFeature = readOptionalString(object, "video_feature");
  if (readField(object, "enable_entitlement_license") === true) {
    reject({ reason: "unsupported", field: "enable_entitlement_license", detail: "entitlement licenses are not issued" });
  }
  return {
    contentId,
    policy,
    tracks,
    drmTypes,
    ...(protectionScheme && { protectionScheme }),
    ...(cryptoPeriods && { cryptoPeriods }),
    ...(videoFeature && { videoFeature }),
  };
}

/** Exactly one content specifier; only `content_id` is served (pssh_data and asset_id serve decryption and Classic). */
function readContentId(object: JsonObject): Uint8Array {
  const given = ["content_id", "pssh_data", "asset_id"].filter((name) => readField(object, name) !== undefined);
  if (given.length > 1) reject({ reason: "too-many-content-specifiers", fields: given });
  if (given[0] === "pssh_data") reject({ reason: "unsupported", field: "pssh_data", detail: "send content_id" });
  if (given[0] === "asset_id") reject({ reason: "unsupported", field: "asset_id", detail: "Widevine Classic is not served" });
  const raw = readField(object, "content_id");
  if (raw === undefined || raw === "") reject({ reason: "content-id-missing" });
  const contentId = decodeProtoBytes(raw);
  if (!contentId) return invalid("content_id", "must be base64 (standard or URL-safe)");
  if (contentId.length === 0) reject({ reason: "content-id-missing" });
  if (contentId.length > MAX_WIDEVINE_CONTENT_ID_BYTES) {
    invalid("content_id", `must be at most ${MAX_WIDEVINE_CONTENT_ID_BYTES} bytes, got ${contentId.length}`);
  }
  return contentId;
}

function readTracks(value: unknown): WidevineTrackType[] {
  if (value === undefined) reject({ reason: "track-type-missing", field: "tracks" });
  if (!Array.isArray(value)) return invalid("tracks", 'must be a list of {"type": …} objects');
  if (value.length === 0) reject({ reason: "track-type-missing", field: "tracks" });
  const tracks: WidevineTrackType[] = [];
  value.forEach((track: unknown, i) => {
    if (!isJsonObject(track)) invalid(`tracks[${i}]`, "must be an object with a type");
    const type = readField(track, "type");
    if (type === undefined || type === "") reject({ reason: "track-type-missing", field: `tracks[${i}].type` });
    if (typeof type !== "string" || !(TRACK_TYPES as readonly string[]).includes(type)) {
      reject({ reason: "track-type-unknown", field: `tracks[${i}].type` });
    }
    // Shaka keys its map by type and rejects a repeated type within one period (widevine_key_source.cc).
    if (tracks.includes(type as WidevineTrackType)) invalid(`tracks[${i}].type`, "must not repeat a type given earlier");
    tracks.push(type as WidevineTrackType);
  });
  return tracks;
}

function readDrmTypes(value: unknown): WidevineDrmType[] {
  if (value === undefined) return ["WIDEVINE"];
  if (!Array.isArray(value)) return invalid("drm_types", "must be a list of WIDEVINE, PLAYREADY, FAIRPLAY");
  if (value.length === 0) return ["WIDEVINE"];
  const drmTypes: WidevineDrmType[] = [];
  value.forEach((entry: unknown, i) => {
    // ModularDrmType WIDEVINE = 0 is the only number the published proto defines.
    const name = entry === 0 ? "WIDEVINE" : entry;
    if (typeof name !== "string" || !(DRM_TYPES as readonly string[]).includes(name)) {
      invalid(`drm_types[${i}]`, "must be one of WIDEVINE, PLAYREADY, FAIRPLAY");
    }
    if (drmTypes.includes(name as WidevineDrmType)) invalid(`drm_types[${i}]`, "must not repeat a DRM type given earlier");
    drmTypes.push(name as WidevineDrmType);
  });
  return drmTypes;
}

function readProtectionScheme(value: unknown): ProtectionScheme | undefined {
  if (value === undefined) return undefined;
  if (!PROTECTION_SCHEME_ENUM.has(value))
    return invalid("protection_scheme", "must be one of CENC, CBCS, CENS, CBC1 (or UNSPECIFIED, meaning CENC)");
  return PROTECTION_SCHEME_ENUM.get(value);
}

function readCryptoPeriods(object: JsonObject): CryptoPeriodRequest | undefined {
  const firstValue = readField(object, "first_crypto_period_index");
  const countValue = readField(object, "crypto_period_count");
  const secondsValue = readField(object, "crypto_period_seconds");
  if (firstValue === undefined && countValue === undefined) return undefined;
  // Proto: "If this count is set, then first_crypto_period_index must be provided in the request as well."
  if (firstValue === undefined) return invalid("first_crypto_period_index", "is required when crypto_period_count is given");
  const firstIndex = readUint32(firstValue, "first_crypto_period_index");
  const count = countValue === undefined ? 1 : readUint32(countValue, "crypto_period_count");
  if (count === 0) reject({ reason: "no-requested-crypto-periods" });
  if (count > MAX_CRYPTO_PERIOD_COUNT) invalid("crypto_period_count", `must be at most ${MAX_CRYPTO_PERIOD_COUNT}`);
  if (firstIndex + count - 1 > UINT32_MAX) invalid("first_crypto_period_index", "plus crypto_period_count must stay within uint32");
  const seconds = secondsValue === undefined ? undefined : readUint32(secondsValue, "crypto_period_seconds");
  return { firstIndex, count, ...(seconds !== undefined && { seconds }) };
}

function readUint32(value: unknown, field: string): number {
  return decodeUint32(value) ?? invalid(field, "must be an integer from 0 to 4294967295");
}

function readOptionalString(object: JsonObject, field: string): string | undefined {
  const value = readField(object, field);
  if (value === undefined || typeof value === "string") return value;
  return invalid(field, "must be a string");
}
