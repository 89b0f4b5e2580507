/**
 * SPEKE v2.0 requests built from the encryption-contract presets (AWS Elemental MediaPackage / MediaConvert
 * "SPEKE Version 2.0 presets"; pixel and channel bounds as the SPEKE reference server's test generator writes them).
 * Each rule gets one key; its ContentKeyUsageRule carries the preset's intendedTrackType and filter, as
 * MediaPackage sends them (CPIX 2.3 §5.3.4 ContentKeyUsageRule).
 */
const SD = 589824; // 1024×576
const HD1 = 921600; // 1280×720
const HD = 2073600; // 1920×1080
const UHD1 = 8847360; // 4096×2160

const video = (type, min, max) => ({ type, video: { minPixels: min, maxPixels: max } });
const audio = (type, min, max) => ({ type, audio: { minChannels: min, maxChannels: max } });

export const VIDEO_PRESETS = {
  "PRESET-VIDEO-1": [video("VIDEO")],
  "PRESET-VIDEO-2": [video("SD", undefined, SD), video("HD", SD + 1)],
  "PRESET-VIDEO-3": [video("SD", undefined, SD), video("HD", SD + 1, HD), video("UHD", HD + 1)],
  "PRESET-VIDEO-4": [video("SD", undefined, SD), video("HD", SD + 1, HD), video("UHD1", HD + 1, UHD1), video("UHD2", UHD1 + 1)],
  "PRESET-VIDEO-5": [
    video("SD", undefined, SD),
    video("HD1", SD + 1, HD1),
    video("HD2", HD1 + 1, HD),
    video("UHD1", HD + 1, UHD1),
    video("UHD2", UHD1 + 1),
  ],
  "PRESET-VIDEO-6": [video("SD", undefined, SD), video("HD1", SD + 1, HD1), video("HD2", HD1 + 1, HD), video("UHD", HD + 1)],
  "PRESET-VIDEO-7": [video("SD+HD1", undefined, HD1), video("HD2", HD1 + 1, HD), video("UHD", HD + 1)],
  "PRESET-VIDEO-8": [video("SD+HD1", undefined, HD1), video("HD2", HD1 + 1, HD), video("UHD1", HD + 1, UHD1), video("UHD2", UHD1 + 1)],
  SHARED: [],
  UNENCRYPTED: [],
};

export const AUDIO_PRESETS = {
  "PRESET-AUDIO-1": [audio("AUDIO")],
  "PRESET-AUDIO-2": [audio("STEREO_AUDIO", undefined, 2), audio("MULTICHANNEL_AUDIO", 3)],
  "PRESET-AUDIO-3": [audio("STEREO_AUDIO", undefined, 2), audio("MULTICHANNEL_AUDIO_3_6", 3, 6), audio("MULTICHANNEL_AUDIO_7", 7)],
  SHARED: [],
  UNENCRYPTED: [],
};

/** DRM system ids (DASH-IF content protection identifiers). */
export const SYSTEMS = {
  Widevine: "edef8ba9-79d6-4ace-a3c8-27dcd51d21ed",
  PlayReady: "9a04f079-9840-4286-ab92-e65be0885f95",
  FairPlay: "94ce86fb-07ff-4f43-adb8-93d2fa968ca2",
};

/** Why a preset pair cannot be sent (SPEKE v2 encryption contract), or undefined. */
export function presetProblem(videoPreset, audioPreset) {
  if ((videoPreset === "SHARED") !== (audioPreset === "SHARED")) return "SHARED must be chosen for both video and audio.";
  if (videoPreset === "UNENCRYPTED" && audioPreset === "UNENCRYPTED") return "Video and audio cannot both be UNENCRYPTED.";
  return undefined;
}

/** The keys a preset pair asks for: one rule each, `ALL` with bare filters for SHARED. */
export function presetRules(videoPreset, audioPreset) {
  if (videoPreset === "SHARED") return [{ type: "ALL", video: {}, audio: {} }];
  return [...VIDEO_PRESETS[videoPreset], ...AUDIO_PRESETS[audioPreset]];
}

const escape = (text) => text.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
const attributes = (values) =>
  Object.entries(values ?? {})
    .filter(([, value]) => value !== undefined)
    .map(([name, value]) => ` ${name}="${value}"`)
    .join("");

/** A SPEKE v2.0 (CPIX 2.3) request: fresh random KIDs, every chosen system asked to fill its signalling. */
export function spekeV2Request({ contentId, scheme, systems, videoPreset, audioPreset }) {
  const rules = presetRules(videoPreset, audioPreset).map((rule) => ({ ...rule, kid: crypto.randomUUID() }));
  const drm = (kid, name) => {
    const hls = '<cpix:HLSSignalingData playlist="media"/><cpix:HLSSignalingData playlist="master"/>';
    const dash = name === "FairPlay" ? "" : "<cpix:PSSH/><cpix:ContentProtectionData/>";
    return `    <cpix:DRMSystem kid="${kid}" systemId="${SYSTEMS[name]}">${dash}${hls}</cpix:DRMSystem>`;
  };
  const filters = (rule) =>
    `${rule.video ? `<cpix:VideoFilter${attributes(rule.video)}/>` : ""}${rule.audio ? `<cpix:AudioFilter${attributes(rule.audio)}/>` : ""}`;
  return `<?xml version="1.0" encoding="UTF-8"?>
<cpix:CPIX xmlns:cpix="urn:dashif:org:cpix" xmlns:pskc="urn:ietf:params:xml:ns:keyprov:pskc" contentId="${escape(contentId)}" version="2.3">
  <cpix:ContentKeyList>
${rules.map((rule) => `    <cpix:ContentKey kid="${rule.kid}" commonEncryptionScheme="${scheme}"/>`).join("\n")}
  </cpix:ContentKeyList>
  <cpix:DRMSystemList>
${rules.flatMap((rule) => systems.map((name) => drm(rule.kid, name))).join("\n")}
  </cpix:DRMSystemList>
  <cpix:ContentKeyUsageRuleList>
${rules.map((rule) => `    <cpix:ContentKeyUsageRule kid="${rule.kid}" intendedTrackType="${rule.type}">${filters(rule)}</cpix:ContentKeyUsageRule>`).join("\n")}
  </cpix:ContentKeyUsageRuleList>
</cpix:CPIX>
`;
}
