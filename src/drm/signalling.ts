import type { ContentKey, Iv } from "../domain/content-key";
import type { KeyId } from "../domain/key-id";
import { isCbcScheme, type ProtectionScheme } from "../domain/protection-scheme";
import type { SystemId } from "../domain/system-id";
import { contentProtectionData } from "./content-protection";
import {
  clearKeyAes128HlsKey,
  fairPlayHlsKey,
  hlsSampleMethodFor,
  playReadyHlsKey,
  renderHlsKeyTags,
  widevineHlsKey,
  type HlsKeySignal,
} from "./hls";
import {
  DEFAULT_FAIRPLAY_URI_TEMPLATE,
  keyUriTemplateIsAscii,
  keyUriTemplateProblem,
  renderKeyUriTemplate,
  templateUsesIv,
} from "./key-uri-template";
import { playReadyAlgorithmFor, playReadyKeyChecksum, playReadyLaUrlProblem, wrmHeaderV4_0, wrmHeaderV4_3Cbc } from "./playready";
import { buildPlayReadyObject, buildPlayReadyPsshBox } from "./playready-object";
import { buildPsshBox } from "./pssh";
import { knownDrmSystem, SYSTEM_IDS } from "./system-ids";
import { encodeWidevinePsshData, widevinePsshBoxOf, type WidevinePsshData } from "./widevine";

/** Per-tenant choices that shape the signalling (all optional). */
export interface DrmSignallingSettings {
  /** WidevinePsshData `provider` (field 3). */
  readonly widevineProvider?: string;
  /** WidevinePsshData `content_id` (field 4). */
  readonly widevineContentId?: Uint8Array;
  /** WRMHEADER `LA_URL`; absolute http(s) URL. */
  readonly playReadyLaUrl?: string;
  /** `skd://` template; placeholders in key-uri-template.ts; default `skd://{kid}:{ivHex}`. */
  readonly fairPlayUriTemplate?: string;
  /** Key URL template for Clear Key AES-128; required for that system. */
  readonly clearKeyUriTemplate?: string;
}

export interface DrmSignallingInput {
  readonly systemId: SystemId;
  readonly kid: KeyId;
  readonly key: ContentKey;
  readonly iv: Iv;
  /** The key's scheme; undefined = plain CPIX, one key for any scheme (PlayReady gets AESCTR, FairPlay cbcs). */
  readonly scheme: ProtectionScheme | undefined;
  /**
   * True for a protocol that carries no text form (the Widevine CENC API): ContentProtectionData and the HLS lines
   * are then not built. The binary forms and FairPlay's skd URI are built either way.
   */
  readonly omitText?: boolean;
  readonly settings: DrmSignallingSettings;
}

/** Everything the protocols may place in a response; each protocol picks the fields its wire format has. */
export interface DrmSignalling {
  /** Full PSSH box (CPIX `PSSH`, Widevine CENC API `boxes`). */
  readonly pssh?: Uint8Array;
  /** The box's data payload (Widevine CENC API `data`; the PRO for PlayReady). */
  readonly psshData?: Uint8Array;
  /** XML text of CPIX `ContentProtectionData`, before base64. */
  readonly contentProtectionData?: string;
  /**
   * True when `contentProtectionData` and the HLS lines are ASCII, so a protocol may base64 them without a UTF-8
   * encoding (`Base64Value.ofAscii`). They are built from fixed ASCII, hex and base64, plus a tenant's key URI
   * template for FairPlay and Clear Key, whose characters are known once per template (`keyUriTemplateIsAscii`).
   * Absent: not known, check.
   */
  readonly textIsAscii?: boolean;
  /** `#EXT-X-KEY:` line (CPIX `HLSSignalingData@playlist="media"`). */
  readonly hlsMediaLine?: string;
  /** `#EXT-X-SESSION-KEY:` line (`playlist="master"`, CPIX 2.4 `multiVariant`). */
  readonly hlsMasterLine?: string;
  /** The PlayReady Object, for `SmoothStreamingProtectionHeaderData` / `speke:ProtectionHeader` (base64ed by the caller). */
  readonly smoothStreamingProtectionHeader?: Uint8Array;
  /** 8-byte AESCTR key checksum (PlayReady Header spec §5); absent for AESCBC. */
  readonly playReadyChecksum?: Uint8Array;
  readonly skdUri?: string;
  readonly hlsKeyFormat?: string;
  readonly hlsKeyFormatVersions?: string;
  /** The key tag's URI alone (SPEKE v1 `URIExtXKey`). */
  readonly hlsUri?: string;
}

type SettingName = keyof DrmSignallingSettings;

