import { toBase64 } from "../domain/bytes";
import type { HlsKeyMethod, ProtectionScheme } from "../domain/protection-scheme";
import { SYSTEM_IDS } from "./system-ids";

/**
 * HLS key tags (`#EXT-X-KEY` in media playlists, `#EXT-X-SESSION-KEY` in the multivariant playlist) as SPEKE v2
 * `HLSSignalingData` and CPIX carry them. Attribute sets and order follow the AWS MediaPackage v2 SPEKE guide
 * (docs.aws.amazon.com/mediapackage/latest/userguide/implementing-speke-v2.html): no `SCHEME`, no `KEYID`/`IV`, media and master lines differ only in the tag name.
 */

/** The values of one key tag, before it is written for a playlist. */
export interface HlsKeySignal {
  readonly method: HlsKeyMethod;
  readonly uri: string;
  readonly keyFormat: string;
  readonly keyFormatVersions: string;
  /** MediaPackage v2 wants PlayReady as METHOD, KEYFORMAT, KEYFORMATVERSIONS, URI; the others put URI second. */
  readonly keyFormatBeforeUri: boolean;
}

/** KEYFORMAT values (Apple "Using content protection systems with HLS"; Shaka `simple_hls_notifier.cc`). */
export const HLS_KEY_FORMATS = {
  widevine: `urn:uuid:${SYSTEM_IDS.widevine.toString()}`,
  playReady: "com.microsoft.playready",
  fairPlay: "com.apple.streamingkeydelivery",
  /** RFC 8216 §4.3.2.4: the default KEYFORMAT, a key file of 16 raw bytes. */
  identity: "identity",
} as const;

/** Every key format here is at version 1 (Apple, "Using content protection systems with HLS"; RFC 8216 §4.3.2.4 KEYFORMATVERSIONS). */
const KEY_FORMAT_VERSIONS = "1";

/** METHOD for a scheme: fMP4 cbcs is SAMPLE-AES, cenc SAMPLE-AES-CTR, cens/cbc1 none (RFC 8216bis EXT-X-KEY). */
export function hlsSampleMethodFor(scheme: ProtectionScheme): HlsKeyMethod | undefined {
  if (scheme === "cbcs") return "SAMPLE-AES";
  if (scheme === "cenc") return "SAMPLE-AES-CTR";
  return undefined;
}

/** Widevine: URI is `data:text/plain;base64,` + the full PSSH box (Shaka `simple_hls_notifier.cc`; MediaPackage v2). */
export function widevineHlsKey(psshBox: Uint8Array, method: HlsKeyMethod): HlsKeySignal {
  const uri = `data:text/plain;base64,${toBase64(psshBox)}`;
  return { method, uri, keyFormat: HLS_KEY_FORMATS.widevine, keyFormatVersions: KEY_FORMAT_VERSIONS, keyFormatBeforeUri: false };
}

/** PlayReady: URI is `data:text/plain;charset=UTF-16;base64,` + the PRO (Shaka `simple_hls_notifier.cc`; MediaPackage v2). */
export function playReadyHlsKey(pro: Uint8Array, method: HlsKeyMethod): HlsKeySignal {
  const uri = `data:text/plain;charset=UTF-16;base64,${toBase64(pro)}`;
  return { method, uri, keyFormat: HLS_KEY_FORMATS.playReady, keyFormatVersions: KEY_FORMAT_VERSIONS, keyFormatBeforeUri: true };
}

/** FairPlay: METHOD=SAMPLE-AES ("you must use the METHOD=SAMPLE-AES", Apple) with an `skd://` URI. */
export function fairPlayHlsKey(skdUri: string): HlsKeySignal {
  return {
    method: "SAMPLE-AES",
    uri: skdUri,
    keyFormat: HLS_KEY_FORMATS.fairPlay,
    keyFormatVersions: KEY_FORMAT_VERSIONS,
    keyFormatBeforeUri: false,
  };
}

/** Clear Key AES-128: METHOD=AES-128, KEYFORMAT="identity", URI = where the player fetches the 16-byte key. */
export function clearKeyAes128HlsKey(keyUri: string): HlsKeySignal {
  return {
    method: "AES-128",
    uri: keyUri,
    keyFormat: HLS_KEY_FORMATS.identity,
    keyFormatVersions: KEY_FORMAT_VERSIONS,
    keyFormatBeforeUri: false,
  };
}

/**
 * Both playlists' tags of one signal, without line breaks: `#EXT-X-KEY` for the media playlist and
 * `#EXT-X-SESSION-KEY` for the master (RFC 8216 §4.3.4.5). The attribute list is the same in both (MediaPackage v2
 * guide), so it is rendered and its quoted-strings checked once.
 * @example renderHlsKeyTags(fairPlayHlsKey("skd://k")).media // '#EXT-X-KEY:METHOD=SAMPLE-AES,URI="skd://k",KEYFORMAT="com.apple.streamingkeydelivery",KEYFORMATVERSIONS="1"'
 */
export function renderHlsKeyTags(signal: HlsKeySignal): { readonly media: string; readonly master: string } {
  const attributes = keyTagAttributes(signal);
  return { media: `#EXT-X-KEY:${attributes}`, master: `#EXT-X-SESSION-KEY:${attributes}` };
}

function keyTagAttributes(signal: HlsKeySignal): string {
  // METHOD is an enumerated-string; URI, KEYFORMAT and KEYFORMATVERSIONS are quoted-strings (RFC 8216 §4.3.2.4).
  const uri = `URI=${quoted(signal.uri)}`;
  const keyFormat = `KEYFORMAT=${quoted(signal.keyFormat)},KEYFORMATVERSIONS=${quoted(signal.keyFormatVersions)}`;
  const rest = signal.keyFormatBeforeUri ? `${keyFormat},${uri}` : `${uri},${keyFormat}`;
  return `METHOD=${signal.method},${rest}`;
}

function quoted(value: string): string {
  if (/["\r\n]/.test(value)) throw new RangeError("an HLS quoted-string must not contain a double quote, CR or LF (RFC 8216 §4.2)");
  return `"${value}"`;
}
