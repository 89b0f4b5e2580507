/**
 * A faithful element tree for canonicalization: unlike the reader's tree (src/cpix/xml.ts), it keeps every text
 * node in place (white space included), each element's prefix, its own namespace declarations and its in-scope
 * namespaces, and normalizes attribute values as an XML processor must (XML 1.0 §3.3.3) — what Canonical XML
 * needs from its input (C14N 1.0 §2.1 "data model"). txml parses; the reader's well-formedness check runs first.
 */
import { parse, type TNode } from "txml/txml";
import { CpixReadError, type CpixReadFailure } from "../failure";
import { XML_NS } from "../namespaces";
import { decodeXmlBytes } from "../xml";
import { checkWellFormed } from "../xml-check";

export interface XmlTreeAttribute {
  readonly prefix: string;
  readonly localName: string;
  /** "" for an unqualified attribute (Namespaces in XML 1.0 §6.2: no default namespace for attributes). */
  readonly namespace: string;
  /** The normalized value (XML 1.0 §3.3.3), references replaced. */
  readonly value: string;
}

export interface XmlTreeText {
  readonly kind: "text";
  /** Character data with references and CDATA sections replaced by the characters they stand for. */
  readonly text: string;
}

export interface XmlTreeElement {
  readonly kind: "element";
  readonly prefix: string;
  readonly localName: string;
  readonly namespace: string;
  /** Namespace declarations written on this element: prefix ("" = default) → URI ("" undeclares the default). */
  readonly declarations: ReadonlyMap<string, string>;
  /** Namespaces in scope here (prefix → URI, non-empty URIs only; the `xml` prefix is implicit and not listed). */
  readonly inScope: ReadonlyMap<string, string>;
  /** Attributes other than namespace declarations, in document order. */
  readonly attributes: readonly XmlTreeAttribute[];
  readonly children: readonly (XmlTreeElement | XmlTreeText)[];
  readonly parent: XmlTreeElement | undefined;
}

export type XmlTreeResult =
  | { readonly ok: true; readonly root: XmlTreeElement }
  | { readonly ok: false; readonly failure: Extract<CpixReadFailure, { reason: "malformed-xml" | "unsupported-xml" }> };

/** Parses a whole document (bytes in UTF-8/UTF-16, or text); never throws for bad input. */
export function parseXmlTree(body: Uint8Array | string): XmlTreeResult {
  try {
    const decoded = typeof body === "string" ? body.replace(/^\uFEFF/, "") : decodeXmlBytes(body);
    const text = decoded.replace(/\r\n?/g, "\n"); // XML 1.0 §2.11 end-of-line handling
    checkWellFormed(text);
    const nodes = parse(inlineCdata(text), { selfClosingTags: [], keepWhitespace: true, decodeEntities: false });
    const root = nodes.find((node): node is TNode => typeof node !== "string" && !node.tagName.startsWith("?"));
    if (!root) return { ok: false, failure: { reason: "malformed-xml", detail: "the document has no root element" } };
    return { ok: true, root: toElement(root, undefined, new Map()) };
  } catch (error) {
    if (error instanceof CpixReadError && (error.failure.reason === "malformed-xml" || error.failure.reason === "unsupported-xml")) {
      return { ok: false, failure: error.failure };
    }
    throw error;
  }
}

/** Child elements of `element` with this expanded name. */
export function childElements(element: XmlTreeElement, namespace: string, localName: string): XmlTreeElement[] {
  return element.children.filter(
    (c): c is XmlTreeElement => c.kind === "element" && c.namespace === namespace && c.localName === localName,
  );
}

/** The concatenated character data directly inside an element. */
export function textOf(element: XmlTreeElement): string {
  return element.children.map((c) => (c.kind === "text" ? c.text : "")).join("");
}

/** An unqualified attribute's value. */
export function attributeOf(element: XmlTreeElement, localName: string): string | undefined {
  return element.attributes.find((a) => a.namespace === "" && a.localName === localName)?.value;
}

