/**
 * Canonical XML, as XML-DSig digests and signs it: Canonical XML 1.0 (W3C REC-xml-c14n-20010315, "inclusive") and
 * Exclusive XML Canonicalization 1.0 (W3C REC-xml-exc-c14n-20020718), both without comments (the tree keeps
 * none). The node-set is a whole document (`URI=""`), or one element's subtree (`#id`, XML-DSig §4.4.3.3), minus,
 * optionally, one enveloped Signature element (XML-DSig §6.6.4). Each element's namespaces are looked up through the
 * scope chain the parser built and compared with what its output parent rendered, so nothing is copied per element
 * and the work grows with the document, not with its declarations times its elements.
 */
import { XML_NS } from "./namespaces";
import { lookupNamespace, type NamespaceScope } from "./namespace-scope";
import type { XmlAttribute, XmlDocument, XmlElement, XmlProcessingInstruction } from "./tree";

export type C14nMethod = "inclusive" | "exclusive";

export interface C14nOptions {
  readonly method: C14nMethod;
  /** An element left out with its subtree: the Signature under the enveloped-signature transform. */
  readonly exclude?: XmlElement;
  /** Exclusive C14N `InclusiveNamespaces/@PrefixList` (exc-c14n §3): prefixes treated by the inclusive rules ("#default" = ""). */
  readonly inclusivePrefixes?: readonly string[];
}

const INCLUSIVE: C14nOptions = { method: "inclusive" };

/**
 * The canonical form of a whole document: processing instructions before the root each followed by a LF, the root,
 * those after it each preceded by one (C14N 1.0 §2.1, §4.9). With the default options this is `xmllint --c14n`.
 */
export function canonicalizeDocument(document: XmlDocument, options: C14nOptions = INCLUSIVE): string {
  const parts: string[] = [];
  for (const instruction of document.beforeRoot) parts.push(renderProcessingInstruction(instruction), "\n");
  write(document.root, undefined, true, options, parts);
  for (const instruction of document.afterRoot) parts.push("\n", renderProcessingInstruction(instruction));
  return parts.join("");
}

/**
 * The canonical form of `apex` and its descendants, as a string (UTF-8 encode it to digest or sign).
 * @example const octets = utf8(canonicalize(signedInfo, { method: "exclusive" }));
 */
export function canonicalize(apex: XmlElement, options: C14nOptions): string {
  const parts: string[] = [];
  write(apex, undefined, true, options, parts);
  return parts.join("");
}

/** `rendered`: the namespace declarations output ancestors rendered, innermost frame first (prefix → URI; "" = default). */
function write(element: XmlElement, rendered: NamespaceScope | undefined, isApex: boolean, options: C14nOptions, parts: string[]): void {
  if (element === options.exclude) return;
  const declarations =
    options.method === "exclusive"
      ? exclusiveDeclarations(element, rendered, options)
      : isApex
        ? apexDeclarations(element)
        : inclusiveDeclarations(element);
  const renderedHere = declarations.size === 0 ? rendered : { bindings: declarations, parent: rendered };
  let attributes: readonly XmlAttribute[] = element.attributes;
  // C14N 1.0 §2.4 (document subsets): the apex inherits xml:* attributes from ancestors outside the node-set.
  // Exclusive C14N drops this rule (exc-c14n §3, "attributes in the XML namespace … are not imported").
  if (isApex && options.method === "inclusive" && element.parent) attributes = [...attributes, ...inheritedXmlAttributes(element)];
  if (attributes.length > 1) attributes = [...attributes].sort(compareAttributes);
  const name = element.qualifiedName;
  parts.push("<", name);
  if (declarations.size > 0) {
    for (const [prefix, uri] of [...declarations].sort(([a], [b]) => compareStrings(a, b))) {
      parts.push(prefix === "" ? " xmlns" : ` xmlns:${prefix}`, '="', escapeAttribute(uri), '"');
    }
  }
  for (const attribute of attributes) parts.push(" ", attribute.qualifiedName, '="', escapeAttribute(attribute.value), '"');
  parts.push(">");
  for (const child of element.children) {
    if (child.kind === "text") parts.push(escapeText(child.text));
    else if (child.kind === "element") write(child, renderedHere, false, options, parts);
    else parts.push(renderProcessingInstruction(child));
  }
  parts.push("</", name, ">");
}

/**
 * Inclusive C14N at the apex: every namespace in scope (C14N 1.0 §4.7), nearest declaration first; an empty default
 * namespace is no namespace node. The `xml` namespace is never rendered (its declaration is implied).
 */
function apexDeclarations(apex: XmlElement): Map<string, string> {
  const declarations = new Map<string, string>();
  const seen = new Set<string>();
  for (let frame: NamespaceScope | undefined = apex.scope; frame; frame = frame.parent) {
    for (const [prefix, uri] of frame.bindings) {
      if (seen.has(prefix)) continue;
      seen.add(prefix);
      if (prefix !== "xml" && uri !== "") declarations.set(prefix, uri);
    }
  }
  return declarations;
}

