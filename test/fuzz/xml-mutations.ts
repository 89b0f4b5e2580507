import fc from "fast-check";
import { randomUnicode, weirdBase64, weirdNumber, weirdReference, weirdText, weirdUuid, type WeirdText } from "./weird-values";

/**
 * Mutations of real CPIX documents: structural (drop, duplicate, repeat, nest elements and attributes), lexical
 * (prefixes, namespaces, references, truncation) and value-level (base64, numbers, unicode). A mutation is data:
 * it picks its target by index modulo what the document has when it is applied, so it shrinks well and replays
 * from a seed.
 */
export type XmlMutation =
  | { readonly op: "drop-element" | "duplicate-element" | "drop-attribute" | "duplicate-attribute"; readonly at: number }
  | { readonly op: "repeat-element"; readonly at: number; readonly times: number }
  | { readonly op: "nest-element"; readonly at: number; readonly depth: number }
  | { readonly op: "set-attribute" | "set-text"; readonly at: number; readonly value: WeirdText; readonly escape: boolean }
  | { readonly op: "add-attribute"; readonly at: number; readonly name: string; readonly value: WeirdText }
  | { readonly op: "rename-prefix"; readonly at: number; readonly prefix: string }
  | { readonly op: "set-namespace"; readonly at: number; readonly uri: string }
  | { readonly op: "insert"; readonly at: number; readonly snippet: WeirdText }
  | { readonly op: "truncate"; readonly at: number };

/** How the mutated text is put on the wire. */
export type XmlEncoding = "utf-8" | "utf-8-bom" | "utf-16le-bom" | "utf-16be-bom" | "original";

export interface CpixRecipe {
  /** Index into the corpus (modulo its size). */
  readonly document: number;
  readonly mutations: readonly XmlMutation[];
  readonly encoding: XmlEncoding;
  /** Bytes overwritten after encoding: (position modulo length, byte). */
  readonly byteFlips: readonly (readonly [number, number])[];
}

/** A document the mutations start from: a real request or response, or one of the examples. */
export interface SeedDocument {
  readonly name: string;
  readonly bytes: Uint8Array;
}

const PREFIXES = ["", "cpix", "pskc", "enc", "ds", "speke", "x", "xml", "xmlns", "a:b", "\u00f1", "_", "1x"] as const;
const NAMESPACES = [
  "",
  "urn:dashif:org:cpix",
  "urn:ietf:params:xml:ns:keyprov:pskc",
  "http://www.w3.org/2001/04/xmlenc#",
  "http://www.w3.org/2000/09/xmldsig#",
  "urn:aws:amazon:com:speke",
  "urn:dashif:org:cpix ",
  "URN:DASHIF:ORG:CPIX",
  "urn:mpeg:dash:schema:mpd:2011",
  "http://www.w3.org/XML/1998/namespace",
  "http://www.w3.org/2000/xmlns/",
] as const;
const ATTRIBUTE_NAMES = [
  "kid",
  "id",
  "systemId",
  "commonEncryptionScheme",
  "explicitIV",
  "xmlns",
  "xmlns:cpix",
  "xml:lang",
  "contentId",
  "version",
  "index",
  "start",
  "end",
  "x",
] as const;

/** Markup a document should not have, or has rarely: declarations, DOCTYPE with entities, CDATA, comments. */
const MARKUP_SNIPPETS: readonly WeirdText[] = [
  '<?xml version="1.0" encoding="UTF-8"?>',
  '<?xml version="1.1"?>',
  '<!DOCTYPE CPIX [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>',
  '<!DOCTYPE CPIX SYSTEM "file:///etc/passwd">',
  "<![CDATA[ <cpix:ContentKey/> ]]>",
  "<!-- -- -->",
  "<!---->",
  "<?pi data?>",
  "</CPIX>",
  "<cpix:CPIX>",
  "<a:b:c/>",
  "<x xmlns:p=''/>",
  "<p:unbound/>",
  "<ContentKey kid='00000000-0000-0000-0000-000000000000'/>",
].map((text) => ({ label: `markup:${JSON.stringify(text).slice(0, 40)}`, text }));

const index = fc.nat({ max: 10_000 });

