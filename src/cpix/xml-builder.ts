/**
 * A small indented XML writer for the CPIX writer: elements are named by namespace URI + local name and get their
 * prefix from one allocator, which remembers which namespaces were used so the root can declare exactly those.
 */
import type { Base64Value } from "../domain/base64-value";
import { toBase64 } from "../domain/bytes";
import { escapeXmlAttribute, escapeXmlText } from "../xml/escape";
import { WRITER_PREFIXES, XML_NS } from "./namespaces";

/** Attribute values; `undefined` attributes are left out. */
export type XmlAttributes = readonly (readonly [name: string, value: string | number | boolean | undefined])[];

/** Hands out prefixes: the known ones from WRITER_PREFIXES, `ext1`, `ext2`… for extension namespaces. */
export class PrefixAllocator {
  readonly #prefixes = new Map<string, string>();
  /** `prefix:localName` by namespace and local name: a writer names the same few elements hundreds of times. */
  readonly #qualified = new Map<string, Map<string, string>>();
  /** `ext` prefixes handed out so far (counted, not searched: a document may carry thousands of namespaces). */
  #extensions = 0;

  /** `prefix:localName` for a namespaced name, the bare name for no namespace. */
  qualify(namespace: string, localName: string): string {
    if (namespace === "") return localName;
    let byLocalName = this.#qualified.get(namespace);
    if (!byLocalName) this.#qualified.set(namespace, (byLocalName = new Map()));
    let qualified = byLocalName.get(localName);
    if (qualified === undefined) byLocalName.set(localName, (qualified = `${this.prefixFor(namespace)}:${localName}`));
    return qualified;
  }

  /** The prefix bound to a namespace, allocating (and so declaring) it on first use. */
  prefixFor(namespace: string): string {
    if (namespace === XML_NS) return "xml"; // bound by definition, never declared (Namespaces in XML 1.0 §3)
    let prefix = this.#prefixes.get(namespace);
    if (prefix === undefined) {
      prefix = WRITER_PREFIXES.get(namespace) ?? `ext${++this.#extensions}`;
      this.#prefixes.set(namespace, prefix);
    }
    return prefix;
  }

  /** `xmlns:prefix` attributes for every namespace used so far, in first-use order. */
  declarations(): [string, string][] {
    return [...this.#prefixes].map(([namespace, prefix]) => [`xmlns:${prefix}`, namespace]);
  }
}

/** Thrown by an XmlBuilder whose text would pass its `maxLength`; `writeCpixWithin` turns it into `undefined`. */
export class XmlLengthExceeded extends Error {
  constructor(readonly maxLength: number) {
    super(`the XML text would exceed ${maxLength} characters`);
    this.name = "XmlLengthExceeded";
  }
}

export class XmlBuilder {
  readonly #lines: string[] = [];
  #depth: number;
  /** Characters written so far, separators included, so a long document stops growing at `maxLength`. */
  #length = 0;

  constructor(
    readonly prefixes: PrefixAllocator,
    readonly indent: string,
    depth = 0,
    readonly maxLength = Number.POSITIVE_INFINITY,
  ) {
    this.#depth = depth;
    if (!INDENTS.has(indent)) INDENTS.set(indent, []);
    this.#indents = INDENTS.get(indent)!;
  }

  /** This builder's indentation strings by depth (shared by every builder with the same indent). */
  readonly #indents: string[];

  /** Opens an element whose children follow; close it with `close`. */
  open(namespace: string, localName: string, attributes: XmlAttributes = []): void {
    this.#line(`<${this.prefixes.qualify(namespace, localName)}${renderAttributes(attributes)}>`);
    this.#depth++;
  }

  close(namespace: string, localName: string): void {
    this.#depth--;
    this.#line(`</${this.prefixes.qualify(namespace, localName)}>`);
  }

  /** An element with only text (escaped) or nothing: `<a x="1">text</a>` or `<a x="1"/>`. */
  leaf(namespace: string, localName: string, attributes: XmlAttributes = [], text = ""): void {
    const name = this.prefixes.qualify(namespace, localName);
    const start = `<${name}${renderAttributes(attributes)}`;
    this.#line(text === "" ? `${start}/>` : `${start}>${escapeXmlText(text)}</${name}>`);
  }

  /**
   * An element holding base64 of `value` (or nothing when it is empty), bytes or already encoded. The base64 alphabet
   * (RFC 4648 §4) needs no escaping, so the text is not scanned for characters to escape: on a filled answer it is
   * nearly all the text.
   */
  binaryLeaf(namespace: string, localName: string, attributes: XmlAttributes, value: Uint8Array | Base64Value): void {
    const name = this.prefixes.qualify(namespace, localName);
    const start = `<${name}${renderAttributes(attributes)}`;
    const base64 = value instanceof Uint8Array ? toBase64(value) : value.base64;
    this.#line(base64 === "" ? `${start}/>` : `${start}>${base64}</${name}>`);
  }

  /** Already-escaped markup on a line of its own. */
  raw(markup: string): void {
    this.#line(markup);
  }

  #indentation(): string {
    if (this.indent === "") return "";
    return (this.#indents[this.#depth] ??= this.indent.repeat(this.#depth));
  }

  /**
   * Puts the lines written so far inside a root element whose start tag is known only now (its namespace
   * declarations are those used below it): `start` and `end` around them, or `empty` alone when there are none.
   */
  enclose(start: string, end: string, empty: string): void {
    if (this.#lines.length === 0) this.#lines.push(empty);
    else {
      this.#lines.unshift(start);
      this.#lines.push(end);
    }
  }

  /**
   * The whole document: `declaration`, the lines as `toString` joins them, a final line break, made by that one join
   * and so one flat string. (A template literal around the long text would make a rope, which `new Response` then
   * copies once more before it encodes it.) Ends the builder.
   */
  document(declaration: string): string {
    const lineBreak = this.indent === "" ? "\n" : "";
    this.#lines.unshift(declaration + lineBreak);
    this.#lines.push(lineBreak);
    return this.toString();
  }

  /** The lines written so far, joined. */
  toString(): string {
    return this.#lines.join(this.indent === "" ? "" : "\n");
  }

  #line(markup: string): void {
    const line = this.#indentation() + markup;
    this.#length += line.length + 1;
    if (this.#length > this.maxLength) throw new XmlLengthExceeded(this.maxLength);
    this.#lines.push(line);
  }
}

/** Indentation strings by depth, built once per isolate (a document is at most MAX_XML_DEPTH deep). */
const INDENTS = new Map<string, string[]>();

export function renderAttributes(attributes: XmlAttributes): string {
  let rendered = "";
  for (const [name, value] of attributes) {
    if (value !== undefined) rendered += ` ${name}="${escapeXmlAttribute(typeof value === "string" ? value : String(value))}"`;
  }
  return rendered;
}
