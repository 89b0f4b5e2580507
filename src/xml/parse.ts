/**
 * Bytes → the one tree (`tree.ts`), in one pass that tokenizes, checks and builds: XML 1.0 (Fifth Edition) §2–§4
 * and Namespaces in XML 1.0 for documents without a DTD. Every document it accepts has the node-set libxml2 builds
 * from the same bytes (test/interop/xml-differential.test.ts compares canonical forms); everything else is a
 * failure saying where, never an exception. The markup rules that split two parsers apart are XML's own: a
 * processing instruction ends at its first `?>` whatever quotes it holds (§2.6), a comment at `-->` and holds no
 * `--` (§2.5), a CDATA section at its first `]]>` (§2.7).
 */
import { codeUnitName, firstNonXmlChar } from "./chars";
import { decodeXmlBytes, normalizeLineEnds } from "./decode";
import { fail, shown, unsupported, where, XmlError, type XmlFailure } from "./failure";
import { MAX_XML_DEPTH } from "./namespaces";
import { processingInstructionTargetProblem } from "./names";
import { InScopeNamespaces, XML_SCOPE, type NamespaceUndo } from "./namespace-scope";
import { BAD_REFERENCE, checkCharacterReferences, decodeReferences } from "./references";
import { readStartTag, type NamespaceProblem, type OpenElement } from "./start-tag";
import type { XmlDocument, XmlElement, XmlProcessingInstruction } from "./tree";

export type XmlParseResult = { readonly ok: true; readonly document: XmlDocument } | { readonly ok: false; readonly failure: XmlFailure };

/**
 * Parses a whole document: bytes in UTF-8 or UTF-16 (with or without BOM), or text already decoded (our own
 * output, before it is signed). Never throws for bad input.
 * @example
 * const parsed = parseXml(body);
 * if (!parsed.ok) return refuse(parsed.failure); // "line 3, column 7: unterminated comment"
 */
export function parseXml(input: Uint8Array | string): XmlParseResult {
  try {
    const decoded = typeof input === "string" ? (input.charCodeAt(0) === 0xfeff ? input.slice(1) : input) : decodeXmlBytes(input);
    return { ok: true, document: parseText(normalizeLineEnds(decoded)) };
  } catch (error) {
    if (error instanceof XmlError) return { ok: false, failure: error.failure };
    throw error;
  }
}

const END_TAG = /<\/([A-Za-z_:\u0080-\uFFFF][-A-Za-z0-9_:.\u0080-\uFFFF]*)[ \t\n\r]*>/y;
/** XML 1.0 §2.8 XMLDecl: version 1.x, then optional encoding and standalone, in that order. */
const XML_DECLARATION =
  /<\?xml[ \t\n]+version[ \t\n]*=[ \t\n]*(?:"1\.[0-9]+"|'1\.[0-9]+')(?:[ \t\n]+encoding[ \t\n]*=[ \t\n]*(?:"[A-Za-z][-A-Za-z0-9._]*"|'[A-Za-z][-A-Za-z0-9._]*'))?(?:[ \t\n]+standalone[ \t\n]*=[ \t\n]*(?:"(?:yes|no)"|'(?:yes|no)'))?[ \t\n]*\?>/y;
const WHITE_SPACE_ONLY = /^[ \t\n]*$/;

interface ParseState {
  readonly text: string;
  /** Open elements, innermost last, each with where its start tag began and what its declarations changed. */
  readonly open: { readonly element: OpenElement; readonly start: number; readonly namespaceUndo: NamespaceUndo }[];
  /** The namespaces in scope where the parser stands. */
  readonly inScope: InScopeNamespaces;
  root: XmlElement | undefined;
  readonly beforeRoot: XmlProcessingInstruction[];
  readonly afterRoot: XmlProcessingInstruction[];
  /** The first namespace problem in document order, reported only once the whole text is well-formed. */
  namespaceProblem: NamespaceProblem | undefined;
  /** Where the next `&` and `]]>` are at or after the text being read (text.length when there is none). */
  nextAmpersand: number;
  nextCdataEnd: number;
}

function parseText(text: string): XmlDocument {
  // XML 1.0 §2.2 Char: no C0 controls but tab, LF, CR; no lone surrogates; no U+FFFE/U+FFFF.
  const forbidden = firstNonXmlChar(text);
  if (forbidden !== -1) fail(text, forbidden, `character ${codeUnitName(text, forbidden)} is not allowed in XML`);
  const state: ParseState = {
    text,
    open: [],
    inScope: new InScopeNamespaces(),
    root: undefined,
    beforeRoot: [],
    afterRoot: [],
    namespaceProblem: undefined,
    nextAmpersand: -1,
    nextCdataEnd: -1,
  };
  let position = readXmlDeclaration(text);
  while (position < text.length) {
    const lt = text.indexOf("<", position);
    const textEnd = lt === -1 ? text.length : lt;
    if (textEnd > position) readCharacterData(state, position, textEnd);
    if (lt === -1) break;
    position = readMarkup(state, lt);
  }
  const unclosed = state.open.at(-1);
  if (unclosed)
    fail(text, text.length, `<${shown(unclosed.element.qualifiedName)}> opened at ${where(text, unclosed.start)} is not closed`);
  if (!state.root) fail(text, text.length, "the document has no root element");
  if (state.namespaceProblem) fail(text, state.namespaceProblem.at, state.namespaceProblem.problem);
  return { root: state.root, beforeRoot: state.beforeRoot, afterRoot: state.afterRoot, textLength: text.length };
}

