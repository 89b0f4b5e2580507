import { parseProtectionScheme, type ProtectionScheme } from "../../domain/protection-scheme";

/**
 * A scheme query parameter: `?protectionScheme=` (Axinom SPEKE v1: Axinom Key Service API help, api/Speke) or the
 * GET endpoint's `scheme`. Absent or empty means none; anything but a 4CC is "invalid".
 */
export function readSchemeParameter(value: string | undefined): ProtectionScheme | undefined | "invalid" {
  if (value === undefined || value === "") return undefined;
  return parseProtectionScheme(value) ?? "invalid";
}
