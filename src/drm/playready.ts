import { firstNonXmlChar } from "../xml/chars";
import type { ContentKey } from "../domain/content-key";
import type { ProtectionScheme } from "../domain/protection-scheme";
import { toBase64 } from "../domain/bytes";
import type { KeyId } from "../domain/key-id";

/**
 * PlayReady Header (WRMHEADER) and key checksum, from MicrosoftDocs/PlayReady
 * `Docs/Specifications/playready-header-specification.md` (cited below as "PRH spec").
 */

/** `ALGID` values this service emits: AESCTR for cenc/cens, AESCBC for cbcs/cbc1 (PRH spec §3.3, v4.3.0.0). */
export type PlayReadyAlgorithm = "AESCTR" | "AESCBC";

/** The PRH namespace, the same in every header version (PRH spec §3.3.3–§3.6.2). */
const PRH_NAMESPACE = "http://schemas.microsoft.com/DRM/2007/03/PlayReadyHeader";
/** PRH spec §5: the checksum is "the first 8 bytes" of the encrypted KID. */
const CHECKSUM_LENGTH = 8;
/** AES block size; the zero IV turns one CBC block into ECB. */
const AES_BLOCK = 16;

/** Picks the algorithm for a scheme; no scheme (plain CPIX) means the CTR form every PlayReady client reads. */
export function playReadyAlgorithmFor(scheme: ProtectionScheme | undefined): PlayReadyAlgorithm {
  return scheme === "cbcs" || scheme === "cbc1" ? "AESCBC" : "AESCTR";
}

/** KID `VALUE`: base64 of the GUID in little-endian layout, "DWORD, WORD, WORD, 8-BYTE array" (PRH spec §3.6.2). */
export function playReadyKidValue(kid: KeyId): string {
  return toBase64(kid.guidBytes());
}

/** AESCTR key checksum (PRH spec §5): first 8 bytes of AES-128-ECB(content key, little-endian KID). */
export async function playReadyKeyChecksum(kid: KeyId, key: ContentKey): Promise<Uint8Array> {
  // WebCrypto has no ECB: the first block of AES-CBC with a zero IV is the ECB block; the padding block is dropped.
  const cryptoKey = await crypto.subtle.importKey("raw", key.bytes, "AES-CBC", false, ["encrypt"]);
  const cipher = await crypto.subtle.encrypt({ name: "AES-CBC", iv: new Uint8Array(AES_BLOCK) }, cryptoKey, kid.guidBytes());
  return new Uint8Array(cipher, 0, CHECKSUM_LENGTH).slice();
}

/** What goes into a single-KID WRMHEADER. */
export interface WrmHeaderFields {
  readonly kid: KeyId;
  /** 8-byte AESCTR checksum; optional since Server SDK 1.5 but required by Porting Kit 1.2 (PRH spec §3.6.2 notes). */
  readonly checksum?: Uint8Array;
  /** `LA_URL`: "Only absolute URLs are allowed" (PRH spec §3.6.2). */
  readonly laUrl?: string;
}

/** WRMHEADER 4.0.0.0 (PRH spec §3.6): one AESCTR KID, then CHECKSUM and LA_URL. */
export function wrmHeaderV4_0(fields: WrmHeaderFields): string {
  // Element order (KEYLEN, ALGID; KID, CHECKSUM, LA_URL) is that of the spec's sample PRO (§3.6.1) and of Shaka's
  // playready_pssh_generator.cc; §3.6.2 says order does not matter, but byte-exact output keeps vectors comparable.
  const checksum = fields.checksum ? `<CHECKSUM>${toBase64(fields.checksum)}</CHECKSUM>` : "";
  return (
    `<WRMHEADER xmlns="${PRH_NAMESPACE}" version="4.0.0.0"><DATA>` +
    `<PROTECTINFO><KEYLEN>16</KEYLEN><ALGID>AESCTR</ALGID></PROTECTINFO>` +
    `<KID>${playReadyKidValue(fields.kid)}</KID>${checksum}${laUrlElement(fields.laUrl)}</DATA></WRMHEADER>`
  );
}

/** WRMHEADER 4.3.0.0 with one `ALGID="AESCBC"` KID and no CHECKSUM ("must not be included", PRH spec §3.3.1, §5). */
export function wrmHeaderV4_3Cbc(fields: Omit<WrmHeaderFields, "checksum">): string {
  // Attributes in alphabetical order and explicit closing tags (§3.2.3, §3.2.5).
  return (
    `<WRMHEADER xmlns="${PRH_NAMESPACE}" version="4.3.0.0"><DATA>` +
    `<PROTECTINFO><KIDS><KID ALGID="AESCBC" VALUE="${playReadyKidValue(fields.kid)}"></KID></KIDS></PROTECTINFO>` +
    `${laUrlElement(fields.laUrl)}</DATA></WRMHEADER>`
  );
}

function laUrlElement(laUrl: string | undefined): string {
  return laUrl === undefined ? "" : `<LA_URL>${escapeXmlText(laUrl)}</LA_URL>`;
}

function escapeXmlText(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/**
 * Longest LA_URL accepted, counted as it is written into the WRMHEADER (XML-escaped: `&` takes 5 characters); keeps
 * the PRO far below the 15 KB limit of PRH spec §2 (2 bytes per UTF-16 unit). Counting the raw URL let ~1,500 `&`
 * through, which overflowed the PRO at every acquisition.
 */
export const PLAYREADY_LA_URL_MAX_LENGTH = 2048;

/** Names the rule an LA_URL breaks, or undefined: "Only absolute URLs are allowed" (PRH spec §3.6.2), http(s) only. */
export function playReadyLaUrlProblem(laUrl: string): string | undefined {
  const written = escapeXmlText(laUrl).length;
  if (written > PLAYREADY_LA_URL_MAX_LENGTH) {
    return `must be at most ${PLAYREADY_LA_URL_MAX_LENGTH} characters once XML-escaped (& counts 5, < and > 4), got ${written}`;
  }
  if (laUrl.trim() !== laUrl || laUrl === "") return "must not be empty or have surrounding whitespace";
  // It is written into the WRMHEADER XML, where only XML 1.0 §2.2 Char may appear.
  if (firstNonXmlChar(laUrl) !== -1) return "must hold only characters XML allows (XML 1.0 §2.2 Char)";
  let url: URL;
  try {
    url = new URL(laUrl);
  } catch {
    return "must be an absolute URL (PlayReady Header spec §3.6.2)";
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return `must be an http or https URL, got ${url.protocol}`;
  return undefined;
}