/**
 * Inclusive C14N below the apex (C14N 1.0 §2.3, §4.7): a namespace node is rendered unless the output parent, which
 * holds every namespace in its scope, has the same one; so only the element's own declarations can differ from it.
 * `xmlns=""` is rendered when it takes away a default namespace the parent has.
 */
function inclusiveDeclarations(element: XmlElement): Map<string, string> {
  const declarations = new Map<string, string>();
  if (element.declarations.length === 0) return declarations;
  const parentScope = element.parent!.scope;
  for (const { prefix, uri } of element.declarations) {
    if (prefix === "xml") continue;
    if ((lookupNamespace(parentScope, prefix) ?? "") !== uri) declarations.set(prefix, uri);
  }
  return declarations;
}

/**
 * Exclusive C14N §3: a namespace is rendered on an element only where it is visibly utilized (the element's own
 * prefix, or an attribute's) or listed in the PrefixList, and not already rendered with the same URI by an output
 * ancestor. The default namespace is utilized by an unprefixed element; `xmlns=""` when that element has none but
 * an ancestor rendered one.
 */
function exclusiveDeclarations(element: XmlElement, rendered: NamespaceScope | undefined, options: C14nOptions): Map<string, string> {
  const utilized = new Set<string>([element.prefix]);
  for (const attribute of element.attributes) if (attribute.prefix !== "") utilized.add(attribute.prefix);
  for (const listed of options.inclusivePrefixes ?? []) {
    const prefix = listed === "#default" ? "" : listed;
    const uri = lookupNamespace(element.scope, prefix);
    if (uri !== undefined && uri !== "") utilized.add(prefix);
  }
  const declarations = new Map<string, string>();
  for (const prefix of utilized) {
    if (prefix === "xml") continue;
    const uri = lookupNamespace(element.scope, prefix) ?? "";
    const above = lookupNamespace(rendered, prefix) ?? "";
    if (uri === above) continue;
    if (prefix === "" || uri !== "") declarations.set(prefix, uri); // an unbound prefix is never declared empty
  }
  return declarations;
}

/** The nearest ancestor's value of each xml:* attribute the apex does not carry itself. */
function inheritedXmlAttributes(apex: XmlElement): XmlAttribute[] {
  const own = new Set(apex.attributes.filter((a) => a.namespace === XML_NS).map((a) => a.localName));
  const inherited: XmlAttribute[] = [];
  for (let ancestor = apex.parent; ancestor; ancestor = ancestor.parent) {
    for (const attribute of ancestor.attributes) {
      if (attribute.namespace !== XML_NS || own.has(attribute.localName)) continue;
      own.add(attribute.localName);
      inherited.push(attribute);
    }
  }
  return inherited;
}

/** C14N 1.0 §2.3 processing instructions: `<?target data?>`, or `<?target?>` with no data. */
function renderProcessingInstruction(instruction: XmlProcessingInstruction): string {
  return instruction.data === "" ? `<?${instruction.target}?>` : `<?${instruction.target} ${instruction.data}?>`;
}

/** C14N 1.0 §2.2: attributes by namespace URI (none first), then local name. */
function compareAttributes(a: XmlAttribute, b: XmlAttribute): number {
  return compareStrings(a.namespace, b.namespace) || compareStrings(a.localName, b.localName);
}

/**
 * Code-point order, as libxml2 compares UTF-8 (C14N 1.0 §2.2 "lexicographic order"): UTF-16 code units agree with it
 * except that a surrogate (a character past U+FFFF) must sort after U+E000–U+FFFF.
 */
function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointRank(x) - codePointRank(y);
  }
  return a.length - b.length;
}

function codePointRank(unit: number): number {
  if (unit < 0xd800) return unit;
  return unit >= 0xe000 ? unit - 0x800 : unit + 0x2000;
}

/** C14N 1.0 §2.3 text nodes: &, <, > and CR as references. */
function escapeText(text: string): string {
  return /[&<>\r]/.test(text) ? text.replace(/[&<>\r]/g, (c) => TEXT_ESCAPES[c]!) : text;
}

/** C14N 1.0 §2.3 attribute nodes: &, <, ", TAB, LF and CR as references. */
function escapeAttribute(value: string): string {
  return /[&<"\t\n\r]/.test(value) ? value.replace(/[&<"\t\n\r]/g, (c) => ATTRIBUTE_ESCAPES[c]!) : value;
}

const TEXT_ESCAPES: Readonly<Record<string, string>> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#xD;" };
const ATTRIBUTE_ESCAPES: Readonly<Record<string, string>> = {
  "&": "&amp;",
  "<": "&lt;",
  '"': "&quot;",
  "\t": "&#x9;",
  "\n": "&#xA;",
  "\r": "&#xD;",
};