/** Big documents (many copies, deep nesting) are rare: they cost the most time, and one in a few hundred finds the limits. */
function smallOrBig(small: readonly number[], big: readonly number[]): fc.Arbitrary<number> {
  return fc.oneof({ weight: 30, arbitrary: fc.constantFrom(...small) }, { weight: 1, arbitrary: fc.constantFrom(...big) });
}

export const xmlMutation: fc.Arbitrary<XmlMutation> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({ op: fc.constantFrom("drop-element", "duplicate-element", "drop-attribute", "duplicate-attribute"), at: index }),
  },
  fc.record({ op: fc.constant("repeat-element"), at: index, times: smallOrBig([2, 3, 50], [1000, 20_000]) }),
  fc.record({ op: fc.constant("nest-element"), at: index, depth: smallOrBig([2, 10, 100], [5000, 60_000]) }),
  fc.record({
    op: fc.constantFrom("set-attribute", "set-text"),
    at: index,
    value: fc.oneof(weirdText, weirdBase64, weirdNumber, weirdUuid),
    escape: fc.boolean(),
  }),
  fc.record({ op: fc.constant("add-attribute"), at: index, name: fc.constantFrom(...ATTRIBUTE_NAMES), value: weirdText }),
  fc.record({ op: fc.constant("rename-prefix"), at: index, prefix: fc.constantFrom(...PREFIXES) }),
  fc.record({ op: fc.constant("set-namespace"), at: index, uri: fc.constantFrom(...NAMESPACES) }),
  fc.record({
    op: fc.constant("insert"),
    at: index,
    snippet: fc.oneof(weirdReference, randomUnicode, fc.constantFrom(...MARKUP_SNIPPETS)),
  }),
  fc.record({ op: fc.constant("truncate"), at: index }),
);

/** A recipe: a corpus document, up to four mutations, an encoding, and a few flipped bytes now and then. */
export function cpixRecipe(corpusSize: number): fc.Arbitrary<CpixRecipe> {
  return fc.record({
    document: fc.nat({ max: corpusSize - 1 }),
    mutations: fc.array(xmlMutation, { minLength: 0, maxLength: 4 }),
    encoding: fc.oneof(
      { weight: 12, arbitrary: fc.constant<XmlEncoding>("utf-8") },
      { weight: 1, arbitrary: fc.constantFrom<XmlEncoding>("utf-8-bom", "utf-16le-bom", "utf-16be-bom", "original") },
    ),
    byteFlips: fc.oneof(
      { weight: 9, arbitrary: fc.constant([]) },
      { weight: 1, arbitrary: fc.array(fc.tuple(fc.nat(), fc.constantFrom(0x00, 0x80, 0xc3, 0xfe, 0xff, 0x3c, 0x26)), { maxLength: 3 }) },
    ),
  });
}

/** Applies a recipe to its corpus document and encodes the result. */
export function renderCpix(recipe: CpixRecipe, corpus: readonly SeedDocument[]): Uint8Array {
  const seed = corpus[recipe.document % corpus.length]!;
  const original = decodeDocument(seed.bytes);
  let text = original;
  for (const mutation of recipe.mutations) text = applyMutation(text, mutation);
  const bytes = recipe.encoding === "original" && text === original ? Uint8Array.from(seed.bytes) : encode(text, recipe.encoding);
  for (const [position, byte] of recipe.byteFlips) if (bytes.length > 0) bytes[position % bytes.length] = byte;
  return bytes;
}

/** What a recipe does, without the document's text or any value: the corpus name, each mutation, the size. */
export function describeCpix(recipe: CpixRecipe, corpus: readonly SeedDocument[]): string {
  const seed = corpus[recipe.document % corpus.length]!;
  const mutations = recipe.mutations.map((mutation) => {
    switch (mutation.op) {
      case "set-attribute":
      case "set-text":
        return `${mutation.op}#${mutation.at}=${mutation.value.label}${mutation.escape ? "" : "(raw)"}`;
      case "add-attribute":
        return `add-attribute#${mutation.at} ${mutation.name}=${mutation.value.label}`;
      case "insert":
        return `insert@${mutation.at} ${mutation.snippet.label}`;
      case "repeat-element":
        return `repeat-element#${mutation.at}x${mutation.times}`;
      case "nest-element":
        return `nest-element#${mutation.at} depth ${mutation.depth}`;
      case "rename-prefix":
        return `rename-prefix#${mutation.at} to ${JSON.stringify(mutation.prefix)}`;
      case "set-namespace":
        return `set-namespace#${mutation.at} to ${JSON.stringify(mutation.uri)}`;
      default:
        return `${mutation.op}#${mutation.at}`;
    }
  });
  const flips = recipe.byteFlips.length > 0 ? ` byte-flips ${recipe.byteFlips.length}` : "";
  const size = renderCpix(recipe, corpus).length;
  return `${seed.name} [${mutations.join(", ")}] ${recipe.encoding}${flips}, ${size} bytes`;
}

