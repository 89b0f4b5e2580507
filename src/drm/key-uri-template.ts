import { isAscii, toHex } from "../domain/bytes";
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
  return compiled(template).problem;
}

/** True when every URI rendered from the template is ASCII (its placeholders always are); known once per template. */
export function keyUriTemplateIsAscii(template: string): boolean {
  return compiled(template).ascii;
}

function checkTemplate(template: string): string | undefined {
  if (template.trim() === "") return "must not be empty";
  if (/["\r\n]/.test(template)) return "must not contain a double quote, CR or LF (RFC 8216 §4.2 quoted-string)";
  for (const match of template.matchAll(PLACEHOLDER_PATTERN)) {
    if (!(PLACEHOLDERS as readonly string[]).includes(match[1]!)) {
      return `placeholders must be one of ${PLACEHOLDERS.map((p) => `{${p}}`).join(", ")}, got {${match[1]}}`;
    }
  }
  return undefined;
}

/** A template checked and split at its placeholders, once per isolate (templates are tenant settings). */
interface CompiledTemplate {
  readonly problem: string | undefined;
  /** No character above U+007F: every URI rendered from it is ASCII (placeholders render as hex, UUID or base64). */
  readonly ascii: boolean;
  /** Literal text and placeholder names, alternating from literal text. */
  readonly pieces: readonly string[];
}

/** Templates seen by this isolate; few (one or two per tenant), and the map starts over past this many. */
const MAX_COMPILED_TEMPLATES = 256;
const COMPILED_TEMPLATES = new Map<string, CompiledTemplate>();

function compiled(template: string): CompiledTemplate {
  let found = COMPILED_TEMPLATES.get(template);
  if (!found) {
    // split with a capturing group alternates literal text and the captured placeholder names.
    found = { problem: checkTemplate(template), ascii: isAscii(template), pieces: template.split(PLACEHOLDER_PATTERN) };
    if (COMPILED_TEMPLATES.size >= MAX_COMPILED_TEMPLATES) COMPILED_TEMPLATES.clear();
    COMPILED_TEMPLATES.set(template, found);
  }
  return found;
}

/**
 * Fills a key URI template for one key.
 * @example renderKeyUriTemplate("skd://{kid}:{ivHex}", kid, iv) // "skd://72ea9ec1-abb4-40d8-b3a9-e0bd1833bd58:0123456789ABCDEF0123456789ABCDEF"
 */
export function renderKeyUriTemplate(template: string, kid: KeyId, iv: Iv): string {
  const pieces = compiled(template).pieces;
  let uri = pieces[0]!;
  for (let i = 1; i < pieces.length; i += 2) uri += placeholderValue(pieces[i]!, kid, iv) + pieces[i + 1]!;
  return uri;
}

function placeholderValue(name: string, kid: KeyId, iv: Iv): string {
  switch (name) {
    case "kid":
      return kid.toString();
    case "kidHex":
      return kid.toHex();
    case "kidBase64":
      return kid.toBase64();
    case "ivHex":
      return toHex(iv.bytes).toUpperCase();
    default:
      return `{${name}}`; // keyUriTemplateProblem refuses unknown names before any template is rendered
  }
}
