/**
 * XML 1.0 §2.2 Char, for every module that reads or writes XML (the CPIX reader and writer, PlayReady headers):
 * `#x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]`. A document holding anything else is
 * not well-formed, whether the character is written as itself or as a character reference (§4.1 WFC: Legal
 * Character).
 */

/** Code units that are not a Char on their own: C0 controls but tab, LF, CR; surrogates (valid only as pairs); U+FFFE, U+FFFF. */
const SUSPECT = /[\x00-\x08\x0B\x0C\x0E-\x1F\uD800-\uDFFF\uFFFE\uFFFF]/;

/** True when a code point (e.g. from a character reference) is an XML Char. */
export function isXmlChar(codePoint: number): boolean {
  return (
    codePoint === 0x9 ||
    codePoint === 0xa ||
    codePoint === 0xd ||
    (codePoint >= 0x20 && codePoint <= 0xd7ff) ||
    (codePoint >= 0xe000 && codePoint <= 0xfffd) ||
    (codePoint >= 0x10000 && codePoint <= 0x10ffff)
  );
}

/**
 * The index of the first code unit of `text` that is not part of an XML Char, or -1. A surrogate counts only as
 * half of a pair (JavaScript strings may hold lone ones).
 * @example firstNonXmlChar("a\u0000b") // 1
 */
export function firstNonXmlChar(text: string): number {
  if (!SUSPECT.test(text)) return -1; // the usual case: one scan, nothing found
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        i++;
        continue;
      }
      return i;
    }
    if (!isXmlChar(unit)) return i;
  }
  return -1;
}

/** `U+0000`-style name of the code unit at `index`, for messages that must not quote the text itself. */
export function codeUnitName(text: string, index: number): string {
  return `U+${text.charCodeAt(index).toString(16).toUpperCase().padStart(4, "0")}`;
}
