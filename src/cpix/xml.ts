/**
 * Bytes → a namespace-resolved element tree, and the escaping the writer needs. txml builds the tree (a small
 * non-validating parser with no Node dependency when imported from `txml/txml`); `checkWellFormed` runs first because txml is lenient. Elements are
 * identified by namespace URI + local name, never by prefix: real requests use `cpix:`, `ns3:`, `aa:` or a
 * default namespace for the same elements (Namespaces in XML 1.0 §6).
 */
import { parse, type TNode } from "txml/txml";
import { CpixReadError, type CpixReadFailure } from "./failure";
import { checkWellFormed } from "./xml-check";
import { codeUnitName, firstNonXmlChar } from "../domain/xml-char";
import { duplicateExpandedName, lookupNamespace, splitName, undeclaredPrefix, XML_SCOPE, type NamespaceScope } from "./xml-namespace-scope";

/** An element with its expanded name. Attribute keys: the local name if unqualified, else `{uri}local`. */
export interface XmlElement {
  readonly namespace: string;
  readonly localName: string;
  readonly attributes: ReadonlyMap<string, string>;
  readonly children: readonly XmlElement[];
  /** All character data directly inside the element (CDATA included), concatenated, whitespace-trimmed pieces. */
  readonly text: string;
}

export type XmlParseResult =
  | { readonly ok: true; readonly root: XmlElement }
  | { readonly ok: false; readonly failure: Extract<CpixReadFailure, { reason: "malformed-xml" | "unsupported-xml" }> };

/** Decodes, checks and parses an XML document; never throws for bad input. */
export function parseXml(body: Uint8Array): XmlParseResult {
  const parsed = parseXmlNodes(body, { namespaces: false });
  return parsed.ok ? { ok: true, root: resolveNamespaces(parsed.root, XML_SCOPE) } : parsed;
}

export type XmlNodesResult = { readonly ok: true; readonly root: TNode } | { readonly ok: false; readonly failure: XmlParseFailure };
type XmlParseFailure = Extract<CpixReadFailure, { reason: "malformed-xml" | "unsupported-xml" }>;

/**
 * Decodes, checks and parses an XML document into txml's tree, its root element returned; never throws for bad input.
 * With `namespaces` (the default) the check also proves every prefix declared, so a reader can resolve names as it
 * walks the tree; `parseXml` resolves them in a walk of its own instead.
 */
export function parseXmlNodes(body: Uint8Array, { namespaces = true } = {}): XmlNodesResult {
  try {
    const text = normalizeLineEnds(decodeXmlBytes(body));
    checkWellFormed(text, { namespaces });
    // selfClosingTags: [] — txml's default treats HTML void names (meta, link…) as childless (txml 6.0.3 `parse`).
    // txml decodes references with a replace over every text and attribute value: needless when there is no `&`.
    const nodes = parse(text, { selfClosingTags: [], decodeEntities: text.includes("&") });
    const root = nodes.find((node): node is TNode => typeof node !== "string" && !node.tagName.startsWith("?"));
    if (!root) throw new CpixReadError({ reason: "malformed-xml", detail: "the document has no root element" });
    return { ok: true, root };
  } catch (error) {
    if (error instanceof CpixReadError && (error.failure.reason === "malformed-xml" || error.failure.reason === "unsupported-xml")) {
      return { ok: false, failure: error.failure };
    }
    throw error;
  }
}

/** XML 1.0 §2.11 end-of-line handling: CR LF and lone CR become LF; a document without CR is returned as it is. */
function normalizeLineEnds(text: string): string {
  return text.includes("\r") ? text.replace(/\r\n?/g, "\n") : text;
}

/**
 * Decodes by byte-order mark (XML 1.0 Appendix F): UTF-8, UTF-16LE or UTF-16BE (DASH-IF EvenMoreComplex.xml is
 * UTF-16LE). Without a BOM, `<?` in UTF-16 is recognised by its zero bytes; anything else must be valid UTF-8.
 */
