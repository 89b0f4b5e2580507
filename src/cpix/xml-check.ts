/**
 * A well-formedness check run before txml, which is lenient (it accepts `<a></ab>`, unterminated tags and bare `&`;
 * txml 6.0.3 `parse`, which keeps no tag stack). It walks the markup once with sticky regexes and a tag stack and throws a
 * CpixReadError saying where the document broke. Its patterns match names loosely (any non-ASCII character is a
 * name character); each name found is then checked as a qualified name and each namespace declaration against
 * Namespaces in XML 1.0 (`xml-names.ts`), so whatever passes can be written back. Everything else follows XML 1.0
 * §2–§4 for documents without a DTD, character references included (§4.1: only to a Char).
 */
import { MAX_XML_DEPTH } from "../domain/request-limits";
import { codeUnitName, firstNonXmlChar } from "../domain/xml-char";
import { BAD_REFERENCE, checkCharacterReferences, decodeReferences } from "./xml-references";
import { CpixReadError } from "./failure";
import { fail, shown, where } from "./xml-scan-failure";
import { namespaceDeclarationProblem, qualifiedNameProblem } from "./xml-names";
import { duplicateExpandedName, lookupNamespace, XML_SCOPE, undeclaredPrefix, type NamespaceScope } from "./xml-namespace-scope";
import type { CpixReadFailure } from "./failure";

/** XML 1.0 §2.3 S: only these four count as white space (JavaScript's \\s also matches NBSP and others). */
const S = "[ \\t\\n\\r]";
const NAME = "[A-Za-z_:\\u0080-\\uFFFF][-A-Za-z0-9_:.\\u0080-\\uFFFF]*";
const START_TAG = new RegExp(`<(${NAME})((?:${S}+${NAME}${S}*=${S}*(?:"[^<"]*"|'[^<']*'))*)${S}*(/?)>`, "y");
const END_TAG = new RegExp(`</(${NAME})${S}*>`, "y");
const WHITE_SPACE_ONLY = /^[ \t\n\r]*$/;
/**
 * Elements txml reads as raw text up to a literal `</script>` or `</style>` (txml 6.0.3 `parse`): their children
 * would be lost, and an end tag with white space before `>` never ends the search. No CPIX document uses them.
 */
const RAW_TEXT_ELEMENTS: ReadonlySet<string> = new Set(["script", "style"]);
/** txml starts an attribute name only at an ASCII letter and skips any other first character (txml 6.0.3 `parse`). */
function startsWithAsciiLetter(name: string): boolean {
  const first = name.charCodeAt(0) | 0x20; // ASCII upper case to lower case
  return first >= 0x61 && first <= 0x7a;
}

interface OpenElement {
  readonly name: string;
  readonly start: number;
  /** The prefixes in scope inside it, when namespaces are checked. */
  readonly scope: NamespaceScope;
}

interface ScanState {
  readonly open: OpenElement[];
  seenRoot: boolean;
  /** Check prefixes against their declarations too (`checkWellFormed`'s `namespaces` option). */
  readonly namespaces: boolean;
  /** The first namespace problem in document order, reported only once the whole text is well-formed. */
  namespaceProblem?: Extract<CpixReadFailure, { reason: "malformed-xml" }>;
  /** Where the next `&` and `]]>` are at or after the text being checked (text.length when there is none). */
  nextAmpersand: number;
  nextCdataEnd: number;
}

/** What a start tag declares and uses, collected for the namespace check. */
interface TagNames {
  declarations?: [prefix: string, uri: string][];
  prefixedAttributes?: string[];
}

export interface WellFormedOptions {
  /**
   * Also check every element and attribute prefix against the declarations in scope and every element's attributes
   * for one expanded name twice (Namespaces in XML 1.0 §5, §6.3), so a reader can resolve names as it goes without
   * a walk of its own. Those failures come after every well-formedness failure, as a separate namespace walk's would.
   */
  readonly namespaces?: boolean;
}

/**
 * Throws a `malformed-xml` CpixReadError unless well-formed, or an `unsupported-xml` one for what txml cannot read
 * faithfully (DTDs, over-deep nesting, `script`/`style` elements, attribute names not starting with a letter).
 */