/** Why a DRM system cannot be signalled for this key; the protocol layer maps each to its own error. */
export type DrmSignallingFailure =
  | { readonly reason: "unsupported-system"; readonly systemId: SystemId }
  | { readonly reason: "scheme-not-supported-by-system"; readonly systemId: SystemId; readonly scheme: ProtectionScheme }
  | {
      readonly reason: "iv-size-not-supported-by-system";
      readonly systemId: SystemId;
      readonly ivLength: number;
      readonly required: number;
    }
  | { readonly reason: "setting-required"; readonly systemId: SystemId; readonly setting: SettingName }
  | { readonly reason: "setting-invalid"; readonly systemId: SystemId; readonly setting: SettingName; readonly rule: string };

/** Tells a failure from a signalling result. */
export function isDrmSignallingFailure(result: DrmSignalling | DrmSignallingFailure): result is DrmSignallingFailure {
  return "reason" in result;
}

/** FairPlay IVs are 16 bytes and sit in the skd URI (ISO/IEC 23001-7 cbcs; Axinom's skd URI carries a "32-character hex" IV). */
const FAIRPLAY_IV_LENGTH = 16;

/**
 * Builds every signalling form one DRM system needs for one key, the single entry point for all protocols.
 * @example await signalDrmSystem({ systemId: SYSTEM_IDS.widevine, kid, key, iv, scheme: "cenc", settings: {} })
 */
export async function signalDrmSystem(input: DrmSignallingInput): Promise<DrmSignalling | DrmSignallingFailure> {
  switch (knownDrmSystem(input.systemId)) {
    case "widevine":
      return signalWidevine(input);
    case "playReady":
      return signalPlayReady(input);
    case "fairPlay":
      return signalFairPlay(input);
    case "commonPssh":
      return signalCommonPssh(input);
    case "clearKeyAes128":
    case "hlsAes128Speke":
      return signalClearKeyAes128(input);
    case "clearKeyDashIf": // signalled in the MPD by the packager (dashif:Laurl); no PSSH or HLS form defined here
    case undefined:
      return { reason: "unsupported-system", systemId: input.systemId };
  }
}

function signalWidevine({ kid, scheme, settings, omitText }: DrmSignallingInput): DrmSignalling {
  const fields: WidevinePsshData = {
    keyIds: [kid],
    ...(settings.widevineProvider !== undefined && { provider: settings.widevineProvider }),
    ...(settings.widevineContentId !== undefined && { contentId: settings.widevineContentId }),
    // No scheme (plain CPIX): leave protection_scheme out so the box fits every scheme the key is used with.
    ...(scheme !== undefined && { protectionScheme: scheme }),
  };
  const psshData = encodeWidevinePsshData(fields);
  const pssh = widevinePsshBoxOf(psshData);
  if (omitText) return { pssh, psshData };
  const method = hlsSampleMethodFor(scheme ?? "cenc");
  return {
    pssh,
    psshData,
    contentProtectionData: contentProtectionData(pssh),
    textIsAscii: true, // base64 in fixed markup, and a data: URI of base64
    ...(method && hlsFields(widevineHlsKey(pssh, method))),
  };
}

async function signalPlayReady({
  systemId,
  kid,
  key,
  scheme,
  settings,
  omitText,
}: DrmSignallingInput): Promise<DrmSignalling | DrmSignallingFailure> {
  const laUrl = settings.playReadyLaUrl;
  const laUrlProblem = laUrl === undefined ? undefined : checkedLaUrl(laUrl);
  if (laUrlProblem) return { reason: "setting-invalid", systemId, setting: "playReadyLaUrl", rule: laUrlProblem };
  const ctr = playReadyAlgorithmFor(scheme) === "AESCTR";
  // AESCTR: WRMHEADER 4.0 with CHECKSUM, readable by every PlayReady client (Shaka's choice for cenc/cens).
  // AESCBC: 4.3, the first version with AESCBC, which forbids CHECKSUM (PlayReady Header spec §3.3.1, §5).
  const checksum = ctr ? await playReadyKeyChecksum(kid, key) : undefined;
  const header = checksum
    ? wrmHeaderV4_0({ kid, checksum, ...(laUrl !== undefined && { laUrl }) })
    : wrmHeaderV4_3Cbc({ kid, ...(laUrl !== undefined && { laUrl }) });
  const pro = buildPlayReadyObject(header);
  // Version 0, as Shaka's current generator and the DASH-IF CPIX test vectors (Complex.xml) write it.
  const pssh = buildPlayReadyPsshBox(pro, { version: 0 });
  const binary = { pssh, psshData: pro, smoothStreamingProtectionHeader: pro, ...(checksum && { playReadyChecksum: checksum }) };
  if (omitText) return binary;
  const method = hlsSampleMethodFor(scheme ?? "cenc");
  return {
    ...binary,
    contentProtectionData: contentProtectionData(pssh, pro),
    textIsAscii: true, // base64 in fixed markup, and a data: URI of base64 (the LA_URL is inside the base64)
    ...(method && hlsFields(playReadyHlsKey(pro, method))),
  };
}

