/**
 * Canonical XML, as XML-DSig digests and signs it: Canonical XML 1.0 (W3C REC-xml-c14n-20010315, "inclusive") and
 * Exclusive XML Canonicalization 1.0 (W3C REC-xml-exc-c14n-20020718), both without comments (the tree keeps
 * none). The node-set is a whole document (`URI=""`), or one element's subtree (`#id`, XML-DSig §4.4.3.3), minus,
 * optionally, one enveloped Signature element (XML-DSig §6.6.4). The namespaces in scope and those the output
 * ancestors rendered are two maps changed on the way into each element and restored on the way out, so every lookup
 * is one map read: the work grows with the document, not with its declarations, depth or PrefixList times its
 * elements.
 */
import { XML_NS } from "./namespaces";
import { InScopeNamespaces } from "./namespace-scope";
import type { XmlAttribute, XmlDocument, XmlElement, XmlProcessingInstruction } from "./tree";
import { OVER_LIMIT, Utf8Output } from "./utf8-output";

export type C14nMethod = "inclusive" | "exclusive";

export interface C14nOptions {
  readonly method: C14nMethod;
  /** An element left out with its subtree: the Signature under the enveloped-signature transform. */
  readonly exclude?: XmlElement;
  /** Exclusive C14N `InclusiveNamespaces/@PrefixList` (exc-c14n §3): prefixes treated by the inclusive rules ("#default" = ""). */
  readonly inclusivePrefixes?: readonly string[];
}

const INCLUSIVE: C14nOptions = { method: "inclusive" };
const DECODER = new TextDecoder();

/**
 * The canonical form of a whole document: processing instructions before the root each followed by a LF, the root,
 * those after it each preceded by one (C14N 1.0 §2.1, §4.9). With the default options this is what
 * `xmllint --c14n` prints less comments (xmllint keeps them; the tree has none).
 */
export function canonicalizeDocument(document: XmlDocument, options: C14nOptions = INCLUSIVE): string {
  return DECODER.decode(canonicalOctets(document, options, Infinity)!.octets);
}

/** The canonical form of `apex` and its descendants, as text (to digest or sign it, take `canonicalOctets`). */
export function canonicalize(apex: XmlElement, options: C14nOptions): string {
  return DECODER.decode(canonicalOctets(apex, options, Infinity)!.octets);
}

/** `canonicalOctets` as text, or undefined over `maxLength` characters. */
export function canonicalizeWithin(target: XmlDocument | XmlElement, options: C14nOptions, maxLength: number): string | undefined {
  const canonical = canonicalOctets(target, options, maxLength);
  return canonical && DECODER.decode(canonical.octets);
}

/** A canonical form as XML-DSig digests it: UTF-8 octets, and how many characters they hold (what a budget counts). */
export interface CanonicalOctets {
  readonly octets: Uint8Array;
  readonly characters: number;
}

/**
 * The canonical form of a document or an element's subtree, or undefined as soon as it passes `maxCharacters`: a
 * form can be far longer than its input (exclusive C14N declares a prefix again on every sibling that uses it), so
 * a caller on a budget stops the walk rather than build it whole.
 * @example const { octets } = canonicalOctets(signedInfo, { method: "exclusive" }, Infinity)!;
 */
export function canonicalOctets(
  target: XmlDocument | XmlElement,
  options: C14nOptions,
  maxCharacters: number,
): CanonicalOctets | undefined {
  const out = new Utf8Output(maxCharacters);
  try {
    if ("kind" in target) {
      write(target, walkFrom(target, options), true, out);
    } else {
      for (const instruction of target.beforeRoot) {
        writeProcessingInstruction(instruction, out);
        out.append("\n");
      }
      write(target.root, walkFrom(target.root, options), true, out);
      for (const instruction of target.afterRoot) {
        out.append("\n");
        writeProcessingInstruction(instruction, out);
      }
    }
  } catch (error) {
    if (error === OVER_LIMIT) return undefined;
    throw error;
  }
  return { octets: out.octets(), characters: out.characters };
}

/** Where a canonicalization walk stands: the namespaces in scope, and those the output ancestors rendered. */
interface Walk {
  readonly options: C14nOptions;
  readonly inScope: InScopeNamespaces;
  readonly rendered: InScopeNamespaces;
}

/** A walk starting at `apex`: in scope, what its parent's scope holds; rendered, nothing (xml's binding is implied). */
function walkFrom(apex: XmlElement, options: C14nOptions): Walk {
  return { options, inScope: new InScopeNamespaces(apex.parent?.scope), rendered: new InScopeNamespaces() };
}

