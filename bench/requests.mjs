import { createCipheriv, createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { PROJECT_ROOT } from "./service.mjs";

/** The request bodies the bench replays: built once, checked once, then sent unchanged. */

const PRESETS = JSON.parse(readFileSync(join(PROJECT_ROOT, "test", "fixtures", "cpix", "speke-v2-presets.json"), "utf8"));
export const SYSTEM_IDS = PRESETS.drm_system_ids;

/** What each DRMSystem asks for: DASH signalling for Widevine and PlayReady, HLS for FairPlay (as MediaPackage v2 sends). */
const DASH_SIGNALLING = "<cpix:PSSH/><cpix:ContentProtectionData/>";
const HLS_SIGNALLING = '<cpix:HLSSignalingData playlist="media"/><cpix:HLSSignalingData playlist="master"/>';
const FULL_SIGNALLING = DASH_SIGNALLING + HLS_SIGNALLING;

/** Fixed Key IDs so every replayed request is the same and every response byte-identical. */
function benchKid(index) {
  return `b3e1c0de-0000-4000-8000-${String(index).padStart(12, "0")}`;
}

function cpix(contentId, keys, systems, rules, extra = "") {
  return `<?xml version="1.0" encoding="UTF-8"?>
<cpix:CPIX xmlns:cpix="urn:dashif:org:cpix" xmlns:pskc="urn:ietf:params:xml:ns:keyprov:pskc" contentId="${contentId}" version="2.3">${extra}
  <cpix:ContentKeyList>${keys.join("")}</cpix:ContentKeyList>
  <cpix:DRMSystemList>${systems.join("")}</cpix:DRMSystemList>
  <cpix:ContentKeyUsageRuleList>${rules.join("")}</cpix:ContentKeyUsageRuleList>
</cpix:CPIX>`;
}

function filterXml(name, filter) {
  const attributes = Object.entries(filter ?? {})
    .map(([attribute, value]) => ` ${attribute}="${value}"`)
    .join("");
  return `<cpix:${name}${attributes}/>`;
}

/** SPEKE v2.0 (CPIX 2.3), one key for every track (the SHARED preset), signalled for one DRM system. */
export function spekeV2OneKey(system) {
  const kid = benchKid(1);
  const scheme = system === "fairplay" ? "cbcs" : "cenc"; // FairPlay is cbcs only (SPEKE v2 error table).
  const signalling = system === "fairplay" ? HLS_SIGNALLING : DASH_SIGNALLING;
  return cpix(
    `bench-one-${system}`,
    [`<cpix:ContentKey kid="${kid}" commonEncryptionScheme="${scheme}"/>`],
    [`<cpix:DRMSystem kid="${kid}" systemId="${SYSTEM_IDS[system]}">${signalling}</cpix:DRMSystem>`],
    [`<cpix:ContentKeyUsageRule kid="${kid}" intendedTrackType="ALL"><cpix:VideoFilter/><cpix:AudioFilter/></cpix:ContentKeyUsageRule>`],
  );
}

/**
 * SPEKE v2.0, one key for every track (the SHARED preset) signalled for Widevine, PlayReady and FairPlay, each
 * DRMSystem asking every form a packager asks for: PSSH, ContentProtectionData and both HLS playlists; cbcs, which
 * FairPlay needs (issue: speed, "1 key × WV+PR+FP × every form").
 */
export function spekeV2OneKeyThreeDrms() {
  const kid = benchKid(2);
  return cpix(
    "bench-one-three-drms",
    [`<cpix:ContentKey kid="${kid}" commonEncryptionScheme="cbcs"/>`],
    ["widevine", "playready", "fairplay"].map(
      (system) => `<cpix:DRMSystem kid="${kid}" systemId="${SYSTEM_IDS[system]}">${FULL_SIGNALLING}</cpix:DRMSystem>`,
    ),
    [`<cpix:ContentKeyUsageRule kid="${kid}" intendedTrackType="ALL"><cpix:VideoFilter/><cpix:AudioFilter/></cpix:ContentKeyUsageRule>`],
  );
}

/**
 * SPEKE v2.0 PRESET-VIDEO-8 + PRESET-AUDIO-3, rules taken from test/fixtures/cpix/speke-v2-presets.json, every key
 * signalled for Widevine, PlayReady and FairPlay (cbcs, which FairPlay needs) with PSSH, ContentProtectionData
 * and both HLS playlists. `withDeliveryData` adds a DeliveryDataList (content key encryption).
 */
export function spekeV2Presets(video = "PRESET-VIDEO-8", audio = "PRESET-AUDIO-3", { withDeliveryData = false } = {}) {
  const tracks = [...PRESETS.video_presets[video], ...PRESETS.audio_presets[audio]];
  const kids = tracks.map((_track, i) => benchKid(100 + i));
  const systems = ["widevine", "playready", "fairplay"];
  const rules = tracks.map((track, i) => {
    const videoFilter = track.VideoFilter ? filterXml("VideoFilter", track.VideoFilter) : "";
    const audioFilter = track.AudioFilter ? filterXml("AudioFilter", track.AudioFilter) : "";
    return `<cpix:ContentKeyUsageRule kid="${kids[i]}" intendedTrackType="${track.intendedTrackType}">${videoFilter}${audioFilter}</cpix:ContentKeyUsageRule>`;
  });
  const deliveryData = withDeliveryData
    ? `
  <cpix:DeliveryDataList><cpix:DeliveryData id="bench-recipient"><cpix:DeliveryKey><ds:X509Data xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Certificate>${recipientCertificate()}</ds:X509Certificate></ds:X509Data></cpix:DeliveryKey></cpix:DeliveryData></cpix:DeliveryDataList>`
    : "";
  return {
    keyCount: kids.length,
    body: cpix(
      `bench-${video}-${audio}`.toLowerCase(),
      kids.map((kid) => `<cpix:ContentKey kid="${kid}" commonEncryptionScheme="cbcs"/>`),
      kids.flatMap((kid) =>
        systems.map((system) => `<cpix:DRMSystem kid="${kid}" systemId="${SYSTEM_IDS[system]}">${FULL_SIGNALLING}</cpix:DRMSystem>`),
      ),
      rules,
      deliveryData,
    ),
  };
}

/** A recipient certificate from the DASH-IF CPIX test vectors (test/fixtures/cpix/samples), as a packager would send its own. */
function recipientCertificate() {
  const sample = readFileSync(
    join(PROJECT_ROOT, "test", "fixtures", "cpix", "samples", "dashif-cpix-test-vectors", "EncryptedContentKeys.xml"),
    "utf8",
  );
  return /<ds:X509Certificate>([^<]+)</.exec(sample)[1].replace(/\s+/g, "");
}

/** Key ID number `index` of the review's worst request: all share the prefix `00000000-0000-4000-8000-0000`. */
function sharedPrefixKid(index) {
  return `00000000-0000-4000-8000-${index.toString(16).padStart(12, "0")}`;
}

/** Plain CPIX in the default namespace (the fewest bytes per element): `keys` ContentKeys, a usage rule for each. */
function keysWithRules(keys) {
  const contentKeys = [];
  const rules = [];
  for (let i = 0; i < keys; i++) {
    contentKeys.push(`<ContentKey kid="${sharedPrefixKid(i)}"/>`);
    rules.push(`<ContentKeyUsageRule kid="${sharedPrefixKid(i)}"/>`);
  }
  return (
    `<?xml version="1.0" encoding="UTF-8"?><CPIX xmlns="urn:dashif:org:cpix" id="limits">` +
    `<ContentKeyList>${contentKeys.join("")}</ContentKeyList>` +
    `<ContentKeyUsageRuleList>${rules.join("")}</ContentKeyUsageRuleList></CPIX>`
  );
}

/**
 * The security review's worst request (test/workers/support/large-cpix-requests.ts builds the same): as many
 * shared-prefix keys, each with a usage rule, as fit in 1 MiB (about 8,800), sent with `?overrideKeyIds=true`,
 * which used to look each key's rule up with a search over every rule (12.6 s for ~8,000 keys).
 */
export function worstCaseCpix(maxBytes = 1024 * 1024) {
  const perKey = keysWithRules(2).length - keysWithRules(1).length;
  const keys = Math.floor((maxBytes - keysWithRules(0).length) / perKey);
  return { keys, body: keysWithRules(keys) };
}

/** The Key ID of the CPIX GET scenario. */
export const CPIX_GET_KID = benchKid(7);

/**
 * Widevine CENC API key request (`CommonEncryptionRequest`, Shaka Packager
 * `packager/media/base/widevine_common_encryption.proto`): five tracks, Widevine only, cenc, fields in the order of
 * Shaka's `kExpectedRequestMessageFormat` (test/fixtures/vectors/widevine-cenc-api-shaka-unittest.json).
 */
export const WIDEVINE_REQUEST = {
  content_id: Buffer.from("bench-content").toString("base64"),
  policy: "",
  tracks: [{ type: "SD" }, { type: "HD" }, { type: "UHD1" }, { type: "UHD2" }, { type: "AUDIO" }],
  drm_types: ["WIDEVINE"],
  protection_scheme: "CENC",
};

/**
 * The key-rotation request Shaka Packager sends (`kCryptoPeriodRequestMessageFormat` in Shaka's
 * `widevine_key_source_unittest.cc`, test/fixtures/vectors/widevine-cenc-api-shaka-unittest.json): the same five
 * tracks, `crypto_period_count` 10 (`--crypto_period_count` default), in that field order; 50 keys in one answer.
 */
export const WIDEVINE_ROTATION_REQUEST = {
  content_id: Buffer.from("bench-rotation").toString("base64"),
  policy: "",
  tracks: [{ type: "SD" }, { type: "HD" }, { type: "UHD1" }, { type: "UHD2" }, { type: "AUDIO" }],
  drm_types: ["WIDEVINE"],
  first_crypto_period_index: 7,
  crypto_period_count: 10,
  crypto_period_seconds: 100,
  protection_scheme: "CENC",
};

/**
 * The signed envelope Shaka Packager sends: signature = AES-256-CBC(key, iv, PKCS#7(SHA-1(request bytes)))
 * (packager/media/base/request_signer.cc); Node's cipher pads with PKCS#7 by default.
 */
export function signedWidevineBody(request, signer, signingKeyHex, signingIvHex) {
  const requestBytes = Buffer.from(JSON.stringify(request), "utf8");
  const digest = createHash("sha1").update(requestBytes).digest();
  const cipher = createCipheriv("aes-256-cbc", Buffer.from(signingKeyHex, "hex"), Buffer.from(signingIvHex, "hex"));
  const signature = Buffer.concat([cipher.update(digest), cipher.final()]);
  return JSON.stringify({ request: requestBytes.toString("base64"), signature: signature.toString("base64"), signer });
}