function decodeDocument(bytes: Uint8Array): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder("utf-16le").decode(bytes);
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder("utf-16be").decode(bytes);
  return new TextDecoder("utf-8").decode(bytes);
}

function encode(text: string, encoding: XmlEncoding): Uint8Array {
  switch (encoding) {
    case "utf-8":
    case "original":
      return new TextEncoder().encode(text);
    case "utf-8-bom":
      return new TextEncoder().encode(`\ufeff${text}`);
    case "utf-16le-bom":
    case "utf-16be-bom": {
      const units = `\ufeff${text}`;
      const bytes = new Uint8Array(units.length * 2);
      const view = new DataView(bytes.buffer);
      for (let i = 0; i < units.length; i++) view.setUint16(i * 2, units.charCodeAt(i), encoding === "utf-16le-bom");
      return bytes;
    }
  }
}

interface Tag {
  readonly start: number;
  readonly end: number;
  readonly kind: "open" | "close" | "empty";
  readonly name: string;
}

interface Element {
  readonly start: number;
  readonly end: number;
  readonly open: Tag;
  readonly close?: Tag;
}

interface Attribute {
  readonly start: number;
  readonly end: number;
  readonly valueStart: number;
  readonly valueEnd: number;
  readonly name: string;
}

/** Tags of the document: comments, CDATA, processing instructions and DOCTYPE are skipped as wholes. */
function tagsOf(text: string): Tag[] {
  const tags: Tag[] = [];
  const pattern = /<!--[\s\S]*?-->|<!\[CDATA\[[\s\S]*?\]\]>|<\?[\s\S]*?\?>|<![^>]*>|<(\/?)([^\s/>!?]+)[^>]*?(\/?)>/g;
  for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
    if (match[2] === undefined) continue;
    const kind = match[1] ? "close" : match[3] ? "empty" : "open";
    tags.push({ start: match.index, end: match.index + match[0].length, kind, name: match[2] });
  }
  return tags;
}

/** Elements as spans from their start tag to the end of their end tag; unbalanced tags make empty-like spans. */
function elementsOf(text: string): Element[] {
  const elements: Element[] = [];
  const stack: Tag[] = [];
  for (const tag of tagsOf(text)) {
    if (tag.kind === "empty") elements.push({ start: tag.start, end: tag.end, open: tag });
    else if (tag.kind === "open") stack.push(tag);
    else {
      // The innermost open element first: deep nesting stays linear.
      let at = stack.length - 1;
      while (at >= 0 && stack[at]!.name !== tag.name) at--;
      if (at < 0) continue;
      const open = stack[at]!;
      stack.length = at;
      elements.push({ start: open.start, end: tag.end, open, close: tag });
    }
  }
  return elements.sort((a, b) => a.start - b.start);
}

function attributesOf(text: string): Attribute[] {
  const attributes: Attribute[] = [];
  for (const tag of tagsOf(text)) {
    if (tag.kind === "close") continue;
    const source = text.slice(tag.start, tag.end);
    const pattern = /\s([^\s=/>]+)\s*=\s*("([^"]*)"|'([^']*)')/g;
    for (let match = pattern.exec(source); match; match = pattern.exec(source)) {
      const start = tag.start + match.index;
      const valueStart = start + match[0].length - match[2]!.length + 1;
      attributes.push({ start, end: start + match[0].length, valueStart, valueEnd: start + match[0].length - 1, name: match[1]! });
    }
  }
  return attributes;
}

function splice(text: string, start: number, end: number, insert: string): string {
  return text.slice(0, start) + insert + text.slice(end);
}

