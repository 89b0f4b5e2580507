/**
 * Canonical XML of one element subtree, as XML-DSig digests and signs it: Canonical XML 1.0 (W3C
 * REC-xml-c14n-20010315, "inclusive") and Exclusive XML Canonicalization 1.0 (W3C REC-xml-exc-c14n-20020718), both
 * without comments. The node-set is always a whole subtree (a same-document reference `#id` or `""`, XML-DSig §4.4.3.3)
 * minus, optionally, one enveloped Signature element (XML-DSig §6.6.4); the input tree has no comments and no
 * processing instructions inside the root (a signed CPIX document has neither), so the rules reduce to the
 * namespace-rendering ones below.
 */
import { XML_NS } from "../namespaces";
import type { XmlTreeAttribute, XmlTreeElement } from "./xml-tree";

export type C14nMethod = "inclusive" | "exclusive";

export interface C14nOptions {
  readonly method: C14nMethod;
  /** An element left out with its subtree: the Signature under the enveloped-signature transform. */
  readonly exclude?: XmlTreeElement;
  /** Exclusive C14N `InclusiveNamespaces/@PrefixList` (exc-c14n §3): prefixes treated by the inclusive rules ("#default" = ""). */
  readonly inclusivePrefixes?: readonly string[];
}

/**
 * The canonical form of `apex` and its descendants, as a string (UTF-8 encode it to digest or sign).
 * @example const octets = utf8(canonicalize(signedInfo, { method: "exclusive" }));
 */
export function canonicalize(apex: XmlTreeElement, options: C14nOptions): string {
  const parts: string[] = [];
  // Namespaces rendered by output ancestors (prefix → URI; "" = default). Nothing is rendered above the apex.
  write(apex, new Map(), true, options, parts);
  return parts.join("");
}

function write(
  element: XmlTreeElement,
  renderedAbove: ReadonlyMap<string, string>,
  isApex: boolean,
  options: C14nOptions,
  parts: string[],
): void {
  if (element === options.exclude) return;
  const declarations =
    options.method === "inclusive" ? inclusiveDeclarations(element, renderedAbove) : exclusiveDeclarations(element, renderedAbove, options);
  const rendered = new Map(renderedAbove);
  for (const [prefix, uri] of declarations) rendered.set(prefix, uri);
  const attributes = [...element.attributes];
  // C14N 1.0 §2.4 (document subsets): the apex inherits xml:* attributes from ancestors outside the node-set.
  // Exclusive C14N drops this rule (exc-c14n §3, "attributes in the XML namespace … are not imported").
  if (isApex && options.method === "inclusive") attributes.push(...inheritedXmlAttributes(element));
  attributes.sort(compareAttributes);
  const name = qualifiedName(element.prefix, element.localName);
  parts.push("<", name);
  for (const [prefix, uri] of [...declarations].sort(([a], [b]) => compareStrings(a, b))) {
    parts.push(prefix === "" ? " xmlns" : ` xmlns:${prefix}`, '="', escapeAttribute(uri), '"');
  }
  for (const attribute of attributes) {
    parts.push(" ", qualifiedName(attribute.prefix, attribute.localName), '="', escapeAttribute(attribute.value), '"');
  }
  parts.push(">");
  for (const child of element.children) {
    if (child.kind === "text") parts.push(escapeText(child.text));
    else write(child, rendered, false, options, parts);
  }
  parts.push("</", name, ">");
}

/**
 * C14N 1.0 §2.3 / §4.7: a namespace node is rendered unless the nearest output ancestor has the same one; since
 * the node-set is a subtree, that ancestor holds every namespace in its scope. `xmlns=""` is rendered when the
 * element has no default namespace but the output ancestor has a non-empty one.
 */
function inclusiveDeclarations(element: XmlTreeElement, renderedAbove: ReadonlyMap<string, string>): Map<string, string> {
  const declarations = new Map<string, string>();
  for (const [prefix, uri] of element.inScope) if (renderedAbove.get(prefix) !== uri) declarations.set(prefix, uri);
  if (!element.inScope.has("") && nonEmpty(renderedAbove.get(""))) declarations.set("", "");
  // Namespaces of the scope that are not this element's (renderedAbove) stay in effect for the descendants.
  return declarations;
}

/**
 * Exclusive C14N §3: a namespace is rendered on an element only where it is visibly utilized (the element's own
 * prefix, or an attribute's), and not already rendered with the same URI by an output ancestor. The default
 * namespace is utilized by an unprefixed element; `xmlns=""` when that element has none but an ancestor rendered one.
 */
function exclusiveDeclarations(
  element: XmlTreeElement,
  renderedAbove: ReadonlyMap<string, string>,
  options: C14nOptions,
): Map<string, string> {
  const utilized = new Set<string>([element.prefix]);
  for (const attribute of element.attributes) if (attribute.prefix !== "" && attribute.prefix !== "xml") utilized.add(attribute.prefix);
  for (const listed of options.inclusivePrefixes ?? []) {
    const prefix = listed === "#default" ? "" : listed;
    if (element.inScope.has(prefix)) utilized.add(prefix);
  }
  const declarations = new Map<string, string>();
  for (const prefix of utilized) {
    const uri = element.inScope.get(prefix) ?? "";
    const above = renderedAbove.get(prefix) ?? "";
    if (uri === above) continue;
    if (prefix === "" || uri !== "") declarations.set(prefix, uri); // an unbound prefix is never declared empty
  }
  return declarations;
}

/** The nearest ancestor's value of each xml:* attribute the apex does not carry itself. */
function inheritedXmlAttributes(apex: XmlTreeElement): XmlTreeAttribute[] {
  const own = new Set(apex.attributes.filter((a) => a.namespace === XML_NS).map((a) => a.localName));
  const inherited: XmlTreeAttribute[] = [];
  for (let ancestor = apex.parent; ancestor; ancestor = ancestor.parent) {
    for (const attribute of ancestor.attributes) {
      if (attribute.namespace !== XML_NS || own.has(attribute.localName)) continue;
      own.add(attribute.localName);
      inherited.push(attribute);
    }
  }
  return inherited;
}

/** C14N 1.0 §2.2: attributes by namespace URI (none first), then local name. */
function compareAttributes(a: XmlTreeAttribute, b: XmlTreeAttribute): number {
  return compareStrings(a.namespace, b.namespace) || compareStrings(a.localName, b.localName);
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function qualifiedName(prefix: string, localName: string): string {
  return prefix === "" ? localName : `${prefix}:${localName}`;
}

function nonEmpty(uri: string | undefined): boolean {
  return uri !== undefined && uri !== "";
}

/** C14N 1.0 §2.3 text nodes: &, <, > and CR as references. */
function escapeText(text: string): string {
  return text.replace(/[&<>\r]/g, (c) => TEXT_ESCAPES[c]!);
}

/** C14N 1.0 §2.3 attribute nodes: &, <, ", TAB, LF and CR as references. */
function escapeAttribute(value: string): string {
  return value.replace(/[&<"\t\n\r]/g, (c) => ATTRIBUTE_ESCAPES[c]!);
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