export function decodeXmlBytes(bytes: Uint8Array): string {
  const [b0, b1, b2, b3] = bytes;
  if (b0 === 0xff && b1 === 0xfe) return decodeUtf16(bytes.subarray(2), true);
  if (b0 === 0xfe && b1 === 0xff) return decodeUtf16(bytes.subarray(2), false);
  if (b0 === 0x3c && b1 === 0x00 && b2 === 0x3f && b3 === 0x00) return decodeUtf16(bytes, true);
  if (b0 === 0x00 && b1 === 0x3c && b2 === 0x00 && b3 === 0x3f) return decodeUtf16(bytes, false);
  checkDeclaredEncoding(bytes);
  return decode("utf-8", bytes.subarray(b0 === 0xef && b1 === 0xbb && b2 === 0xbf ? 3 : 0), "UTF-8");
}

function decodeUtf16(bytes: Uint8Array, littleEndian: boolean): string {
  if (bytes.length % 2 !== 0) {
    throw new CpixReadError({ reason: "malformed-xml", detail: "UTF-16 text with an odd number of bytes" });
  }
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
    throw new CpixReadError({ reason: "malformed-xml", detail: `the body is not valid ${name}` });
  }
}

const ASCII_DECODER = new TextDecoder();

/** A BOM-less document may only declare an encoding we then read as UTF-8 (XML 1.0 §4.3.3). */
function checkDeclaredEncoding(bytes: Uint8Array): void {
  // Only the XML declaration matters: decode the bytes up to its closing '>' (ASCII by XML 1.0 §2.8).
  const end = bytes.subarray(0, 200).indexOf(0x3e);
  const head = ASCII_DECODER.decode(bytes.subarray(0, end === -1 ? 200 : end + 1));
  const declared = /^(?:\xef\xbb\xbf)?<\?xml[^>]*?\sencoding\s*=\s*["']([A-Za-z0-9._-]+)["']/.exec(head)?.[1];
  if (declared && !/^(?:utf-?8|utf-?16|us-ascii|ascii)$/i.test(declared)) {
    throw new CpixReadError({
      reason: "unsupported-xml",
      detail: `declared encoding ${declared} is not supported (UTF-8 or UTF-16 only)`,
    });
  }
}

/** The prefix→URI scope walk (Namespaces in XML 1.0 §5–§6). */
function resolveNamespaces(node: TNode, parentScope: NamespaceScope): XmlElement {
  let bindings: Map<string, string> | undefined;
  for (const [name, value] of Object.entries(node.attributes)) {
    if (name !== "xmlns" && !name.startsWith("xmlns:")) continue;
    (bindings ??= new Map()).set(name === "xmlns" ? "" : name.slice(6), value ?? "");
  }
  const scope = bindings ? { bindings, parent: parentScope } : parentScope;
  const [prefix, localName] = splitName(node.tagName);
  const namespace = lookupNamespace(scope, prefix);
  if (namespace === undefined && prefix !== "") throw new CpixReadError(undeclaredPrefix(prefix, node.tagName));
  const attributes = new Map<string, string>();
  for (const [name, value] of Object.entries(node.attributes)) {
    if (name === "xmlns" || name.startsWith("xmlns:")) continue;
    const [attributePrefix, attributeName] = splitName(name);
    if (attributePrefix === "") {
      attributes.set(attributeName, value ?? "");
      continue;
    }
    const attributeNamespace = lookupNamespace(scope, attributePrefix);
    if (attributeNamespace === undefined) throw new CpixReadError(undeclaredPrefix(attributePrefix, name));
    const key = `{${attributeNamespace}}${attributeName}`;
    if (attributes.has(key)) throw new CpixReadError(duplicateExpandedName(node.tagName, name));
    attributes.set(key, value ?? "");
  }
  const children: XmlElement[] = [];
  let text = "";
  for (const child of node.children) {
    if (typeof child === "string") text += child;
    else if (!child.tagName.startsWith("?")) children.push(resolveNamespaces(child, scope));
  }
  return { namespace: namespace ?? "", localName, attributes, children, text: text.trim() };
}

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