/** The XML declaration, only at the very start (XML 1.0 §2.8 prolog); returns where the document goes on. */
function readXmlDeclaration(text: string): number {
  // `<?xml` and white space open a declaration (as in libxml2); `<?xml?>` or `<?xml-stylesheet …?>` are read as PIs.
  if (!text.startsWith("<?xml") || !/[ \t\n]/.test(text.charAt(5))) return 0;
  const version = /^<\?xml[ \t\n]+version[ \t\n]*=[ \t\n]*["']([^"'<>]*)["']/.exec(text)?.[1];
  if (version !== undefined && !/^1\.[0-9]+$/.test(version)) unsupported("only XML 1.x documents are read (XML 1.0 §2.8 VersionNum)");
  XML_DECLARATION.lastIndex = 0;
  if (!XML_DECLARATION.test(text))
    fail(text, 0, "malformed XML declaration (XML 1.0 §2.8: version, then optional encoding and standalone)");
  return XML_DECLARATION.lastIndex;
}

/** Reads the markup construct starting at `lt` and returns the position after it. */
function readMarkup(state: ParseState, lt: number): number {
  const { text, open } = state;
  const next = text.charCodeAt(lt + 1);
  if (next === 0x21 /* ! */) {
    if (text.startsWith("<!--", lt)) return readComment(text, lt);
    if (text.startsWith("<![CDATA[", lt)) {
      if (open.length === 0) fail(text, lt, "CDATA section outside the root element");
      const end = text.indexOf("]]>", lt + 9);
      if (end === -1) fail(text, lt, "unterminated CDATA section");
      appendText(open.at(-1)!.element, text.slice(lt + 9, end)); // §2.7: character data, no markup recognised
      return end + 3;
    }
    if (text.startsWith("<!DOCTYPE", lt)) {
      // XML 1.0 §2.8: a document type declaration stands only in the prolog, before the root element.
      if (state.root) fail(text, lt, "a document type declaration is allowed only before the root element");
      unsupported(`${where(text, lt)}: document type declarations (DTDs) are not accepted`);
    }
    fail(text, lt, "unknown markup declaration");
  }
  if (next === 0x3f /* ? */) return readProcessingInstruction(state, lt);
  if (next === 0x2f /* / */) return readEndTag(state, lt);
  if (open.length === 0 && state.root) fail(text, lt, "a second root element");
  const parent = open.at(-1)?.element;
  const tag = readStartTag(text, lt, parent, parent?.scope ?? XML_SCOPE, state.inScope);
  state.namespaceProblem ??= tag.namespaceProblem;
  if (parent) parent.children.push(tag.element);
  else state.root = tag.element;
  if (tag.selfClosing) {
    state.inScope.leave(tag.namespaceUndo);
  } else {
    open.push({ element: tag.element, start: lt, namespaceUndo: tag.namespaceUndo });
    if (open.length > MAX_XML_DEPTH) unsupported(`${where(text, lt)}: elements are nested deeper than ${MAX_XML_DEPTH} levels`);
  }
  return tag.end;
}

/** XML 1.0 §3.1 ETag: `</` Name S? `>`, naming the element it closes. */
function readEndTag(state: ParseState, lt: number): number {
  const { text, open } = state;
  const closing = open.at(-1);
  const name = closing?.element.qualifiedName;
  // The usual end tag names the open element exactly: compared in place, without the pattern and its match.
  if (name !== undefined && text.startsWith(name, lt + 2)) {
    let after = lt + 2 + name.length;
    let code = text.charCodeAt(after);
    while (code === 0x20 || code === 0x09 || code === 0x0a) code = text.charCodeAt(++after);
    if (code === 0x3e /* > */ && !isNameContinuation(text.charCodeAt(lt + 2 + name.length))) {
      open.pop();
      state.inScope.leave(closing!.namespaceUndo); // its declarations go out of scope with it (Namespaces in XML 1.0 §6.1)
      return after + 1;
    }
  }
  END_TAG.lastIndex = lt;
  const end = END_TAG.exec(text);
  if (!end) fail(text, lt, "malformed end tag");
  if (!closing) fail(text, lt, `end tag </${shown(end[1]!)}> has no start tag`);
  fail(text, lt, `end tag </${shown(end[1]!)}> does not match <${shown(name!)}> opened at ${where(text, closing.start)}`);
}

