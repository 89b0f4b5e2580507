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
  const nameEnd = afterLooseName(text, lt + 1);
  const end = scanStartTag(text, lt, nameEnd);
  const qualifiedName = text.slice(lt + 1, nameEnd);
  const nameProblem = qualifiedNameProblem(qualifiedName);
  if (nameProblem) fail(text, lt, `element name ${shown(qualifiedName)} ${nameProblem}`);
  const written = readAttributes(text, lt);
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
  return { element, selfClosing: text.charCodeAt(end - 2) === 0x2f /* / */, end, namespaceProblem, namespaceUndo };
}

/**
 * Where each attribute of the start tag just scanned lies: name start, name end, value start, value end (inside the
 * quotes), four numbers per attribute. One array for the isolate, reused by every tag (the parse is synchronous).
 */
const ATTRIBUTE_BOUNDS: number[] = [];

/**
 * XML 1.0 §3.1 STag and EmptyElemTag, `'<' Name (S Attribute)* S? ('>' | '/>')` with `Attribute ::= Name Eq
 * AttValue` and no `<` in a value (§2.3 AttValue), checked by index from the end of the name: returns the position
 * after the tag's `>` and leaves each attribute's bounds in ATTRIBUTE_BOUNDS. Names are matched loosely here (any
 * character from U+0080 may stand in one) and checked exactly afterwards, so the first failure is the tag's shape.
 */
function scanStartTag(text: string, lt: number, nameEnd: number): number {
  ATTRIBUTE_BOUNDS.length = 0;
  if (nameEnd === lt + 1) malformedStartTag(text, lt);
  let position = nameEnd;
  // The first `<` after the tag's name: searched again only once passed, so a tag of many attributes is read in
  // one pass (a search per value would scan the rest of the tag each time).
  let lessThan = -2;
  for (;;) {
    const spaceStart = position;
    position = afterWhiteSpace(text, position);
    const code = text.charCodeAt(position);
    if (code === 0x3e /* > */) return position + 1;
    if (code === 0x2f /* / */) {
      if (text.charCodeAt(position + 1) !== 0x3e) malformedStartTag(text, lt);
      return position + 2;
    }
    // An attribute: after white space (§3.1 `S Attribute`), a name, `=` between optional white space, a quoted value.
    if (position === spaceStart) malformedStartTag(text, lt);
    const nameStart = position;
    position = afterLooseName(text, position);
    if (position === nameStart) malformedStartTag(text, lt);
    const attributeNameEnd = position;
    position = afterWhiteSpace(text, position);
    if (text.charCodeAt(position) !== 0x3d /* = */) malformedStartTag(text, lt);
    position = afterWhiteSpace(text, position + 1);
    const quote = text.charCodeAt(position);
    if (quote !== 0x22 /* " */ && quote !== 0x27 /* ' */) malformedStartTag(text, lt);
    const valueEnd = text.indexOf(quote === 0x22 ? '"' : "'", position + 1);
    if (valueEnd === -1) malformedStartTag(text, lt);
    if (lessThan !== -1 && lessThan <= position) lessThan = text.indexOf("<", position + 1);
    if (lessThan !== -1 && lessThan < valueEnd) malformedStartTag(text, lt);
    ATTRIBUTE_BOUNDS.push(nameStart, attributeNameEnd, position + 1, valueEnd);
    position = valueEnd + 1;
  }
}

function malformedStartTag(text: string, lt: number): never {
  return fail(text, lt, "malformed or unterminated start tag");
}

/** The position after a loosely matched name from `position` (itself, when no name starts there). */
function afterLooseName(text: string, position: number): number {
  if (!isLooseNameStart(text.charCodeAt(position))) return position;
  while (isLooseNameChar(text.charCodeAt(++position)));
  return position;
}

/** A name's first character, loosely: `[A-Za-z_:]` or any code unit from U+0080. */
function isLooseNameStart(code: number): boolean {
  return (code >= 0x61 && code <= 0x7a) || (code >= 0x41 && code <= 0x5a) || code === 0x5f || code === 0x3a || code >= 0x80;
}

/** A name's later characters, loosely: `[-A-Za-z0-9_:.]` or any code unit from U+0080. */
function isLooseNameChar(code: number): boolean {
  return isLooseNameStart(code) || (code >= 0x30 && code <= 0x39) || code === 0x2d || code === 0x2e;
}

interface WrittenAttributes {
  readonly attributes: { readonly name: string; readonly value: string }[];
  readonly declarations: XmlNamespaceDeclaration[];
}

const NO_ATTRIBUTES: WrittenAttributes = { attributes: [], declarations: [] };

/**
 * The attributes of the start tag at `lt` that `scanStartTag` just bounded: each name checked, each value's
 * references checked, the value normalized, namespace declarations set apart.
 */
function readAttributes(text: string, lt: number): WrittenAttributes {
  const bounds = ATTRIBUTE_BOUNDS;
  if (bounds.length === 0) return NO_ATTRIBUTES;
  const read: WrittenAttributes = { attributes: [], declarations: [] };
  let names: Set<string> | undefined;
  for (let i = 0; i < bounds.length; i += 4) {
    const nameAt = bounds[i]!;
    const valueAt = bounds[i + 2]!;
    const name = text.slice(nameAt, bounds[i + 1]);
    const raw = text.slice(valueAt, bounds[i + 3]);
    if (bounds.length > 4) {
      if ((names ??= new Set()).has(name)) fail(text, lt, `attribute ${shown(name)} appears twice`);
      names.add(name);
    }
    const problem = qualifiedNameProblem(name);
    if (problem) fail(text, nameAt, `attribute name ${shown(name)} ${problem}`);
    if (raw.includes("&") && BAD_REFERENCE.test(raw)) fail(text, lt, `attribute ${shown(name)} has a bare & or an undefined entity`);
    checkCharacterReferences(text, valueAt, raw);
    const value = normalizeAttributeValue(raw);
    if (name === "xmlns" || name.startsWith("xmlns:")) {
      const declaration = namespaceDeclarationProblem(name, value);
      if (declaration) fail(text, valueAt, `namespace declaration ${shown(name)} ${declaration}`);
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
