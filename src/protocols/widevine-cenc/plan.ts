import { fromUtf8, toBase64 } from "../../domain/bytes";
import { KeyId } from "../../domain/key-id";
import { stableKeyId } from "../../domain/stable-key-id";
import type { CommonEncryptionRequest, WidevineTrackType } from "./request";

/** One key to issue: a track type in one crypto period. */
export interface PlannedTrackKey {
  readonly trackType: WidevineTrackType;
  readonly kid: KeyId;
  /** Set on key-rotation requests only (response `crypto_period_index`, field 6). */
  readonly cryptoPeriodIndex?: number;
}

/** First label of the stable Key ID parts for this protocol; changing it changes every Key ID issued here. */
const STABLE_KEY_ID_PROTOCOL = "widevine-cenc";
/** Period index hashed for a request without rotation, so its keys equal rotation period 0's. */
const UNROTATED_PERIOD_INDEX = 0;
/** RFC 4122 text form with dashes, any case (the form Axinom's samples base64-encode into content_id). */
const GUID_TEXT = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Chooses the Key ID of every track (and period), in the order the response lists them: ascending period, then
 * request track order (Shaka requires ascending `crypto_period_index`, widevine_key_source.cc).
 *
 * - A `content_id` that is a GUID, as text with dashes (any case) or as 16 raw bytes, is the Key ID of every
 *   track (Axinom: "for all tracks the same key will be returned with the keyId=contentId").
 * - Otherwise, and always for key rotation (one fixed Key ID would defeat it), the Key ID is
 *   `stableKeyId(tenantId, ["widevine-cenc", base64(content_id), trackType, period])`, plus `video_feature` for
 *   non-AUDIO tracks when given (proto: "Ignored for tracks with type AUDIO"). Period is 0 without rotation.
 */
export async function planTracks(request: CommonEncryptionRequest, tenantId: string): Promise<PlannedTrackKey[]> {
  const rotation = request.cryptoPeriods;
  if (!rotation) {
    const guid = contentIdAsGuid(request.contentId);
    if (guid) return request.tracks.map((trackType) => ({ trackType, kid: guid }));
    const contentIdBase64 = toBase64(request.contentId);
    return Promise.all(
      request.tracks.map(async (trackType) => ({
        trackType,
        kid: await hashedKeyId(request, tenantId, contentIdBase64, trackType, UNROTATED_PERIOD_INDEX),
      })),
    );
  }
  // The content_id's base64 is a part of every key's stable Key ID: encoded once, not once per key.
  const contentIdBase64 = toBase64(request.contentId);
  const plan: Promise<PlannedTrackKey>[] = [];
  for (let period = rotation.firstIndex; period < rotation.firstIndex + rotation.count; period++) {
    for (const trackType of request.tracks) {
      plan.push(
        hashedKeyId(request, tenantId, contentIdBase64, trackType, period).then((kid) => ({ trackType, kid, cryptoPeriodIndex: period })),
      );
    }
  }
  return Promise.all(plan);
}

/** The Key ID a GUID-shaped content_id names, or undefined when it is not one. */
export function contentIdAsGuid(contentId: Uint8Array): KeyId | undefined {
  if (contentId.length === 16) return KeyId.fromBytes(contentId);
  const text = fromUtf8(contentId);
  return GUID_TEXT.test(text) ? KeyId.parse(text) : undefined;
}

function hashedKeyId(
  request: CommonEncryptionRequest,
  tenantId: string,
  contentIdBase64: string,
  trackType: WidevineTrackType,
  period: number,
): Promise<KeyId> {
  const parts = [STABLE_KEY_ID_PROTOCOL, contentIdBase64, trackType, String(period)];
  if (request.videoFeature && trackType !== "AUDIO") parts.push(request.videoFeature);
  return stableKeyId(tenantId, parts);
}