/** Whether a character would continue a name (so `</ab>` does not close `<a>`): start-tag.ts's loose name characters. */
function isNameContinuation(code: number): boolean {
  return (
    (code >= 0x61 && code <= 0x7a) ||
    (code >= 0x41 && code <= 0x5a) ||
    (code >= 0x30 && code <= 0x39) ||
    code === 0x5f ||
    code === 0x3a ||
    code === 0x2d ||
    code === 0x2e ||
    code >= 0x80
  );
}

/** XML 1.0 §2.5: `<!--` to the first `-->`, with no `--` inside (so none before the `-->` either). */
function readComment(text: string, lt: number): number {
  const end = text.indexOf("-->", lt + 4);
  if (end === -1) fail(text, lt, "unterminated comment");
  const doubleHyphen = text.indexOf("--", lt + 4);
  if (doubleHyphen < end) fail(text, doubleHyphen, "-- is not allowed inside a comment (XML 1.0 §2.5)");
  return end + 3;
}

/** XML 1.0 §2.6: `<?` target, then `?>` or white space and data up to the first `?>`, whatever quotes it holds. */
function readProcessingInstruction(state: ParseState, lt: number): number {
  const text = state.text;
  let targetEnd = lt + 2;
  for (let code = text.charCodeAt(targetEnd); targetEnd < text.length; code = text.charCodeAt(++targetEnd)) {
    if (code === 0x20 || code === 0x09 || code === 0x0a || code === 0x3f /* ? */) break;
  }
  const target = text.slice(lt + 2, targetEnd);
  if (target.toLowerCase() === "xml") fail(text, lt, "the XML declaration must be at the very start");
  const problem = processingInstructionTargetProblem(target);
  if (problem) fail(text, lt, `processing instruction ${problem}`);
  let dataStart = targetEnd;
  while (dataStart < text.length && /[ \t\n]/.test(text.charAt(dataStart))) dataStart++;
  if (dataStart === targetEnd && !text.startsWith("?>", targetEnd)) {
    fail(text, targetEnd, "a processing instruction target must be followed by white space or ?>");
  }
  const end = text.indexOf("?>", dataStart === targetEnd ? targetEnd : dataStart);
  if (end === -1) fail(text, lt, "unterminated processing instruction");
  // `<?pi ?>`: the white space before `?>` separates nothing; the data is empty (libxml2, XPath 1.0 §5.5).
  const instruction: XmlProcessingInstruction = { kind: "processing-instruction", target, data: text.slice(Math.min(dataStart, end), end) };
  const parent = state.open.at(-1)?.element;
  if (parent) parent.children.push(instruction);
  else (state.root ? state.afterRoot : state.beforeRoot).push(instruction);
  return end + 2;
}

/** Text between markup: white space only outside the root; inside, references checked and replaced (XML 1.0 §2.4, §4.1). */
function readCharacterData(state: ParseState, from: number, to: number): void {
  const text = state.text;
  const parent = state.open.at(-1)?.element;
  if (!parent) {
    const data = text.slice(from, to);
    if (!WHITE_SPACE_ONLY.test(data)) fail(text, from + data.search(/[^ \t\n]/), "text outside the root element");
    return;
  }
  // The usual text (white space, base64, ids) has no & and no ]]>: found by two searches of the whole text, each
  // resumed where it stopped, instead of three scans of every piece.
  if (state.nextAmpersand < from) state.nextAmpersand = indexOrEnd(text, "&", from);
  if (state.nextCdataEnd < from) state.nextCdataEnd = indexOrEnd(text, "]]>", from);
  const data = text.slice(from, to);
  if (state.nextAmpersand >= to && state.nextCdataEnd >= to) {
    appendText(parent, data);
    return;
  }
  const badReference = data.search(BAD_REFERENCE);
  if (badReference !== -1) fail(text, from + badReference, "a bare & or an undefined entity");
  checkCharacterReferences(text, from, data);
  const cdataEnd = data.indexOf("]]>");
  if (cdataEnd !== -1) fail(text, from + cdataEnd, "]]> is not allowed in text");
  appendText(parent, decodeReferences(data));
}

/** Adds character data to an element, merged with a text node just before it (a CDATA section beside text). */
function appendText(element: OpenElement, text: string): void {
  const children = element.children;
  const last = children[children.length - 1];
  if (last?.kind === "text") children[children.length - 1] = { kind: "text", text: last.text + text };
  else children.push({ kind: "text", text });
}

function indexOrEnd(text: string, search: string, from: number): number {
  const index = text.indexOf(search, from);
  return index === -1 ? text.length : index;
}
