import { toHex } from "../domain/bytes";
import type { Iv } from "../domain/content-key";
import type { KeyId } from "../domain/key-id";

/**
 * Key URI templates for HLS (`skd://…` for FairPlay, the key URL for Clear Key AES-128). Placeholders:
 * `{kid}` canonical lower-case UUID, `{kidHex}` 32 lower-case hex digits, `{kidBase64}` base64 of the RFC 4122
 * bytes (Shaka's `skd://` default), `{ivHex}` the IV as upper-case hex (Axinom's `skd://<KID>:<IV 32 hex>`).
 */

/** Axinom FairPlay convention `skd://<Key ID as GUID>:<IV as 32 hex>` (Axinom documentation, "Preparing FairPlay content"). */
export const DEFAULT_FAIRPLAY_URI_TEMPLATE = "skd://{kid}:{ivHex}";

const PLACEHOLDERS = ["kid", "kidHex", "kidBase64", "ivHex"] as const;
const PLACEHOLDER_PATTERN = /\{([^{}]*)\}/g;

/** True when the template contains `{ivHex}`, i.e. the rendered URI carries the IV. */
export function templateUsesIv(template: string): boolean {
  return template.includes("{ivHex}");
}

/** Names the rule a template breaks (known placeholders only; RFC 8216 §4.2 quoted-string characters), or undefined. */
export function keyUriTemplateProblem(template: string): string | undefined {
  if (template.trim() === "") return "must not be empty";
  if (/["\r\n]/.test(template)) return "must not contain a double quote, CR or LF (RFC 8216 §4.2 quoted-string)";
  for (const match of template.matchAll(PLACEHOLDER_PATTERN)) {
    if (!(PLACEHOLDERS as readonly string[]).includes(match[1]!)) {
      return `placeholders must be one of ${PLACEHOLDERS.map((p) => `{${p}}`).join(", ")}, got {${match[1]}}`;
    }
  }
  return undefined;
}

/**
 * Fills a key URI template for one key.
 * @example renderKeyUriTemplate("skd://{kid}:{ivHex}", kid, iv) // "skd://72ea9ec1-abb4-40d8-b3a9-e0bd1833bd58:0123456789ABCDEF0123456789ABCDEF"
 */
export function renderKeyUriTemplate(template: string, kid: KeyId, iv: Iv): string {
  const values: Record<(typeof PLACEHOLDERS)[number], string> = {
    kid: kid.toString(),
    kidHex: kid.toHex(),
    kidBase64: kid.toBase64(),
    ivHex: toHex(iv.bytes).toUpperCase(),
  };
  return template.replace(PLACEHOLDER_PATTERN, (whole, name: string) => values[name as keyof typeof values] ?? whole);
}
