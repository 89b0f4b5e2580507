/** Byte helpers shared by every module: base64, hex, concatenation and constant-time comparison. */

/** `Uint8Array.prototype.toBase64`/`toHex` (TC39 base64 proposal): native in workerd, absent in Node 20. */
interface NativeEncodings {
  toBase64?: () => string;
  toHex?: () => string;
}
const NATIVE = Uint8Array.prototype as unknown as NativeEncodings;
const NATIVE_FROM_HEX = (Uint8Array as unknown as { fromHex?: (hex: string) => Uint8Array }).fromHex;
const NATIVE_FROM_BASE64 = (Uint8Array as unknown as { fromBase64?: (base64: string) => Uint8Array }).fromBase64;
const UTF8_ENCODER = new TextEncoder();
// One decoder per isolate for each option set: constructing one costs ~1.9 µs in workerd, more than decoding a
// request; `decode` without `stream` starts afresh on every call (WHATWG Encoding §TextDecoder), so sharing is safe.
const UTF8_DECODER = new TextDecoder();
const STRICT_UTF8_DECODER = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

/** Standard base64 (RFC 4648 §4) of some bytes. */
export function toBase64(bytes: Uint8Array): string {
  // The native encoder is ~300x faster than building a binary string (bench/RESULTS.md).
  if (NATIVE.toBase64) return (bytes as unknown as Required<NativeEncodings>).toBase64();
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

// With a length of four characters a group, the same rule as groups of four with the last one padded: a repeated
// group kept V8's backtracking state per group and overflowed its regexp stack from 8 MiB of text (a restore's ciphertext).
const BASE64_PATTERN = /^[A-Za-z0-9+/]*={0,2}$/;

/** Decodes strict standard base64 (RFC 4648 §4); returns undefined for anything else. Whitespace is ignored. */
export function fromBase64(text: string): Uint8Array | undefined {
  if (text === "") return new Uint8Array(0); // the placeholders SPEKE requests send
  const compact = text.replace(/\s+/g, "");
  if (compact.length % 4 !== 0 || !BASE64_PATTERN.test(compact)) return undefined;
  // The pattern above is the rule; the native decoder (loose, as atob) then gives the same bytes without a loop.
  if (NATIVE_FROM_BASE64) return NATIVE_FROM_BASE64(compact);
  const binary = atob(compact);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** Decodes base64url (RFC 4648 §5), padding optional; returns undefined for anything else. */
export function fromBase64Url(text: string): Uint8Array | undefined {
  const standard = text.replace(/-/g, "+").replace(/_/g, "/");
  return fromBase64(standard + "=".repeat((4 - (standard.length % 4)) % 4));
}

/**
 * The bytes of base64 only in the one spelling `toBase64` writes (RFC 4648 §3.5: pad bits zero), else undefined. For a
 * MAC or token read from text: the decoders ignore pad bits, so other spellings of the same bytes would be changed
 * text that still checks.
 */
export function canonicalBase64(text: string): Uint8Array | undefined {
  const bytes = fromBase64(text);
  return bytes && toBase64(bytes) === text ? bytes : undefined;
}

/** `canonicalBase64` for base64url as `toBase64Url` writes it (no padding). */
export function canonicalBase64Url(text: string): Uint8Array | undefined {
  const bytes = fromBase64Url(text);
  return bytes && toBase64Url(bytes) === text ? bytes : undefined;
}

/** Base64url without padding (RFC 4648 §5). */
export function toBase64Url(bytes: Uint8Array): string {
  return toBase64(bytes).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** Lower-case hex of some bytes. */
export function toHex(bytes: Uint8Array): string {
  if (NATIVE.toHex) return (bytes as unknown as Required<NativeEncodings>).toHex();
  let hex = "";
  for (const byte of bytes) hex += byte.toString(16).padStart(2, "0");
  return hex;
}

/** Decodes an even-length hex string (any case); returns undefined for anything else. */
export function fromHex(text: string): Uint8Array | undefined {
  if (text.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(text)) return undefined;
  if (NATIVE_FROM_HEX) return NATIVE_FROM_HEX(text);
  const bytes = new Uint8Array(text.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(text.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}

/** Concatenates byte arrays into a new one. */
export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** Compares two byte arrays in time that depends only on their lengths. */
export function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a[i]! ^ b[i]!;
  return difference === 0;
}

const NON_ASCII = /[^\x00-\x7f]/;

/**
 * Whether every character is ASCII (U+0000–U+007F), i.e. the text is its own UTF-8 and Latin-1. A pattern, not a
 * `charCodeAt` loop: in workerd the loop measured slower on strings built by concatenation.
 */
export function isAscii(text: string): boolean {
  return !NON_ASCII.test(text);
}

/**
 * Standard base64 (RFC 4648 §4) of the UTF-8 bytes of a string. ASCII text is its own UTF-8 and `btoa` reads it as
 * those bytes, so it is encoded without a byte array; other text takes the byte path. In workerd, for the signalling
 * text of one key × 3 DRMs (8 strings, ~3,700 characters): 2.9 µs against 5.9 µs for `utf8` then `toBase64`, of
 * which `btoa` is 0.8. The check is a pattern because a `charCodeAt` loop measured slower (6.8 µs in all), paying
 * for each access to a string built by concatenation.
 */
export function utf8Base64(text: string): string {
  return isAscii(text) ? btoa(text) : toBase64(utf8(text));
}

/** UTF-8 bytes of a string. */
export function utf8(text: string): Uint8Array {
  return UTF8_ENCODER.encode(text);
}

/** Text of UTF-8 bytes: invalid sequences become U+FFFD, a leading byte-order mark is dropped. */
export function fromUtf8(bytes: Uint8Array): string {
  return UTF8_DECODER.decode(bytes);
}

/** Text of UTF-8 bytes, a leading byte-order mark dropped; throws a TypeError for bytes that are not UTF-8. */
export function fromStrictUtf8(bytes: Uint8Array): string {
  return STRICT_UTF8_DECODER.decode(bytes);
}