/** LA_URL verdicts per isolate: the setting is the same for every key of a tenant. Few; starts over past this many. */
const MAX_CHECKED_LA_URLS = 256;
const CHECKED_LA_URLS = new Map<string, string | undefined>();

function checkedLaUrl(laUrl: string): string | undefined {
  if (CHECKED_LA_URLS.has(laUrl)) return CHECKED_LA_URLS.get(laUrl);
  const problem = playReadyLaUrlProblem(laUrl);
  if (CHECKED_LA_URLS.size >= MAX_CHECKED_LA_URLS) CHECKED_LA_URLS.clear();
  CHECKED_LA_URLS.set(laUrl, problem);
  return problem;
}

function signalFairPlay({ systemId, kid, iv, scheme, settings, omitText }: DrmSignallingInput): DrmSignalling | DrmSignallingFailure {
  // Apple: "To guarantee compatibility with FairPlay, you must use the METHOD=SAMPLE-AES ... the cbcs protection
  // scheme"; the SPEKE v2 suite rejects FairPlay with cenc (test_negative_cases.py).
  if (scheme !== undefined && scheme !== "cbcs") return { reason: "scheme-not-supported-by-system", systemId, scheme };
  const template = settings.fairPlayUriTemplate ?? DEFAULT_FAIRPLAY_URI_TEMPLATE;
  const problem = keyUriTemplateProblem(template) ?? (template.startsWith("skd://") ? undefined : "must start with skd://");
  if (problem) return { reason: "setting-invalid", systemId, setting: "fairPlayUriTemplate", rule: problem };
  if (templateUsesIv(template) && iv.bytes.length !== FAIRPLAY_IV_LENGTH) {
    return { reason: "iv-size-not-supported-by-system", systemId, ivLength: iv.bytes.length, required: FAIRPLAY_IV_LENGTH };
  }
  const skdUri = renderKeyUriTemplate(template, kid, iv);
  if (omitText) return { skdUri };
  return { skdUri, textIsAscii: keyUriTemplateIsAscii(template), ...hlsFields(fairPlayHlsKey(skdUri)) };
}

function signalCommonPssh({ kid }: DrmSignallingInput): DrmSignalling {
  // W3C format-registry initdata/cenc.html §4: version 1, the KIDs listed, DataSize 0.
  const pssh = buildPsshBox({ version: 1, systemId: SYSTEM_IDS.commonPssh, kids: [kid], data: new Uint8Array(0) });
  return { pssh, psshData: new Uint8Array(0), contentProtectionData: contentProtectionData(pssh), textIsAscii: true };
}

function signalClearKeyAes128({ systemId, kid, iv, scheme, settings }: DrmSignallingInput): DrmSignalling | DrmSignallingFailure {
  // HLS AES-128 encrypts whole segments with AES-CBC (RFC 8216 §5.2), so a CTR scheme cannot share its key
  // signalling; MediaPackage v2 names cbc1 (MediaPackage user guide, implementing-speke-v2), SPEKE v1 FairPlay
  // requests pair it with cbcs.
  if (scheme !== undefined && !isCbcScheme(scheme)) return { reason: "scheme-not-supported-by-system", systemId, scheme };
  const template = settings.clearKeyUriTemplate;
  if (template === undefined) return { reason: "setting-required", systemId, setting: "clearKeyUriTemplate" };
  const problem = keyUriTemplateProblem(template);
  if (problem) return { reason: "setting-invalid", systemId, setting: "clearKeyUriTemplate", rule: problem };
  return { textIsAscii: keyUriTemplateIsAscii(template), ...hlsFields(clearKeyAes128HlsKey(renderKeyUriTemplate(template, kid, iv))) };
}

function hlsFields(signal: HlsKeySignal): DrmSignalling {
  const lines = renderHlsKeyTags(signal);
  return {
    hlsMediaLine: lines.media,
    hlsMasterLine: lines.master,
    hlsKeyFormat: signal.keyFormat,
    hlsKeyFormatVersions: signal.keyFormatVersions,
    hlsUri: signal.uri,
  };
}
