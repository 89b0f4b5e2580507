import { parseProtectionScheme, type ProtectionScheme } from "../../domain/content-key";

/**
 * Reads `ContentKey@commonEncryptionScheme`: a CENC 4CC (ISO/IEC 23001-7 §4.2), or from CPIX 2.4 / SPEKE v2.1
 * an HLS METHOD name (AWS SPEKE v2.1 docs, "Changes from SPEKE v2.0"), mapped to the scheme that method
 * encrypts with: SAMPLE-AES is cbcs, SAMPLE-AES-CTR is cenc, and whole-segment AES-128 is CBC like cbc1
 * (MediaPackage: Clear Key AES-128 is cbc1).
 */
export function readSchemeValue(value: string, allowHlsMethods: boolean): ProtectionScheme | undefined {
  const scheme = parseProtectionScheme(value);
  if (scheme || !allowHlsMethods) return scheme;
  switch (value.trim().toUpperCase()) {
    case "SAMPLE-AES":
      return "cbcs";
    case "SAMPLE-AES-CTR":
      return "cenc";
    case "AES-128":
      return "cbc1";
    default:
      return undefined;
  }
}

/** `?protectionScheme=` (Axinom SPEKE v1: Axinom Key Service API help, api/Speke) or the GET endpoint's `scheme`. */
export function readSchemeParameter(value: string | undefined): ProtectionScheme | undefined | "invalid" {
  if (value === undefined || value === "") return undefined;
  return parseProtectionScheme(value) ?? "invalid";
}
