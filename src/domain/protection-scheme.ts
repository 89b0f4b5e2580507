/**
 * Protection schemes: the one place their names are listed and parsed. A scheme is a Common Encryption 4CC; CPIX
 * 2.3.1/2.4 and SPEKE v2.1 may name it by the HLS METHOD that encrypts with it instead.
 */

/** Common Encryption protection schemes (ISO/IEC 23001-7 §4.2 scheme_type four-character codes). */
export type ProtectionScheme = "cenc" | "cbcs" | "cens" | "cbc1";
/** Every protection scheme, in the order error messages list them. */
export const PROTECTION_SCHEMES: readonly ProtectionScheme[] = ["cenc", "cbc1", "cens", "cbcs"];

/** EXT-X-KEY METHOD values that encrypt (RFC 8216bis §4.4.4.4: AES-128, SAMPLE-AES, SAMPLE-AES-CTR; NONE does not). */
export type HlsKeyMethod = "AES-128" | "SAMPLE-AES" | "SAMPLE-AES-CTR";

/**
 * A scheme as CPIX `ContentKey@commonEncryptionScheme` names it: a 4CC or, from CPIX 2.3.1/2.4 (SPEKE v2.1), an HLS
 * METHOD (CPIX 2.3.1 §ContentKey Element; AWS SPEKE v2.1 docs, "Changes from SPEKE v2.0").
 */
export type SchemeName = ProtectionScheme | HlsKeyMethod;

/** Every scheme name, in the order error messages list them. */
export const SCHEME_NAMES: readonly SchemeName[] = [...PROTECTION_SCHEMES, "AES-128", "SAMPLE-AES", "SAMPLE-AES-CTR"];

/**
 * The scheme an HLS METHOD encrypts with: SAMPLE-AES is cbcs and SAMPLE-AES-CTR cenc (RFC 8216bis §4.4.4.4 for fMP4),
 * whole-segment AES-128 is CBC like cbc1 (MediaPackage: Clear Key AES-128 is cbc1).
 */
const SCHEME_OF_NAME: Readonly<Record<SchemeName, ProtectionScheme>> = {
  cenc: "cenc",
  cbc1: "cbc1",
  cens: "cens",
  cbcs: "cbcs",
  "AES-128": "cbc1",
  "SAMPLE-AES": "cbcs",
  "SAMPLE-AES-CTR": "cenc",
};

/** ISO/IEC 23001-7 §4.2 scheme_type FourCCs as big-endian uint32 (WidevinePsshData field 9, Widevine CENC API enum). */
export const PROTECTION_SCHEME_FOURCC: Readonly<Record<ProtectionScheme, number>> = {
  cenc: 0x63656e63,
  cbc1: 0x63626331,
  cens: 0x63656e73,
  cbcs: 0x63626373,
};

const SCHEME_NAMES_BY_LOWER_CASE: ReadonlyMap<string, SchemeName> = new Map(SCHEME_NAMES.map((name) => [name.toLowerCase(), name]));

/** Parses a scheme name, case-insensitively and trimmed, into its canonical spelling; undefined for anything else. */
export function parseSchemeName(text: string): SchemeName | undefined {
  return SCHEME_NAMES_BY_LOWER_CASE.get(text.trim().toLowerCase());
}

/** Parses a 4CC scheme (case-insensitive, trimmed); undefined for anything else, HLS METHOD names included. */
export function parseProtectionScheme(text: string): ProtectionScheme | undefined {
  const name = parseSchemeName(text);
  return name !== undefined && !isHlsKeyMethod(name) ? name : undefined;
}

/** True when a scheme name is an HLS METHOD rather than a 4CC (CPIX 2.3.1/2.4 and SPEKE v2.1 only). */
export function isHlsKeyMethod(name: SchemeName): name is HlsKeyMethod {
  return SCHEME_OF_NAME[name] !== name;
}

/** The protection scheme a scheme name stands for. */
export function protectionSchemeOf(name: SchemeName): ProtectionScheme {
  return SCHEME_OF_NAME[name];
}

/** True for the CBC-mode schemes (PlayReady 4.3 AESCBC, FairPlay, HLS SAMPLE-AES). */
export function isCbcScheme(scheme: ProtectionScheme): boolean {
  return scheme === "cbcs" || scheme === "cbc1";
}
