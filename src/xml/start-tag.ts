/**
 * One start tag → one element of the tree (XML 1.0 §3.1 STag and EmptyElemTag, Namespaces in XML 1.0 §5–§6): its
 * name and attributes checked, attribute values normalized (§3.3.3), namespace declarations taken into a scope of
 * its own over its parent's, and its prefixes resolved. A namespace problem (an undeclared prefix, an expanded
 * attribute name twice) is noted rather than thrown, so the first well-formedness failure of the whole document is
 * reported before it, as a separate namespace walk would.
 */
import { BAD_REFERENCE, checkCharacterReferences, decodeReferences } from "./references";
import { fail, shown } from "./failure";
import { namespaceDeclarationProblem, qualifiedNameProblem } from "./names";
import {
  duplicateExpandedName,
  undeclaredPrefix,
  type InScopeNamespaces,
  type NamespaceScope,
  type NamespaceUndo,
} from "./namespace-scope";
import type { XmlAttribute, XmlElement, XmlNamespaceDeclaration, XmlNode } from "./tree";

/** XML 1.0 §2.3 S: only these four count as white space (JavaScript's \\s also matches NBSP and others). */
const S = "[ \\t\\n\\r]";
/** Loose on purpose: any non-ASCII character may stand in a name here; `qualifiedNameProblem` then checks it exactly. */
const NAME = "[A-Za-z_:\\u0080-\\uFFFF][-A-Za-z0-9_:.\\u0080-\\uFFFF]*";
/** `<` Name (S Attribute)* S? (`>` | `/>`), an attribute value holding no `<` (XML 1.0 §3.1, §2.3 AttValue). */
const START_TAG = new RegExp(`<(${NAME})((?:${S}+${NAME}${S}*=${S}*(?:"[^<"]*"|'[^<']*'))*)${S}*(/?)>`, "y");

/** An element being built: the tree's element with its children still open to additions. */
export interface OpenElement extends XmlElement {
  readonly children: XmlNode[];
}

/** A namespace problem noted at a position of the text; the line and column are worked out only when it is reported. */
export interface NamespaceProblem {
  readonly at: number;
  readonly problem: string;
}

export interface StartTag {
  readonly element: OpenElement;
  readonly selfClosing: boolean;
  /** The position after the tag's `>`. */
  readonly end: number;
  /** The first namespace problem of this tag, if any: where, and what (formatted only if it is reported). */
  readonly namespaceProblem: NamespaceProblem | undefined;
  /** Gives the in-scope namespaces back as they were before this element (at its end tag). */
  readonly namespaceUndo: NamespaceUndo;
}

/**
 * Reads the start tag at `lt`, an element child of `parent` (undefined for the root) in `parentScope`; `inScope` holds
 * the same namespaces as one map, and comes back with this element's declarations applied.
 */
export function readStartTag(
  text: string,
  lt: number,
  parent: OpenElement | undefined,
  parentScope: NamespaceScope,
  inScope: InScopeNamespaces,
): StartTag {
  const match = bareStartTag(text, lt) ?? matchStartTag(text, lt);
  const qualifiedName = match[1]!;
  const nameProblem = qualifiedNameProblem(qualifiedName);
  if (nameProblem) fail(text, lt, `element name ${shown(qualifiedName)} ${nameProblem}`);
  const written = readAttributes(text, lt, lt + 1 + qualifiedName.length, match[2]!);
  const scope = written.declarations.length === 0 ? parentScope : { bindings: bindingsOf(written.declarations), parent: parentScope };
  let namespaceProblem: NamespaceProblem | undefined;
  const colon = qualifiedName.indexOf(":");
  const prefix = colon === -1 ? "" : qualifiedName.slice(0, colon);
  const localName = colon === -1 ? qualifiedName : qualifiedName.slice(colon + 1);
  const namespaceUndo = inScope.enter(written.declarations);
  let namespace = inScope.get(prefix);
  if (prefix === "xmlns") {
    // Namespaces in XML 1.0 §3: "Element names MUST NOT have the prefix xmlns."
    namespaceProblem = { at: lt, problem: `element ${shown(qualifiedName)} may not have the prefix xmlns (Namespaces in XML 1.0 §3)` };
  } else if (namespace === undefined && prefix !== "") {
    namespaceProblem = { at: lt, problem: undeclaredPrefix(prefix, qualifiedName) };
  }
  namespace ??= "";
  const attributes = written.attributes.length === 0 ? NO_RESOLVED : resolveAttributes(qualifiedName, written.attributes, inScope, lt);
  namespaceProblem ??= attributes.problem;
  const element: OpenElement = {
    kind: "element",
    qualifiedName,
    prefix,
    localName,
    namespace,
    attributes: attributes.resolved,
    declarations: written.declarations,
    scope,
    children: [],
    parent,
  };
  return { element, selfClosing: match[3] === "/", end: match.end, namespaceProblem, namespaceUndo };
}