export function checkWellFormed(text: string, options: WellFormedOptions = {}): void {
  // XML 1.0 §2.2 Char: no C0 controls but tab, LF, CR; no lone surrogates; no U+FFFE/U+FFFF.
  const forbidden = firstNonXmlChar(text);
  if (forbidden !== -1) fail(text, forbidden, `character ${codeUnitName(text, forbidden)} is not allowed in XML`);
  const state: ScanState = { open: [], seenRoot: false, namespaces: options.namespaces ?? false, nextAmpersand: -1, nextCdataEnd: -1 };
  let pos = 0;
  while (pos < text.length) {
    const lt = text.indexOf("<", pos);
    const textEnd = lt === -1 ? text.length : lt;
    if (textEnd > pos) checkCharacterData(text, pos, textEnd, state.open.length > 0, state);
    if (lt === -1) break;
    pos = readMarkup(text, lt, state);
    if (state.open.length > MAX_XML_DEPTH) {
      throw new CpixReadError({ reason: "unsupported-xml", detail: `elements are nested deeper than ${MAX_XML_DEPTH} levels` });
    }
  }
  const unclosed = state.open.at(-1);
  if (unclosed) fail(text, text.length, `<${shown(unclosed.name)}> opened at ${where(text, unclosed.start)} is not closed`);
  if (!state.seenRoot) fail(text, text.length, "the document has no root element");
  if (state.namespaceProblem) throw new CpixReadError(state.namespaceProblem);
}

/** Reads the markup construct starting at `lt` and returns the position after it. */
function readMarkup(text: string, lt: number, state: ScanState): number {
  const stack = state.open;
  const next = text.charCodeAt(lt + 1);
  if (next === 0x21 /* ! */) {
    if (text.startsWith("<!--", lt)) return endOf(text, lt, "<!--", "-->", "comment");
    if (text.startsWith("<![CDATA[", lt)) {
      if (stack.length === 0) fail(text, lt, "CDATA section outside the root element");
      return endOf(text, lt, "<![CDATA[", "]]>", "CDATA section");
    }
    if (text.startsWith("<!DOCTYPE", lt)) {
      throw new CpixReadError({ reason: "unsupported-xml", detail: "document type declarations (DTDs) are not accepted" });
    }
    fail(text, lt, "unknown markup declaration");
  }
  if (next === 0x3f /* ? */) {
    const target = /^<\?([^\s?]*)/.exec(text.slice(lt, lt + 64))?.[1] ?? "";
    if (target.toLowerCase() === "xml" && lt !== 0) fail(text, lt, "the XML declaration must be at the very start");
    return endOf(text, lt, "<?", "?>", "processing instruction");
  }
  if (next === 0x2f /* / */) {
    END_TAG.lastIndex = lt;
    const end = END_TAG.exec(text);
    if (!end) fail(text, lt, "malformed end tag");
    const open = stack.pop();
    if (!open) fail(text, lt, `end tag </${shown(end[1]!)}> has no start tag`);
    if (open.name !== end[1]) {
      fail(text, lt, `end tag </${shown(end[1]!)}> does not match <${shown(open.name)}> opened at ${where(text, open.start)}`);
    }
    return END_TAG.lastIndex;
  }
  START_TAG.lastIndex = lt;
  const start = START_TAG.exec(text);
  if (!start) fail(text, lt, "malformed or unterminated start tag");
  if (stack.length === 0 && state.seenRoot) fail(text, lt, "a second root element");
  state.seenRoot = true;
  checkElementName(text, lt, start[1]!);
  const names: TagNames = {};
  checkAttributes(text, lt, lt + 1 + start[1]!.length, start[2]!, state.namespaces ? names : undefined);
  const parentScope = stack.at(-1)?.scope ?? XML_SCOPE;
  const scope = state.namespaces ? checkNamespaces(state, start[1]!, names, parentScope) : parentScope;
  if (start[3] !== "/") stack.push({ name: start[1]!, start: lt, scope });
  return START_TAG.lastIndex;
}

function checkElementName(text: string, lt: number, name: string): void {
  if (RAW_TEXT_ELEMENTS.has(name)) {
    throw new CpixReadError({ reason: "unsupported-xml", detail: `${where(text, lt)}: elements named ${name} are not accepted` });
  }
  const problem = qualifiedNameProblem(name);
  if (problem) fail(text, lt, `element name ${shown(name)} ${problem}`);
}

/**
 * The scope inside an element (its declarations over its parent's), noting the first prefix it or its attributes
 * use undeclared, or an expanded attribute name used twice, in the order a namespace walk would find them.
 */
function checkNamespaces(state: ScanState, elementName: string, names: TagNames, parentScope: NamespaceScope): NamespaceScope {
  const scope = names.declarations ? { bindings: new Map(names.declarations), parent: parentScope } : parentScope;
  if (state.namespaceProblem) return scope;
  const colon = elementName.indexOf(":");
  if (colon !== -1 && lookupNamespace(scope, elementName.slice(0, colon)) === undefined) {
    state.namespaceProblem = undeclaredPrefix(elementName.slice(0, colon), elementName);
    return scope;
  }
  if (!names.prefixedAttributes) return scope; // most elements: nothing more to check, no set to build
  const expanded = new Set<string>();
  for (const name of names.prefixedAttributes) {
    const attributeColon = name.indexOf(":");
    const namespace = lookupNamespace(scope, name.slice(0, attributeColon));
    if (namespace === undefined) {
      state.namespaceProblem = undeclaredPrefix(name.slice(0, attributeColon), name);
      return scope;
    }
    const key = `{${namespace}}${name.slice(attributeColon + 1)}`;
    if (expanded.has(key)) {
      state.namespaceProblem = duplicateExpandedName(elementName, name);
      return scope;
    }
    expanded.add(key);
  }
  return scope;
}

