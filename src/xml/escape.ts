/**
 * Escaping for the documents we write (the CPIX and PSKC writers): text and attribute values that read back as
 * exactly what was written (XML 1.0 §2.4, §3.3.3).
 */
import { codeUnitName, firstNonXmlChar } from "./chars";

/**
 * Escapes character data (XML 1.0 §2.4); CR becomes a reference so it survives end-of-line handling, and `>` is
 * always escaped, so `]]>` never appears. Text holding a character outside XML 1.0 §2.2 Char cannot be written
 * at all (no reference can carry it): that throws a RangeError, a fault the reader and the protocols rule out.
 */
const NEEDS_TEXT_ESCAPE = /[&<>\r\x00-\x08\x0B\x0C\x0E-\x1F\uD800-\uDFFF\uFFFE\uFFFF]/;
export function escapeXmlText(text: string): string {
  if (!NEEDS_TEXT_ESCAPE.test(text)) return text; // the usual case: base64, UUIDs, numbers
  const bad = firstNonXmlChar(text);
  if (bad !== -1) throw new RangeError(`${codeUnitName(text, bad)} cannot be written in XML (XML 1.0 §2.2 Char)`);
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/\r/g, "&#13;");
}

/** Escapes a double-quoted attribute value; tab, LF and CR become references so normalisation keeps them (XML 1.0 §3.3.3). */
const NEEDS_ATTRIBUTE_ESCAPE = /[&<>\r"\t\n\x00-\x08\x0B\x0C\x0E-\x1F\uD800-\uDFFF\uFFFE\uFFFF]/;
export function escapeXmlAttribute(value: string): string {
  if (!NEEDS_ATTRIBUTE_ESCAPE.test(value)) return value;
  return escapeXmlText(value).replace(/"/g, "&quot;").replace(/\t/g, "&#9;").replace(/\n/g, "&#10;");
}
