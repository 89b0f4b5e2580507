import { utf8Base64 } from "./bytes";

/**
 * Bytes held in their standard base64 form (RFC 4648 §4), for a value that is only ever written as base64: the
 * signalling text a CPIX answer carries (ContentProtectionData, HLSSignalingData) is built as text, and its base64
 * comes straight from that text instead of through a byte array (bench/RESULTS.md: encoding the text to bytes cost
 * more than the base64 itself).
 * @example Base64Value.ofUtf8('<pssh xmlns="urn:mpeg:cenc:2013">AAAA…</pssh>').base64
 */
export class Base64Value {
  private constructor(
    /** The standard base64 text, padded. */
    readonly base64: string,
  ) {}

  /** The base64 of `text`'s UTF-8 bytes. */
  static ofUtf8(text: string): Base64Value {
    return new Base64Value(utf8Base64(text));
  }

  /**
   * The base64 of text its builder knows to be ASCII (its own UTF-8), without checking it again: `btoa` reads the
   * text as Latin-1 bytes, which for ASCII are the UTF-8 bytes. Text that is not ASCII must go to `ofUtf8`.
   */
  static ofAscii(asciiText: string): Base64Value {
    return new Base64Value(btoa(asciiText));
  }
}
