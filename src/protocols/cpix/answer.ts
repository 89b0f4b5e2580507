import type { ContentKey, Iv, KeySeedValue } from "../../domain/content-key";
import type { KeyId } from "../../domain/key-id";
import type { ProtectionScheme } from "../../domain/protection-scheme";
import type { CpixAnswerDocument, CpixAnswerDrmSystem, CpixContentKey, CpixDocument } from "../../cpix/model";
import { drmSystemValueLength } from "../../cpix/writer";
import { MAX_ANSWER_BYTES } from "../../domain/request-limits";
import { isDrmSignallingFailure, signalDrmSystem, type DrmSignallingFailure, type DrmSignallingSettings } from "../../drm/signalling";
import type { StoredKeyLookup } from "../../tenancy/stored-content-keys";
import { keyMaterial } from "../key-material";
import type { AcquisitionFailure } from "./failure";
import type { CpixProfile } from "./profile";
import { capitalized } from "../../domain/sentence";

/**
 * Fills a request its profile checked: every ContentKey gets its key (the tenant's stored key for a KID it stores,
 * else derived from the seed) and an explicitIV (the request's, the stored one, or one derived from seed and KID so a
 * retry gets the same), every DRMSystem the signalling of its key, shaped by the
 * profile. Everything else (contentId, version, periods, usage rules) is echoed unchanged. Keys are found by KID
 * through a map, and the signalling is counted against MAX_ANSWER_BYTES as each DRMSystem is filled.
 */
export async function answerCpixRequest(
  request: CpixDocument,
  profile: CpixProfile,
  seed: KeySeedValue,
  settings: DrmSignallingSettings,
  stored?: StoredKeyLookup,
): Promise<{ ok: true; document: CpixAnswerDocument } | { ok: false; failure: AcquisitionFailure }> {
  const keys = request.contentKeyList?.items ?? [];
  const material = new Map<string, { key: ContentKey; iv: Iv; scheme: ProtectionScheme | undefined }>();
  const filledKeys: CpixContentKey[] = [];
  for (const contentKey of keys) {
    const { key, iv } = await keyMaterial(contentKey.kid, seed, stored, 16, contentKey.explicitIV);
    material.set(contentKey.kid.toString(), { key, iv, scheme: profile.schemeOf(contentKey) });
    const { encryptedValue: _dropped, ...rest } = contentKey;
    filledKeys.push({ ...rest, explicitIV: iv, value: key });
  }

  const filledSystems: CpixAnswerDrmSystem[] = [];
  let valueLength = 0;
  for (const system of request.drmSystemList?.items ?? []) {
    // The profile's check ran checkKeysAndSystems: every DRMSystem names a ContentKey of the document.
    const keyMaterial = material.get(system.kid.toString())!;
    const signalling = await signalDrmSystem({ systemId: system.systemId, kid: system.kid, ...keyMaterial, settings });
    if (isDrmSignallingFailure(signalling)) return { ok: false, failure: signallingFailure(signalling) };
    const filled = profile.fillDrmSystem(system, signalling, request);
    // The answer's size budget, counted as it grows: an answer over it is refused before the rest is built.
    valueLength += drmSystemValueLength(filled);
    if (valueLength > MAX_ANSWER_BYTES) return { ok: false, failure: { reason: "answer-too-large", limit: MAX_ANSWER_BYTES } };
    filledSystems.push(filled);
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
  return capitalized(setting);
}

/** The Key IDs a response carries, in order (for the issuance record). */
export function issuedKeyIds(document: CpixAnswerDocument): KeyId[] {
  return (document.contentKeyList?.items ?? []).map((key) => key.kid);
}
