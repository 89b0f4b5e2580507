/**
 * Bytes → text, as XML 1.0 Appendix F and §4.3.3 say an XML processor detects the encoding: UTF-8, or UTF-16 in
 * either byte order (DASH-IF EvenMoreComplex.xml is UTF-16LE). Any other declared encoding is refused rather than
 * guessed at; then XML 1.0 §2.11 end-of-line handling.
 */
import { fail, unsupported } from "./failure";

/**
 * Decodes by byte-order mark (XML 1.0 Appendix F): UTF-8, UTF-16LE or UTF-16BE. Without a BOM, `<?` in UTF-16 is
 * recognised by its zero bytes; anything else must be valid UTF-8 and may declare only an encoding it is.
 */
export function decodeXmlBytes(bytes: Uint8Array): string {
  const [b0, b1, b2, b3] = bytes;
  if (b0 === 0xff && b1 === 0xfe) return checkedUtf16(decodeUtf16(bytes.subarray(2), true), "le");
  if (b0 === 0xfe && b1 === 0xff) return checkedUtf16(decodeUtf16(bytes.subarray(2), false), "be");
  if (b0 === 0x3c && b1 === 0x00 && b2 === 0x3f && b3 === 0x00) return checkedUtf16(decodeUtf16(bytes, true), "le");
  if (b0 === 0x00 && b1 === 0x3c && b2 === 0x00 && b3 === 0x3f) return checkedUtf16(decodeUtf16(bytes, false), "be");
  const bom = b0 === 0xef && b1 === 0xbb && b2 === 0xbf;
  checkDeclaredEncoding(bytes, bom);
  return decode("utf-8", bytes.subarray(bom ? 3 : 0), "UTF-8");
}

/** XML 1.0 §2.11: CR LF and lone CR become LF before anything else reads the text; a text without CR is returned as it is. */
export function normalizeLineEnds(text: string): string {
  return text.includes("\r") ? text.replace(/\r\n?/g, "\n") : text;
}

function decodeUtf16(bytes: Uint8Array, littleEndian: boolean): string {
  // libxml2 reads past a trailing odd byte; it is no character either way, and such a body is not read here.
  if (bytes.length % 2 !== 0) unsupported("UTF-16 text with an odd number of bytes is not read");
  let little = bytes;
  if (!littleEndian) {
    little = new Uint8Array(bytes.length);
    for (let i = 0; i < bytes.length; i += 2) {
      little[i] = bytes[i + 1]!;
      little[i + 1] = bytes[i]!;
    }
  }
  return decode("utf-16le", little, "UTF-16");
}

/**
 * A UTF-16 document read by its BOM or zero bytes (XML 1.0 Appendix F) may declare UTF-16 (or UTF-16LE/BE in the byte
 * order it has), or UTF-8, which libxml2 also reads past because the detected encoding wins; any other declared
 * encoding is not read.
 */
function checkedUtf16(text: string, byteOrder: "le" | "be"): string {
  const declared = /^<\?xml[^>]*?\sencoding\s*=\s*["']([A-Za-z0-9._-]+)["']/.exec(text.slice(0, 200))?.[1];
  if (declared && !new RegExp(`^utf-?(?:16(?:${byteOrder})?|8)$`, "i").test(declared)) {
    unsupported(`a UTF-16 document declaring encoding ${declared} is not read (UTF-8 or UTF-16 only)`);
  }
  return text;
}

// Built once per isolate (each construction costs ~1.9 µs in workerd); `decode` keeps no state between calls.
// ignoreBOM: the BOM was already recognised and cut above.
const XML_DECODERS = {
  "utf-8": new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }),
  "utf-16le": new TextDecoder("utf-16le", { fatal: true, ignoreBOM: true }),
} as const;

function decode(encoding: keyof typeof XML_DECODERS, bytes: Uint8Array, name: string): string {
  try {
    return XML_DECODERS[encoding].decode(bytes);
  } catch {
    // Only on failure: the text before the first undecodable unit says where it is (a lenient decoder replaces it).
    const text = normalizeLineEnds(LENIENT[encoding].decode(bytes));
    const bad = text.indexOf("\uFFFD");
    return fail(text, bad === -1 ? text.length : bad, `the body is not valid ${name}`);
  }
}

const LENIENT_UTF16 = new TextDecoder("utf-16le", { fatal: false, ignoreBOM: true });
const LENIENT = { "utf-8": new TextDecoder("utf-8", { fatal: false, ignoreBOM: true }), "utf-16le": LENIENT_UTF16 } as const;

const ASCII_DECODER = new TextDecoder();

/**
 * A document read as UTF-8 may only declare UTF-8, or US-ASCII when it has no byte-order mark and every byte is
 * ASCII (XML 1.0 §4.3.3: "it is a fatal error … for an entity … to be in an encoding other than that named in the
 * declaration"). One declaring UTF-16 would have zero bytes in its first characters, recognised above.
 */
function checkDeclaredEncoding(bytes: Uint8Array, bom: boolean): void {
  // Only the XML declaration matters: decode the bytes up to its closing '>' (ASCII by XML 1.0 §2.8).
  const end = bytes.subarray(0, 200).indexOf(0x3e);
  const head = ASCII_DECODER.decode(bytes.subarray(0, end === -1 ? 200 : end + 1));
  const declared = /^(?:\uFEFF)?<\?xml[^>]*?\sencoding\s*=\s*["']([A-Za-z0-9._-]+)["']/.exec(head)?.[1];
  if (!declared || /^utf-?8$/i.test(declared)) return;
  const at = head.indexOf(declared);
  if (/^utf-?16(?:le|be)?$/i.test(declared)) fail(head, at, `the document declares encoding ${declared} but is not UTF-16`);
  // US-ASCII text is UTF-8 text; with a BOM, or with a byte over 0x7F, what the sender meant is unclear: not read.
  if (!/^(?:us-ascii|ascii)$/i.test(declared) || bom || bytes.some((byte) => byte >= 0x80)) {
    unsupported(`declared encoding ${declared} is not supported (UTF-8 or UTF-16 only)`);
  }
}
