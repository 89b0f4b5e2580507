import type { KeySeedValue } from "../../domain/content-key";
import type { StoredKeyLookup } from "../../tenancy/stored-content-keys";
import { keyMaterial } from "../key-material";
import { isCbcScheme } from "../../domain/protection-scheme";
import { MAX_ANSWER_BYTES } from "../../domain/request-limits";
import { isDrmSignallingFailure, signalDrmSystem, type DrmSignallingFailure, type DrmSignallingSettings } from "../../drm/signalling";
import { fail, succeed, type WidevineCencFailure, type WidevineCencResult } from "./failure";
import { planTracks, type PlannedTrackKey } from "./plan";
import type { CommonEncryptionRequest, WidevineDrmType } from "./request";
import {
  buildCommonEncryptionResponse,
  systemIdOf,
  trackValueLength,
  type CommonEncryptionResponseJson,
  type IssuedTrackKey,
} from "./response";

/** Tenant settings that shape the signalling; `widevineContentId` always comes from the request. */
export type WidevineCencSignallingSettings = Pick<DrmSignallingSettings, "widevineProvider" | "playReadyLaUrl" | "fairPlayUriTemplate">;

/** Keys issued for one request: the inner response and, for the audit log, which Key IDs went out. */
export interface IssuedCommonEncryptionKeys {
  readonly response: CommonEncryptionResponseJson;
  readonly keys: readonly PlannedTrackKey[];
}

/**
 * Plans the Key IDs, takes each key from the tenant's stored keys or derives it (and its IV) from the seed, builds the signalling of every requested drm_type
 * and renders the inner response. A Key ID shared by several tracks (GUID content_id) is derived once. The work is
 * bounded by the request limits (5 track types × MAX_CRYPTO_PERIOD_COUNT periods × 3 drm_types); the answer's
 * size is counted against MAX_ANSWER_BYTES before it is rendered.
 */
export async function issueCommonEncryptionKeys(options: {
  readonly request: CommonEncryptionRequest;
  readonly tenantId: string;
  readonly seed: KeySeedValue;
  /** The tenant's stored content keys: a planned KID it stores is answered with its stored key. */
  readonly storedKeys?: StoredKeyLookup;
  readonly settings: WidevineCencSignallingSettings;
}): Promise<WidevineCencResult<IssuedCommonEncryptionKeys>> {
  const { request, tenantId, seed, storedKeys, settings } = options;
  const plan = await planTracks(request, tenantId);
  const perKid = new Map<string, Promise<WidevineCencResult<Omit<IssuedTrackKey, "trackType" | "cryptoPeriodIndex">>>>();
  const issue = (planned: PlannedTrackKey) => {
    const id = planned.kid.toHex();
    if (!perKid.has(id)) perKid.set(id, issueForKid(planned, request, seed, storedKeys, settings));
    return perKid.get(id)!;
  };
  const issued = await Promise.all(plan.map(issue));
  const tracks: IssuedTrackKey[] = [];
  let valueLength = 0;
  for (const [i, planned] of plan.entries()) {
    const result = issued[i]!;
    if (!result.ok) return result;
    const track: IssuedTrackKey = {
      ...result.value,
      trackType: planned.trackType,
      ...(planned.cryptoPeriodIndex !== undefined && { cryptoPeriodIndex: planned.cryptoPeriodIndex }),
    };
    // The answer's size budget before any of it is rendered: the signed envelope is base64 of the inner JSON.
    valueLength += trackValueLength(track);
    if (4 * Math.ceil(valueLength / 3) > MAX_ANSWER_BYTES) return fail({ reason: "answer-too-large", limit: MAX_ANSWER_BYTES });
    tracks.push(track);
  }
  return succeed({
    response: buildCommonEncryptionResponse({ contentId: request.contentId, drmTypes: request.drmTypes, tracks }),
    keys: plan,
  });
}

async function issueForKid(
  { kid }: PlannedTrackKey,
  request: CommonEncryptionRequest,
  seed: KeySeedValue,
  storedKeys: StoredKeyLookup | undefined,
  settings: WidevineCencSignallingSettings,
): Promise<WidevineCencResult<Omit<IssuedTrackKey, "trackType" | "cryptoPeriodIndex">>> {
  const { key, iv } = await keyMaterial(kid, seed, storedKeys, issuedIvLength(request));
  const signalling: IssuedTrackKey["signalling"][number][] = [];
  for (const drmType of request.drmTypes) {
    const result = await signalDrmSystem({
      systemId: systemIdOf(drmType),
      kid,
      key,
      iv,
      scheme: signallingScheme(drmType, request),
      settings: { ...settings, widevineContentId: request.contentId },
      omitText: true, // the response carries PSSH boxes, their data, the checksum and skd_uri only (response.ts)
    });
    if (isDrmSignallingFailure(result)) return fail(signallingFailure(drmType, result));
    signalling.push({ drmType, signalling: result });
  }
  return succeed({ kid, key, iv, signalling });
}

/**
 * IV length for a request: 8 bytes for CTR schemes (cenc, cens, or none given) unless FairPlay is asked for,
 * else 16. ISO/IEC 23001-7 via Shaka `aes_cryptor.cc`: cenc/cens per-sample IVs "SHOULD be 8-bytes"; PlayReady
 * 1-3 read only 8 (mpeg-dash-playready.md Table 1); and with key rotation Shaka 3.4.2 writes IV size 8 in the
 * init segment's `tenc` whatever the key server sent, so a 16-byte IV leaves `tenc` and `seig` disagreeing (ffmpeg
 * then cannot read the segments; seen in test/interop/shaka-e2e.test.ts). CBC schemes need 16, and FairPlay
 * puts a 16-byte IV in the skd URI. The 8-byte IV is the prefix of the 16-byte one (`deriveIv`).
 */
function issuedIvLength(request: CommonEncryptionRequest): 8 | 16 {
  const cbc = request.protectionScheme !== undefined && isCbcScheme(request.protectionScheme);
  return cbc || request.drmTypes.includes("FAIRPLAY") ? 16 : 8;
}

/**
 * The scheme each system is signalled for. FairPlay is always cbcs (Apple: "you must use METHOD=SAMPLE-AES …
 * the cbcs protection scheme"), so a FAIRPLAY request beside a CENC one means the same key also serves HLS, as
 * in Axinom's sample (drm_types WIDEVINE, PLAYREADY, FAIRPLAY with protection_scheme CENC); it is signalled
 * scheme-neutrally. The others follow `protection_scheme`.
 */
function signallingScheme(drmType: WidevineDrmType, request: CommonEncryptionRequest) {
  return drmType === "FAIRPLAY" ? undefined : request.protectionScheme;
}

function signallingFailure(drmType: WidevineDrmType, failure: DrmSignallingFailure): WidevineCencFailure {
  switch (failure.reason) {
    case "setting-required":
      return { reason: "tenant-setting-invalid", setting: failure.setting, rule: "is required" };
    case "setting-invalid":
      return { reason: "tenant-setting-invalid", setting: failure.setting, rule: failure.rule };
    case "unsupported-system":
      return { reason: "drm-signalling-failed", drmType, detail: "the DRM system is not supported" };
    case "scheme-not-supported-by-system":
      return { reason: "drm-signalling-failed", drmType, detail: `protection_scheme ${failure.scheme} is not supported by ${drmType}` };
    case "iv-size-not-supported-by-system":
      return { reason: "drm-signalling-failed", drmType, detail: `the IV must be ${failure.required} bytes, got ${failure.ivLength}` };
  }
}