/** A start tag's parts: [whole, name, attribute text, "/" or ""], and where it ends. */
type StartTagMatch = readonly [string, string, string, string] & { readonly end: number };

function matchStartTag(text: string, lt: number): StartTagMatch {
  START_TAG.lastIndex = lt;
  const match = START_TAG.exec(text);
  if (!match) fail(text, lt, "malformed or unterminated start tag");
  return Object.assign(match as unknown as [string, string, string, string], { end: START_TAG.lastIndex });
}

/**
 * The common tag without attributes (`<name>`, `<name/>`) read by index, without the pattern and its match array;
 * undefined for anything else, which START_TAG then reads. Names are matched as loosely as START_TAG's NAME.
 */
function bareStartTag(text: string, lt: number): StartTagMatch | undefined {
  let position = lt + 1;
  if (!isLooseNameStart(text.charCodeAt(position))) return undefined;
  while (isLooseNameChar(text.charCodeAt(++position)));
  const next = text.charCodeAt(position);
  const selfClosing = next === 0x2f /* / */ && text.charCodeAt(position + 1) === 0x3e; /* > */
  if (next !== 0x3e && !selfClosing) return undefined;
  const end = position + (selfClosing ? 2 : 1);
  return Object.assign(["", text.slice(lt + 1, position), "", selfClosing ? "/" : ""] as [string, string, string, string], { end });
}

/** START_TAG's NAME: `[A-Za-z_:\u0080-\uFFFF]` first. */
function isLooseNameStart(code: number): boolean {
  return (code >= 0x61 && code <= 0x7a) || (code >= 0x41 && code <= 0x5a) || code === 0x5f || code === 0x3a || code >= 0x80;
}

/** START_TAG's NAME: `[-A-Za-z0-9_:.\u0080-\uFFFF]` after the first. */
function isLooseNameChar(code: number): boolean {
  return isLooseNameStart(code) || (code >= 0x30 && code <= 0x39) || code === 0x2d || code === 0x2e;
}

interface WrittenAttributes {
  readonly attributes: { readonly name: string; readonly value: string }[];
  readonly declarations: XmlNamespaceDeclaration[];
}

const NO_ATTRIBUTES: WrittenAttributes = { attributes: [], declarations: [] };

/**
 * The attributes of the start tag at `lt`, from `attributes` (the text START_TAG matched, starting at `from`):
 * each name checked, each value's references checked, the value normalized, namespace declarations set apart.
 */
