import { isXmlChar } from "./chars";
import { fail, shown } from "./failure";

/**
 * Entity and character references in text and attribute values (XML 1.0 §4.1): without a DTD only the five
 * predefined entities and character references to an XML Char are allowed.
 */

/** Only the five predefined entities and character references exist without a DTD (XML 1.0 §4.1, §4.6). */
export const BAD_REFERENCE = /&(?!(?:#[0-9]+|#x[0-9A-Fa-f]+|amp|lt|gt|quot|apos);)/;
const REFERENCE = /&(#x[0-9A-Fa-f]+|#[0-9]+|amp|lt|gt|quot|apos);/g;
const CHARACTER_REFERENCE = /&#(x[0-9A-Fa-f]+|[0-9]+);/g;
const PREDEFINED_ENTITIES: Readonly<Record<string, string>> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

/** Refuses a character reference to anything but an XML Char (XML 1.0 §4.1 WFC: Legal Character, §2.2 Char). */
export function checkCharacterReferences(text: string, from: number, data: string): void {
  if (!data.includes("&#")) return;
  for (const match of data.matchAll(CHARACTER_REFERENCE)) {
    const digits = match[1]!;
    const codePoint = digits.startsWith("x") ? Number.parseInt(digits.slice(1), 16) : Number.parseInt(digits, 10);
    if (!isXmlChar(codePoint)) {
      fail(text, from + match.index!, `character reference ${shown(match[0])} is not an XML character (XML 1.0 §2.2 Char)`);
    }
  }
}

/** An attribute value with its (already checked) references replaced, as XML 1.0 §4.1 and §4.6 define them. */
export function decodeReferences(value: string): string {
  if (!value.includes("&")) return value;
  return value.replace(REFERENCE, (_whole, name: string) => {
    if (!name.startsWith("#")) return PREDEFINED_ENTITIES[name]!;
    return String.fromCodePoint(name.startsWith("#x") ? Number.parseInt(name.slice(2), 16) : Number.parseInt(name.slice(1), 10));
  });
}