function write(element: XmlElement, walk: Walk, isApex: boolean, out: Utf8Output): void {
  const options = walk.options;
  if (element === options.exclude) return;
  // Inclusive C14N compares an element's own declarations with its output parent's scope: read before entering.
  const inclusive = options.method === "inclusive" && !isApex ? inclusiveDeclarations(element, walk.inScope) : undefined;
  const scopeUndo = walk.inScope.enter(element.declarations);
  const declarations =
    options.method === "exclusive" ? exclusiveDeclarations(element, walk, options) : (inclusive ?? apexDeclarations(walk.inScope));
  const renderedUndo = walk.rendered.enter(declarations);
  let attributes: readonly XmlAttribute[] = element.attributes;
  // C14N 1.0 §2.4 (document subsets): the apex inherits xml:* attributes from ancestors outside the node-set.
  // Exclusive C14N drops this rule (exc-c14n §3, "attributes in the XML namespace … are not imported").
  if (isApex && options.method === "inclusive" && element.parent) attributes = [...attributes, ...inheritedXmlAttributes(element)];
  if (attributes.length > 1) attributes = [...attributes].sort(compareAttributes);
  const name = element.qualifiedName;
  out.append("<");
  out.append(name);
  if (declarations.length > 1) declarations.sort((a, b) => compareStrings(a.prefix, b.prefix));
  for (const { prefix, uri } of declarations) {
    if (prefix === "") {
      out.append(' xmlns="');
    } else {
      out.append(" xmlns:");
      out.append(prefix);
      out.append('="');
    }
    out.append(escapeAttribute(uri));
    out.append('"');
  }
  for (const attribute of attributes) {
    out.append(" ");
    out.append(attribute.qualifiedName);
    out.append('="');
    out.append(escapeAttribute(attribute.value));
    out.append('"');
  }
  out.append(">");
  for (const child of element.children) {
    if (child.kind === "text") out.append(escapeText(child.text));
    else if (child.kind === "element") write(child, walk, false, out);
    else writeProcessingInstruction(child, out);
  }
  out.append("</");
  out.append(name);
  out.append(">");
  walk.rendered.leave(renderedUndo);
  walk.inScope.leave(scopeUndo);
}

type Declaration = { readonly prefix: string; readonly uri: string };

/**
 * Inclusive C14N at the apex: every namespace in scope (C14N 1.0 §4.7); an empty default namespace is no namespace
 * node. The `xml` namespace is never rendered (its declaration is implied).
 */
function apexDeclarations(inScope: InScopeNamespaces): Declaration[] {
  const declarations: Declaration[] = [];
  for (const [prefix, uri] of inScope.entries()) if (prefix !== "xml" && uri !== "") declarations.push({ prefix, uri });
  return declarations;
}

/**
 * Inclusive C14N below the apex (C14N 1.0 §2.3, §4.7): a namespace node is rendered unless the output parent, which
 * holds every namespace in its scope, has the same one; so only the element's own declarations can differ from it.
 * `xmlns=""` is rendered when it takes away a default namespace the parent has.
 */
function inclusiveDeclarations(element: XmlElement, parentScope: InScopeNamespaces): Declaration[] {
  const declarations: Declaration[] = [];
  for (const declaration of element.declarations) {
    if (declaration.prefix !== "xml" && (parentScope.get(declaration.prefix) ?? "") !== declaration.uri) declarations.push(declaration);
  }
  return declarations;
}

/**
 * Exclusive C14N §3: a namespace is rendered on an element only where it is visibly utilized (the element's own
 * prefix, or an attribute's) or listed in the PrefixList, and not already rendered with the same URI by an output
 * ancestor. The default namespace is utilized by an unprefixed element; `xmlns=""` when that element has none but
 * an ancestor rendered one.
 */
function exclusiveDeclarations(element: XmlElement, walk: Walk, options: C14nOptions): Declaration[] {
  const declarations: Declaration[] = [];
  considerUtilized(element.prefix, walk, declarations);
  for (const attribute of element.attributes) if (attribute.prefix !== "") considerUtilized(attribute.prefix, walk, declarations);
  for (const listed of options.inclusivePrefixes ?? []) {
    const prefix = listed === "#default" ? "" : listed;
    const uri = walk.inScope.get(prefix);
    if (uri !== undefined && uri !== "") considerUtilized(prefix, walk, declarations);
  }
  return declarations;
}

/** Adds a declaration of `prefix` when its URI in scope is not what the output ancestors rendered, once. */
function considerUtilized(prefix: string, walk: Walk, declarations: Declaration[]): void {
  if (prefix === "xml") return;
  const uri = walk.inScope.get(prefix) ?? "";
  if (uri === (walk.rendered.get(prefix) ?? "")) return;
  if (prefix !== "" && uri === "") return; // an unbound prefix is never declared empty
  for (const declared of declarations) if (declared.prefix === prefix) return;
  declarations.push({ prefix, uri });
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
function writeProcessingInstruction(instruction: XmlProcessingInstruction, out: Utf8Output): void {
  out.append("<?");
  out.append(instruction.target);
  if (instruction.data !== "") {
    out.append(" ");
    out.append(instruction.data);
  }
  out.append("?>");
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