function escapeXml(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll('"', "&quot;").replaceAll("'", "&apos;");
}

function pick<T>(items: readonly T[], at: number): T | undefined {
  return items.length === 0 ? undefined : items[at % items.length];
}

function applyMutation(text: string, mutation: XmlMutation): string {
  switch (mutation.op) {
    case "drop-element": {
      const element = pick(elementsOf(text), mutation.at);
      return element ? splice(text, element.start, element.end, "") : text;
    }
    case "duplicate-element":
    case "repeat-element": {
      const element = pick(elementsOf(text), mutation.at);
      const times = mutation.op === "repeat-element" ? mutation.times : 2;
      // Stay near the 1 MiB body limit: a bigger copy is a 413, which tells nothing new.
      const copy = element ? text.slice(element.start, element.end) : "";
      const count = Math.min(times, Math.max(2, Math.floor(1_100_000 / Math.max(1, copy.length))));
      return element ? splice(text, element.start, element.end, copy.repeat(count)) : text;
    }
    case "nest-element": {
      const element = pick(elementsOf(text), mutation.at);
      if (!element) return text;
      const name = element.open.name;
      // Under the 1 MiB body limit, so the nesting reaches the parser rather than the 413.
      const depth = Math.min(mutation.depth, Math.floor(1_000_000 / (2 * name.length + 5)));
      const inner = text.slice(element.start, element.end);
      return splice(text, element.start, element.end, `<${name}>`.repeat(depth) + inner + `</${name}>`.repeat(depth));
    }
    case "drop-attribute": {
      const attribute = pick(attributesOf(text), mutation.at);
      return attribute ? splice(text, attribute.start, attribute.end, "") : text;
    }
    case "duplicate-attribute": {
      const attribute = pick(attributesOf(text), mutation.at);
      return attribute ? splice(text, attribute.end, attribute.end, text.slice(attribute.start, attribute.end)) : text;
    }
    case "set-attribute": {
      const attribute = pick(attributesOf(text), mutation.at);
      const value = mutation.escape ? escapeXml(mutation.value.text) : mutation.value.text;
      return attribute ? splice(text, attribute.valueStart, attribute.valueEnd, value) : text;
    }
    case "add-attribute": {
      const tag = pick(
        tagsOf(text).filter((candidate) => candidate.kind !== "close"),
        mutation.at,
      );
      if (!tag) return text;
      const insertAt = tag.start + 1 + tag.name.length;
      return splice(text, insertAt, insertAt, ` ${mutation.name}="${escapeXml(mutation.value.text)}"`);
    }
    case "set-text": {
      const leaves = elementsOf(text).filter(
        (element) => element.close && !text.slice(element.open.end, element.close.start).includes("<"),
      );
      const leaf = pick(leaves, mutation.at);
      const value = mutation.escape ? escapeXml(mutation.value.text) : mutation.value.text;
      return leaf?.close ? splice(text, leaf.open.end, leaf.close.start, value) : text;
    }
    case "rename-prefix": {
      const element = pick(elementsOf(text), mutation.at);
      if (!element) return text;
      const local = element.open.name.includes(":") ? element.open.name.slice(element.open.name.indexOf(":") + 1) : element.open.name;
      const name = mutation.prefix === "" ? local : `${mutation.prefix}:${local}`;
      let renamed = text;
      // The end tag first, so the start tag's offsets stay valid.
      if (element.close) renamed = splice(renamed, element.close.start + 2, element.close.start + 2 + element.close.name.length, name);
      return splice(renamed, element.open.start + 1, element.open.start + 1 + element.open.name.length, name);
    }
    case "set-namespace": {
      const declaration = pick(
        attributesOf(text).filter((attribute) => attribute.name === "xmlns" || attribute.name.startsWith("xmlns:")),
        mutation.at,
      );
      return declaration ? splice(text, declaration.valueStart, declaration.valueEnd, mutation.uri) : text;
    }
    case "insert": {
      const at = text.length === 0 ? 0 : mutation.at % (text.length + 1);
      return splice(text, at, at, mutation.snippet.text);
    }
    case "truncate":
      return text.slice(0, text.length === 0 ? 0 : mutation.at % text.length);
  }
}
