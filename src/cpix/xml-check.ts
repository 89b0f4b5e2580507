/**
 * A well-formedness check run before txml, which is lenient (it accepts `<a></ab>`, unterminated tags and bare `&`;
 * txml 6.0.3 `parse`, which keeps no tag stack). It walks the markup once with sticky regexes and a tag stack and throws a
 * CpixReadError saying where the document broke. Names are matched loosely (any non-ASCII character is a name
 * character); everything else follows XML 1.0 §2–§4 for documents without a DTD.
 */
import { CpixReadError } from "./failure";

/** Deeper than any CPIX document (≈ 8 levels; signatures ≈ 7 below the root); refusing keeps recursion bounded. */
export const MAX_XML_DEPTH = 64;

/** XML 1.0 §2.3 S: only these four count as white space (JavaScript's \\s also matches NBSP and others). */
const S = "[ \\t\\n\\r]";
const NAME = "[A-Za-z_:\\u0080-\\uFFFF][-A-Za-z0-9_:.\\u0080-\\uFFFF]*";
const START_TAG = new RegExp(`<(${NAME})((?:${S}+${NAME}${S}*=${S}*(?:"[^<"]*"|'[^<']*'))*)${S}*(/?)>`, "y");
const END_TAG = new RegExp(`</(${NAME})${S}*>`, "y");
const ATTRIBUTES = new RegExp(`${S}+(${NAME})${S}*=${S}*(?:"([^<"]*)"|'([^<']*)')`, "g");
const WHITE_SPACE_ONLY = /^[ \t\n\r]*$/;
/** XML 1.0 §2.2 Char: no C0 controls except tab, LF, CR; no U+FFFE/U+FFFF. */
const FORBIDDEN_CHARACTER = /[\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]/;
/** Only the five predefined entities and character references exist without a DTD (XML 1.0 §4.1, §4.6). */
const BAD_REFERENCE = /&(?!(?:#[0-9]+|#x[0-9A-Fa-f]+|amp|lt|gt|quot|apos);)/;

interface OpenElement {
  readonly name: string;
  readonly start: number;
}

interface ScanState {
  readonly open: OpenElement[];
  seenRoot: boolean;
}

/** Throws a `malformed-xml` (or `unsupported-xml` for DTDs and over-deep nesting) CpixReadError unless well-formed. */
export function checkWellFormed(text: string): void {
  const forbidden = FORBIDDEN_CHARACTER.exec(text);
  if (forbidden) {
    const code = forbidden[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, "0");
    fail(text, forbidden.index, `character U+${code} is not allowed in XML`);
  }
  const state: ScanState = { open: [], seenRoot: false };
  let pos = 0;
  while (pos < text.length) {
    const lt = text.indexOf("<", pos);
    const textEnd = lt === -1 ? text.length : lt;
    if (textEnd > pos) checkCharacterData(text, pos, textEnd, state.open.length > 0);
    if (lt === -1) break;
    pos = readMarkup(text, lt, state);
    if (state.open.length > MAX_XML_DEPTH) {
      throw new CpixReadError({ reason: "unsupported-xml", detail: `elements are nested deeper than ${MAX_XML_DEPTH} levels` });
    }
  }
  const unclosed = state.open.at(-1);
  if (unclosed) fail(text, text.length, `<${shown(unclosed.name)}> opened at ${where(text, unclosed.start)} is not closed`);
  if (!state.seenRoot) fail(text, text.length, "the document has no root element");
}

/** Reads the markup construct starting at `lt` and returns the position after it. */
function readMarkup(text: string, lt: number, state: ScanState): number {
  const stack = state.open;
  if (text.startsWith("<!--", lt)) return endOf(text, lt, "<!--", "-->", "comment");
  if (text.startsWith("<![CDATA[", lt)) {
    if (stack.length === 0) fail(text, lt, "CDATA section outside the root element");
    return endOf(text, lt, "<![CDATA[", "]]>", "CDATA section");
  }
  if (text.startsWith("<!DOCTYPE", lt)) {
    throw new CpixReadError({ reason: "unsupported-xml", detail: "document type declarations (DTDs) are not accepted" });
  }
  if (text.startsWith("<!", lt)) fail(text, lt, "unknown markup declaration");
  if (text.startsWith("<?", lt)) {
    const target = /^<\?([^\s?]*)/.exec(text.slice(lt, lt + 64))?.[1] ?? "";
    if (target.toLowerCase() === "xml" && lt !== 0) fail(text, lt, "the XML declaration must be at the very start");
    return endOf(text, lt, "<?", "?>", "processing instruction");
  }
  if (text.startsWith("</", lt)) {
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
  checkAttributes(text, lt, start[2]!);
  if (start[3] !== "/") stack.push({ name: start[1]!, start: lt });
  return START_TAG.lastIndex;
}

function checkAttributes(text: string, lt: number, attributes: string): void {
  const names = new Set<string>();
  for (const match of attributes.matchAll(ATTRIBUTES)) {
    const name = match[1]!;
    if (names.has(name)) fail(text, lt, `attribute ${shown(name)} appears twice`);
    names.add(name);
    if (BAD_REFERENCE.test(match[2] ?? match[3] ?? "")) fail(text, lt, `attribute ${shown(name)} has a bare & or an undefined entity`);
  }
}

function checkCharacterData(text: string, from: number, to: number, insideRoot: boolean): void {
  const data = text.slice(from, to);
  if (!insideRoot) {
    if (!WHITE_SPACE_ONLY.test(data)) fail(text, from + data.search(/[^ \t\n\r]/), "text outside the root element");
    return;
  }
  const badReference = data.search(BAD_REFERENCE);
  if (badReference !== -1) fail(text, from + badReference, "a bare & or an undefined entity");
  const cdataEnd = data.indexOf("]]>");
  if (cdataEnd !== -1) fail(text, from + cdataEnd, "]]> is not allowed in text");
}

function endOf(text: string, start: number, opener: string, terminator: string, what: string): number {
  const end = text.indexOf(terminator, start + opener.length);
  if (end === -1) fail(text, start, `unterminated ${what}`);
  return end + terminator.length;
}

function fail(text: string, index: number, problem: string): never {
  throw new CpixReadError({ reason: "malformed-xml", detail: `${where(text, index)}: ${problem}` });
}

/** "line L, column C" of an index (1-based, columns in UTF-16 code units). */
function where(text: string, index: number): string {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf("\n"); i !== -1 && i < index; i = text.indexOf("\n", i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return `line ${line}, column ${index - lineStart + 1}`;
}

/** Names come from the document: cap their length in messages. */
function shown(name: string): string {
  return name.length > 64 ? `${name.slice(0, 61)}...` : name;
}
