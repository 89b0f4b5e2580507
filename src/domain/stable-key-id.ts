import { utf8 } from "./bytes";
import { KeyId } from "./key-id";

/** Domain-separation label; changing it changes every stable Key ID ever issued. */
const STABLE_KEY_ID_LABEL = "edge-key-service/kid/v1";

/**
 * A deterministic Key ID for protocols that ask the key service to choose stable IDs (SPEKE
 * `overrideKeyIds`, Widevine CENC `content_id` that is not a GUID). It is the first 16 bytes of
 * SHA-256(label ‖ 0x00 ‖ part₁ ‖ 0x00 ‖ part₂ …), shaped as an RFC 9562 §5.8 version-8 UUID (custom
 * layout) so every tool accepts it. The tenant id is always the first part, so two tenants never share
 * a Key ID for the same content. Parts are joined with NUL bytes so ("ab","c") ≠ ("a","bc").
 * @example await stableKeyId(tenantId, ["widevine", contentIdBase64, "SD", "0"])
 */
export async function stableKeyId(tenantId: string, parts: readonly string[]): Promise<KeyId> {
  // ASCII parts are written straight into the input; otherwise one encoding of the joined text (UTF-8 of "a\0b\0" is
  // UTF-8 of each part then a 0x00 byte).
  const input =
    asciiInput(tenantId, parts) ?? utf8(`${STABLE_KEY_ID_LABEL}\0${tenantId}\0${parts.length > 0 ? `${parts.join("\0")}\0` : ""}`);
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", input));
  const bytes = digest.slice(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x80; // version 8 (RFC 9562 §5.8)
  bytes[8] = (bytes[8]! & 0x3f) | 0x80; // variant 10xx (RFC 9562 §4.1)
  return KeyId.fromBytes(bytes);
}

const LABEL_BYTES = utf8(`${STABLE_KEY_ID_LABEL}\0`);

/**
 * The same input bytes written straight from the text when every part is ASCII (each character is its own UTF-8
 * byte), or undefined: no joined string and no encoder call per Key ID (Shaka's rotation request hashes 50).
 */
function asciiInput(tenantId: string, parts: readonly string[]): Uint8Array | undefined {
  let length = LABEL_BYTES.length + tenantId.length + 1;
  for (const part of parts) length += part.length + 1;
  const input = new Uint8Array(length);
  input.set(LABEL_BYTES, 0);
  let offset = writeAscii(input, LABEL_BYTES.length, tenantId);
  for (let i = 0; offset !== -1 && i < parts.length; i++) offset = writeAscii(input, offset, parts[i]!);
  return offset === -1 ? undefined : input;
}

/** Writes `text` then a 0x00 byte at `offset`; the offset after them, or -1 at the first non-ASCII character. */
function writeAscii(target: Uint8Array, offset: number, text: string): number {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code > 0x7f) return -1;
    target[offset + i] = code;
  }
  return offset + text.length + 1; // the separator byte is already 0
}
