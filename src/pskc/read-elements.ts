/** Finding elements and reading their values in a namespace-resolved PSKC tree; every problem is a PskcReadError. */
import { attributeValue, firstChildElement, textContent, type XmlElement } from "../xml/tree";
import { fromBase64 } from "../domain/bytes";
import { PskcReadError } from "./model";

// Children by expanded name (namespace URI + local name, never a prefix): the tree's own lookups, under the names the
// PSKC reader uses.
export { childElements, firstChildElement as childElement } from "../xml/tree";

/** The child, or a `missing` failure naming it (`what`, e.g. "pskc:MACKey"). */
export function requireChild(parent: XmlElement, namespace: string, localName: string, what: string): XmlElement {
  const child = firstChildElement(parent, namespace, localName);
  if (!child) throw new PskcReadError({ reason: "missing", what });
  return child;
}

/** An unqualified attribute, or a `missing` failure naming it. */
export function requireAttribute(element: XmlElement, name: string, what: string): string {
  const value = attributeValue(element, name);
  if (value === undefined || value.trim() === "") throw new PskcReadError({ reason: "missing", what });
  return value.trim();
}

/** Base64 element text (xs:base64Binary; whitespace allowed, RFC 6030 Figure 7 wraps it). */
export function base64Text(element: XmlElement, what: string): Uint8Array {
  const text = trimmedText(element);
  const bytes = text === "" ? undefined : fromBase64(text);
  if (!bytes) throw new PskcReadError({ reason: "invalid", what, rule: "must be base64" });
  return bytes;
}

/** A positive decimal integer within `max`. */
export function integerText(element: XmlElement, what: string, max: number): number {
  const text = trimmedText(element);
  const value = /^\d{1,12}$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(value) || value < 1 || value > max) {
    throw new PskcReadError({ reason: "invalid", what, rule: `must be an integer from 1 to ${max}` });
  }
  return value;
}

/** Text taken from the document into a message: cut to a readable length. */
export function quoted(text: string): string {
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
}

/** The element's character data without the white space around it. */
export function trimmedText(element: XmlElement): string {
  return textContent(element).trim();
}