/**
 * CDATA sections become escaped character data before txml sees them (C14N 1.0 §1.1 replaces them by their
 * characters anyway), so every text node can be reference-decoded alike. Comments and processing instructions are
 * matched first so a `<![CDATA[` inside them stays inert.
 */
function inlineCdata(text: string): string {
  return text.replace(/<!--[\s\S]*?-->|<\?[\s\S]*?\?>|<!\[CDATA\[([\s\S]*?)\]\]>/g, (markup, cdata: string | undefined) =>
    cdata === undefined ? markup : cdata.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;"),
  );
}

function toElement(node: TNode, parent: XmlTreeElement | undefined, parentScope: ReadonlyMap<string, string>): XmlTreeElement {
  const declarations = new Map<string, string>();
  const written: [string, string][] = [];
  for (const [name, raw] of Object.entries(node.attributes)) {
    const value = normalizeAttribute(raw ?? "");
    if (name === "xmlns") declarations.set("", value);
    else if (name.startsWith("xmlns:")) declarations.set(name.slice(6), value);
    else written.push([name, value]);
  }
  const inScope = new Map(parentScope);
  for (const [prefix, uri] of declarations) {
    if (uri === "") inScope.delete(prefix);
    else inScope.set(prefix, uri);
  }
  const [prefix, localName] = splitName(node.tagName);
  const element = {
    kind: "element" as const,
    prefix,
    localName,
    namespace: resolve(inScope, prefix, node.tagName),
    declarations,
    inScope,
    attributes: written.map(([name, value]): XmlTreeAttribute => {
      const [attributePrefix, attributeName] = splitName(name);
      const namespace = attributePrefix === "" ? "" : resolve(inScope, attributePrefix, name);
      return { prefix: attributePrefix, localName: attributeName, namespace, value };
    }),
    children: [] as (XmlTreeElement | XmlTreeText)[],
    parent,
  };
  for (const child of node.children) {
    if (typeof child === "string") element.children.push({ kind: "text", text: decodeReferences(child) });
    else if (!child.tagName.startsWith("?")) element.children.push(toElement(child, element, inScope));
  }
  return element;
}

function resolve(scope: ReadonlyMap<string, string>, prefix: string, name: string): string {
  if (prefix === "xml") return XML_NS;
  const namespace = scope.get(prefix);
  if (namespace !== undefined || prefix === "") return namespace ?? "";
  throw new CpixReadError({
    reason: "malformed-xml",
    detail: `namespace prefix "${prefix.slice(0, 64)}" of ${name.slice(0, 64)} is not declared`,
  });
}

function splitName(qualifiedName: string): [prefix: string, localName: string] {
  const colon = qualifiedName.indexOf(":");
  return colon === -1 ? ["", qualifiedName] : [qualifiedName.slice(0, colon), qualifiedName.slice(colon + 1)];
}

/** XML 1.0 §3.3.3 for CDATA-typed attributes (all, without a DTD): literal white space → #x20, then references. */
function normalizeAttribute(raw: string): string {
  return decodeReferences(raw.replace(/[\t\n\r]/g, " "));
}

const PREDEFINED: Readonly<Record<string, string>> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

/** The five predefined entities and character references (XML 1.0 §4.1, §4.6); checkWellFormed refused any other. */
function decodeReferences(text: string): string {
  if (!text.includes("&")) return text;
  return text.replace(/&(?:#x([0-9A-Fa-f]+)|#([0-9]+)|(amp|lt|gt|quot|apos));/g, (_all, hex?: string, decimal?: string, name?: string) => {
    if (name) return PREDEFINED[name]!;
    const code = parseInt(hex ?? decimal!, hex ? 16 : 10);
    if (!(code <= 0x10ffff)) throw new CpixReadError({ reason: "malformed-xml", detail: "a character reference is beyond U+10FFFF" });
    return String.fromCodePoint(code);
  });
}
