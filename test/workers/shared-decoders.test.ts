/**
 * The text decoders are made once per isolate (src/domain/bytes.ts, src/cpix/xml.ts) instead of once per call. A
 * decode without `stream` ends its own sequence (WHATWG Encoding §TextDecoder decode()), so nothing a call leaves
 * behind (a truncated sequence, a refused body, a byte-order mark) may reach the next call.
 */
import { describe, expect, it } from "vitest";
import { fromStrictUtf8, fromUtf8, utf8 } from "../../src/domain/bytes";
import { XmlError } from "../../src/xml/failure";
import { decodeXmlBytes } from "../../src/xml/decode";

const BOM = [0xef, 0xbb, 0xbf];
/** "é" is C3 A9: split over two calls, a decoder that kept state would join the halves. */
const FIRST_HALF = Uint8Array.of(0xc3);
const SECOND_HALF = Uint8Array.of(0xa9);

describe("shared text decoders keep nothing between calls", () => {
  it("replaces a sequence cut at the end of one call and does not finish it with the next call's bytes", () => {
    expect(fromUtf8(FIRST_HALF)).toBe("\uFFFD");
    expect(fromUtf8(SECOND_HALF)).toBe("\uFFFD");
    expect(fromUtf8(utf8("é"))).toBe("é");
  });

  it("reads valid UTF-8 after refusing bytes that are not UTF-8, and drops a byte-order mark every time", () => {
    expect(() => fromStrictUtf8(FIRST_HALF)).toThrow(TypeError);
    expect(fromStrictUtf8(utf8("é"))).toBe("é");
    for (let call = 0; call < 2; call++) expect(fromStrictUtf8(Uint8Array.of(...BOM, 0x61))).toBe("a");
  });

  it("reads a CPIX body after one it refused as malformed UTF-8, and a UTF-16 body after a UTF-8 one", () => {
    expect(() => decodeXmlBytes(Uint8Array.of(0x3c, 0x61, 0x3e, ...FIRST_HALF))).toThrow(XmlError);
    expect(decodeXmlBytes(utf8("<a>é</a>"))).toBe("<a>é</a>");
    const utf16 = Uint8Array.of(0xff, 0xfe, ...[..."<a>é</a>"].flatMap((c) => [c.charCodeAt(0) & 0xff, c.charCodeAt(0) >> 8]));
    expect(decodeXmlBytes(utf16)).toBe("<a>é</a>");
    expect(decodeXmlBytes(Uint8Array.of(...BOM, ...utf8("<b/>")))).toBe("<b/>");
  });
});