/**
 * Checks the attributes of the start tag at `lt`; `from` is where their text starts, for positions. With `names`,
 * `used` collects its namespace declarations and prefixed attribute names.
 */
function checkAttributes(text: string, lt: number, from: number, attributes: string, used?: TagNames): void {
  if (attributes === "") return; // the START_TAG match holds no attribute
  const names = new Set<string>();
  // START_TAG matched `(S+ Name S* = S* ("…"|'…'))*` here (XML 1.0 §3.1), so one pass of index arithmetic finds each
  // name and value without a second pattern: a name ends at white space or `=`, a value at its closing quote.
  let position = 0;
  while (position < attributes.length) {
    const segmentStart = position;
    position = afterWhiteSpace(attributes, position);
    const nameStart = position;
    while (!endsName(attributes.charCodeAt(position))) position++;
    const name = attributes.slice(nameStart, position);
    position = afterWhiteSpace(attributes, afterWhiteSpace(attributes, position) + 1); // over `=`
    const quote = attributes[position]!;
    const valueStart = position + 1;
    position = attributes.indexOf(quote, valueStart) + 1;
    const value = attributes.slice(valueStart, position - 1);
    // Positions are for messages only: the name's is computed when one is written, as the segment's text after the
    // white space JavaScript trims (what the earlier pattern-based loop reported).
    const at = () => {
      const segment = attributes.slice(segmentStart, position);
      return from + segmentStart + (segment.length - segment.trimStart().length);
    };
    const valueAt = from + valueStart;
    if (names.has(name)) fail(text, lt, `attribute ${shown(name)} appears twice`);
    names.add(name);
    const problem = qualifiedNameProblem(name);
    if (problem) fail(text, at(), `attribute name ${shown(name)} ${problem}`);
    if (!startsWithAsciiLetter(name)) {
      throw new CpixReadError({
        reason: "unsupported-xml",
        detail: `${where(text, at())}: attribute name ${shown(name)} must start with a letter A-Z or a-z`,
      });
    }
    if (value.includes("&") && BAD_REFERENCE.test(value)) fail(text, lt, `attribute ${shown(name)} has a bare & or an undefined entity`);
    checkCharacterReferences(text, valueAt, value);
    if (name === "xmlns" || name.startsWith("xmlns:")) {
      const uri = decodeReferences(value);
      const declaration = namespaceDeclarationProblem(name, uri);
      if (declaration) fail(text, valueAt, `namespace declaration ${shown(name)} ${declaration}`);
      if (used) (used.declarations ??= []).push([name === "xmlns" ? "" : name.slice(6), uri]);
    } else if (used && name.includes(":")) {
      (used.prefixedAttributes ??= []).push(name);
    }
  }
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

function checkCharacterData(text: string, from: number, to: number, insideRoot: boolean, state: ScanState): void {
  if (insideRoot) {
    // The usual text (white space, base64, ids) has no & and no ]]>: found by two searches of the whole text, each
    // resumed where it stopped, instead of a slice and three scans of every piece of text.
    if (state.nextAmpersand < from) state.nextAmpersand = indexOrEnd(text, "&", from);
    if (state.nextCdataEnd < from) state.nextCdataEnd = indexOrEnd(text, "]]>", from);
    if (state.nextAmpersand >= to && state.nextCdataEnd >= to) return;
  }
  const data = text.slice(from, to);
  if (!insideRoot) {
    if (!WHITE_SPACE_ONLY.test(data)) fail(text, from + data.search(/[^ \t\n\r]/), "text outside the root element");
    return;
  }
  const badReference = data.search(BAD_REFERENCE);
  if (badReference !== -1) fail(text, from + badReference, "a bare & or an undefined entity");
  checkCharacterReferences(text, from, data);
  const cdataEnd = data.indexOf("]]>");
  if (cdataEnd !== -1) fail(text, from + cdataEnd, "]]> is not allowed in text");
}

function indexOrEnd(text: string, search: string, from: number): number {
  const index = text.indexOf(search, from);
  return index === -1 ? text.length : index;
}

function endOf(text: string, start: number, opener: string, terminator: string, what: string): number {
  const end = text.indexOf(terminator, start + opener.length);
  if (end === -1) fail(text, start, `unterminated ${what}`);
  return end + terminator.length;
}
