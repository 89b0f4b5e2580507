import { fromBase64, fromHex, toBase64, toHex } from "./bytes";

/**
 * A Key ID (KID): 16 bytes, held in RFC 4122 (big-endian) order, the order CENC puts in `tenc` and PSSH
 * boxes (ISO/IEC 23001-7 §8.2). PlayReady and .NET use the little-endian GUID layout instead
 * (`guidBytes()`), which the key-seed derivation and PlayReady headers need.
 */
export class KeyId {
  /** RFC 4122 byte order. */
  readonly bytes: Uint8Array;
  #text: string | undefined;

  private constructor(bytes: Uint8Array) {
    this.bytes = bytes;
  }

  /** Wraps 16 bytes in RFC 4122 order; throws for any other length. */
  static fromBytes(bytes: Uint8Array): KeyId {
    if (bytes.length !== 16) throw new RangeError(`a Key ID must be 16 bytes, got ${bytes.length}`);
    return new KeyId(Uint8Array.from(bytes));
  }

  /** Builds a Key ID from the 16 little-endian GUID bytes (.NET `Guid.ToByteArray()`). */
  static fromGuidBytes(guid: Uint8Array): KeyId {
    if (guid.length !== 16) throw new RangeError(`a GUID must be 16 bytes, got ${guid.length}`);
    return new KeyId(swapGuidByteOrder(guid));
  }

  /**
   * Parses a Key ID from an RFC 4122 string (any case, with or without hyphens or braces), 32 hex digits,
   * or base64 of 16 bytes. Returns undefined for anything else.
   * @example KeyId.parse("339C45B5-FB6D-4BD9-994C-EABD9D41C95B")?.toString() // "339c45b5-fb6d-4bd9-994c-eabd9d41c95b"
   */
  static parse(text: string): KeyId | undefined {
    const trimmed = text.trim();
    const uuid = /^\{?([0-9a-fA-F]{8})-?([0-9a-fA-F]{4})-?([0-9a-fA-F]{4})-?([0-9a-fA-F]{4})-?([0-9a-fA-F]{12})\}?$/.exec(trimmed);
    if (uuid) return new KeyId(fromHex(uuid.slice(1).join(""))!);
    const decoded = fromBase64(trimmed);
    if (decoded?.length === 16) return new KeyId(decoded);
    return undefined;
  }

  /**
   * The Key ID of RFC 4122 text of exactly 8-4-4-4-12 hex digits, any case (the CPIX 2.3.1 UUIDType pattern), or
   * undefined for text of any other shape: the pattern's check and the decoding in one pass.
   */
  static fromUuidText(text: string): KeyId | undefined {
    if (text.length !== 36) return undefined;
    // Checked and decoded in place: a pattern match, slicing, joining and a hex pattern cost ~1.5 µs per UUID, and a
    // request carries two per DRMSystem (bench/RESULTS.md). Positions 8, 13, 18 and 23 hold the hyphens.
    const bytes = new Uint8Array(16);
    let position = 0;
    for (let i = 0; i < 16; i++) {
      if (position === 8 || position === 13 || position === 18 || position === 23) {
        if (text.charCodeAt(position) !== 45) return undefined; // "-"
        position++;
      }
      const high = hexDigit(text.charCodeAt(position));
      const low = hexDigit(text.charCodeAt(position + 1));
      if (high < 0 || low < 0) return undefined;
      bytes[i] = (high << 4) | low;
      position += 2;
    }
    return new KeyId(bytes);
  }

  /** Parses like `parse` but throws a RangeError naming the field when the text is not a Key ID. */
  static require(text: string, field = "kid"): KeyId {
    const kid = KeyId.parse(text);
    if (!kid) throw new RangeError(`${field} must be a UUID or base64 of 16 bytes`);
    return kid;
  }

  /** The little-endian GUID layout: first three fields byte-reversed (PlayReady header spec §3.6.1). */
  guidBytes(): Uint8Array {
    return swapGuidByteOrder(this.bytes);
  }

  /** Writes the little-endian GUID layout into `target` at `offset` (no allocation). */
  writeGuidBytes(target: Uint8Array, offset: number): void {
    const b = this.bytes;
    target[offset] = b[3]!;
    target[offset + 1] = b[2]!;
    target[offset + 2] = b[1]!;
    target[offset + 3] = b[0]!;
    target[offset + 4] = b[5]!;
    target[offset + 5] = b[4]!;
    target[offset + 6] = b[7]!;
    target[offset + 7] = b[6]!;
    target.set(b.subarray(8), offset + 8);
  }

  /** Canonical lower-case hyphenated RFC 4122 form (computed once: the value never changes). */
  toString(): string {
    if (this.#text === undefined) {
      const hex = toHex(this.bytes);
      this.#text = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
    }
    return this.#text;
  }

  /** 32 lower-case hex digits, no hyphens (the form mp4split and Shaka take on the command line). */
  toHex(): string {
    return toHex(this.bytes);
  }

  /** Base64 of the RFC 4122 bytes (the Widevine CENC API `key_id` form). */
  toBase64(): string {
    return toBase64(this.bytes);
  }

  equals(other: KeyId): boolean {
    return this.bytes.every((byte, i) => byte === other.bytes[i]);
  }
}

function swapGuidByteOrder(bytes: Uint8Array): Uint8Array {
  const out = Uint8Array.from(bytes);
  out.set([bytes[3]!, bytes[2]!, bytes[1]!, bytes[0]!, bytes[5]!, bytes[4]!, bytes[7]!, bytes[6]!], 0);
  return out;
}

/** The value of one hex digit's character code (any case), or -1 for any other character. */
function hexDigit(code: number): number {
  if (code >= 48 && code <= 57) return code - 48; // 0-9
  const lower = code | 0x20; // A-F and a-f alike
  if (lower >= 97 && lower <= 102) return lower - 87;
  return -1;
}