function readAttributes(text: string, lt: number, from: number, attributes: string): WrittenAttributes {
  if (attributes === "") return NO_ATTRIBUTES;
  const read: WrittenAttributes = { attributes: [], declarations: [] };
  const names = new Set<string>();
  // START_TAG matched `(S+ Name S* = S* ("…"|'…'))*` here (XML 1.0 §3.1), so index arithmetic finds each name and
  // value without a second pattern: a name ends at white space or `=`, a value at its closing quote.
  let position = 0;
  while (position < attributes.length) {
    position = afterWhiteSpace(attributes, position);
    const nameStart = position;
    while (!endsName(attributes.charCodeAt(position))) position++;
    const name = attributes.slice(nameStart, position);
    position = afterWhiteSpace(attributes, afterWhiteSpace(attributes, position) + 1); // over `=`
    const quote = attributes[position]!;
    const valueStart = position + 1;
    position = attributes.indexOf(quote, valueStart) + 1;
    const raw = attributes.slice(valueStart, position - 1);
    const nameAt = from + nameStart;
    if (names.has(name)) fail(text, lt, `attribute ${shown(name)} appears twice`);
    names.add(name);
    const problem = qualifiedNameProblem(name);
    if (problem) fail(text, nameAt, `attribute name ${shown(name)} ${problem}`);
    if (raw.includes("&") && BAD_REFERENCE.test(raw)) fail(text, lt, `attribute ${shown(name)} has a bare & or an undefined entity`);
    checkCharacterReferences(text, from + valueStart, raw);
    const value = normalizeAttributeValue(raw);
    if (name === "xmlns" || name.startsWith("xmlns:")) {
      const declaration = namespaceDeclarationProblem(name, value);
      if (declaration) fail(text, from + valueStart, `namespace declaration ${shown(name)} ${declaration}`);
      read.declarations.push({ prefix: name === "xmlns" ? "" : name.slice(6), uri: value });
    } else {
      read.attributes.push({ name, value });
    }
  }
  return read;
}

/**
 * XML 1.0 §3.3.3 for CDATA-typed attributes (all of them, without a DTD): each literal white-space character
 * becomes a space, then references are replaced (so `&#9;` stays a TAB). End-of-line handling already made CR LF
 * and CR a LF (§2.11).
 */
function normalizeAttributeValue(raw: string): string {
  const spaced = /[\t\n\r]/.test(raw) ? raw.replace(/[\t\n\r]/g, " ") : raw;
  return spaced.includes("&") ? decodeReferences(spaced) : spaced;
}

function bindingsOf(declarations: readonly XmlNamespaceDeclaration[]): Map<string, string> {
  const bindings = new Map<string, string>();
  for (const { prefix, uri } of declarations) bindings.set(prefix, uri);
  return bindings;
}

const NO_RESOLVED = { resolved: [] as readonly XmlAttribute[], problem: undefined };

/** Each attribute's prefix resolved (Namespaces in XML 1.0 §6.2) and the expanded names checked for repeats (§6.3). */
function resolveAttributes(
  elementName: string,
  attributes: WrittenAttributes["attributes"],
  inScope: InScopeNamespaces,
  lt: number,
): { resolved: readonly XmlAttribute[]; problem: NamespaceProblem | undefined } {
  const resolved: XmlAttribute[] = [];
  let problem: NamespaceProblem | undefined;
  let expanded: Set<string> | undefined;
  for (const { name, value } of attributes) {
    const colon = name.indexOf(":");
    if (colon === -1) {
      resolved.push({ qualifiedName: name, prefix: "", localName: name, namespace: "", value });
      continue;
    }
    const prefix = name.slice(0, colon);
    const localName = name.slice(colon + 1);
    const namespace = inScope.get(prefix);
    if (namespace === undefined) problem ??= { at: lt, problem: undeclaredPrefix(prefix, name) };
    const key = `{${namespace ?? ""}}${localName}`;
    if ((expanded ??= new Set()).has(key)) problem ??= { at: lt, problem: duplicateExpandedName(elementName, name) };
    expanded.add(key);
    resolved.push({ qualifiedName: name, prefix, localName, namespace: namespace ?? "", value });
  }
  return { resolved, problem };
}

/** The position after XML white space (XML 1.0 §2.3 S) from `position`. */
function afterWhiteSpace(text: string, position: number): number {
  let code = text.charCodeAt(position);
  while (code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d) code = text.charCodeAt(++position);
  return position;
}

/** Whether a character ends an attribute name in a matched start tag: XML white space or `=`. */
function endsName(code: number): boolean {
  return code === 0x3d || code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d;
}
