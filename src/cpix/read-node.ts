/**
 * `ReadNode`: one element being read, with its path for failures and the value rules the reader enforces
 * (UUIDs, base64, xs:integer, xs:boolean, xs:dateTime, xs:duration). Every rule violation throws a CpixReadError
 * that names the element, attribute and rule — never the offending value.
 */
import { fromBase64 } from "../domain/bytes";
import { KeyId } from "../domain/key-id";
import { CpixReadError } from "./failure";
import type { CpixExtensionElement } from "./model";
import { attributeValue, elementChildren, textContent, type XmlElement } from "../xml/tree";

/** CPIX 2.3.1 UUIDType / CPIX 2.3 KeyIdType pattern (xsd/2.3/cpix.xsd), case-insensitive. */
export const UUID_PATTERN = /^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$/;
/** XML Schema Part 2 §3.3.13 integer lexical space. */
const INTEGER_PATTERN = /^[+-]?[0-9]+$/;
/** XML Schema Part 2 §3.2.7 dateTime lexical space. */
const DATE_TIME_PATTERN = /^-?[0-9]{4,}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]+)?(?:Z|[+-][0-9]{2}:[0-9]{2})?$/;
/** XML Schema Part 2 §3.2.6 duration lexical space (at least one component; T needs a time component). */
const DURATION_PATTERN =
  /^-?P(?=[0-9T])(?:[0-9]+Y)?(?:[0-9]+M)?(?:[0-9]+D)?(?:T(?=[0-9])(?:[0-9]+H)?(?:[0-9]+M)?(?:[0-9]+(?:\.[0-9]+)?S)?)?$/;
/**
 * The value of every empty signalling placeholder, shared: a zero-length array holds nothing to change, and workerd
 * allocates each new one outside the V8 heap (~0.25 µs; an 8-key SPEKE v2 request × 3 DRMs sends 96 placeholders).
 */
const EMPTY_SIGNALLING: Uint8Array = Object.freeze(new Uint8Array(0));

export class ReadNode {
  #children: XmlElement[] | undefined;
  #path: string | undefined;

  constructor(
    readonly element: XmlElement,
    /** The node this one was reached from, for the path; undefined for the root. */
    private readonly parent: ReadNode | undefined,
    /** Its local name in the path, with a 1-based index when read as one of several (`children`), else 0. */
    private readonly index = 0,
  ) {}

  /** Slash-separated local names with 1-based indexes, e.g. `CPIX/ContentKeyList/ContentKey[2]`; built only when asked for. */
  get path(): string {
    if (this.#path === undefined) {
      const segment = this.index === 0 ? this.name : `${this.name}[${this.index}]`;
      this.#path = this.parent ? `${this.parent.path}/${segment}` : segment;
    }
    return this.#path;
  }

  get name(): string {
    return this.element.localName;
  }

  /** Child elements of any name, listed once. */
  elementChildren(): readonly XmlElement[] {
    return (this.#children ??= elementChildren(this.element));
  }

  /** Child elements with this expanded name, in document order. */
  children(namespace: string, localName: string): ReadNode[] {
    const matching: ReadNode[] = [];
    for (const child of this.elementChildren()) {
      if (child.localName === localName && child.namespace === namespace) matching.push(new ReadNode(child, this, matching.length + 1));
    }
    return matching;
  }

  /** Refuses more than `limit` children with this expanded name (src/domain/request-limits.ts), before any is read. */
  limitChildren(namespace: string, localName: string, limit: number): void {
    let count = 0;
    for (const child of this.elementChildren()) if (child.localName === localName && child.namespace === namespace) count++;
    if (count > limit) throw new CpixReadError({ reason: "too-many-elements", element: localName, count, limit, path: this.path });
  }

  /** The child with this expanded name, if any; a second one is a failure (the XSD allows at most one). */
  child(namespace: string, localName: string): ReadNode | undefined {
    let found: XmlElement | undefined;
    for (const child of this.elementChildren()) {
      if (child.localName !== localName || child.namespace !== namespace) continue;
      if (found) this.invalidElement(localName, "must occur at most once", `${this.path}/${localName}[2]`);
      found = child;
    }
    return found && new ReadNode(found, this);
  }

  /** Like `child`, but its absence is a `missing-element` failure. */
  requiredChild(namespace: string, localName: string): ReadNode {
    const found = this.child(namespace, localName);
    if (!found) throw new CpixReadError({ reason: "missing-element", element: localName, path: `${this.path}/${localName}` });
    return found;
  }

  /** Children in namespaces other than these, as plain extension elements (for `xs:any ##other` slots). */
  foreignChildren(knownNamespaces: readonly string[]): CpixExtensionElement[] {
    const foreign: CpixExtensionElement[] = [];
    for (const child of this.elementChildren()) if (!knownNamespaces.includes(child.namespace)) foreign.push(toExtension(child));
    return foreign;
  }

  /** An unprefixed attribute, normalized and with its references replaced (XML 1.0 §3.3.3). */
  attribute(name: string): string | undefined {
    return attributeValue(this.element, name);
  }

  requiredAttribute(name: string): string {
    const value = this.attribute(name);
    if (value === undefined) {
      throw new CpixReadError({ reason: "missing-attribute", element: this.name, attribute: name, path: this.path });
    }
    return value;
  }

  /** A UUID attribute (CPIX 2.3.1 UUIDType), any case, surrounding whitespace ignored. */
  uuidAttribute(name: string): KeyId | undefined {
    const value = this.attribute(name);
    return value === undefined ? undefined : this.parseUuid(name, value);
  }

  requiredUuidAttribute(name: string): KeyId {
    return this.parseUuid(name, this.requiredAttribute(name));
  }

  integerAttribute(name: string): number | undefined {
    const value = this.attribute(name)?.trim();
    if (value === undefined) return undefined;
    const parsed = Number(value);
    if (!INTEGER_PATTERN.test(value) || !Number.isSafeInteger(parsed)) this.invalidAttribute(name, "must be an integer");
    return parsed;
  }

  requiredIntegerAttribute(name: string): number {
    this.requiredAttribute(name);
    return this.integerAttribute(name)!;
  }

  /** xs:boolean: true, false, 1, 0. */
  booleanAttribute(name: string): boolean | undefined {
    const value = this.attribute(name)?.trim();
    if (value === undefined) return undefined;
    if (value === "true" || value === "1") return true;
    if (value === "false" || value === "0") return false;
    return this.invalidAttribute(name, "must be true, false, 1 or 0");
  }

  /** xs:dateTime, kept as written so a response echoes it unchanged. */
  dateTimeAttribute(name: string): string | undefined {
    const value = this.attribute(name);
    if (value !== undefined && !DATE_TIME_PATTERN.test(value.trim())) this.invalidAttribute(name, "must be an xs:dateTime");
    return value;
  }

  /** xs:duration (e.g. `PT10M`), kept as written. */
  durationAttribute(name: string): string | undefined {
    const value = this.attribute(name);
    if (value !== undefined && !DURATION_PATTERN.test(value.trim())) this.invalidAttribute(name, "must be an xs:duration");
    return value;
  }

  /** Base64 character data (whitespace ignored); an empty element gives zero bytes. */
  base64Text(): Uint8Array {
    const bytes = fromBase64(this.text());
    if (!bytes) this.invalidElement(this.name, "must be base64");
    return bytes;
  }

  /**
   * Base64 DRM signalling that a key provider replaces rather than uses: text that is not base64 (PallyCon's docs
   * elide values as `qAUAAAEAAQCeB...A=`) reads as an empty placeholder instead of refusing the request.
   */
  signalingBase64(): Uint8Array {
    const text = this.text();
    if (text === "") return EMPTY_SIGNALLING; // the placeholders SPEKE requests send
    return fromBase64(text) ?? EMPTY_SIGNALLING;
  }

  /** The element's character data, trimmed. */
  text(): string {
    return textContent(this.element).trim();
  }

  invalidAttribute(attribute: string, rule: string): never {
    throw new CpixReadError({ reason: "invalid-attribute", element: this.name, attribute, rule, path: this.path });
  }

  invalidElement(element: string, rule: string, path = this.path): never {
    throw new CpixReadError({ reason: "invalid-element", element, rule, path });
  }

  /** UUID_PATTERN's rule, checked by `KeyId.fromUuidText` as it decodes (no pattern match, no text → hex → bytes). */
  private parseUuid(name: string, value: string): KeyId {
    return KeyId.fromUuidText(value.trim()) ?? this.invalidAttribute(name, "must be a UUID");
  }
}

function toExtension(element: XmlElement): CpixExtensionElement {
  return {
    namespace: element.namespace,
    localName: element.localName,
    attributes: element.attributes.map(({ namespace, localName, value }) => ({ namespace, localName, value })),
    children: elementChildren(element).map(toExtension),
    text: textContent(element).trim(),
  };
}

/** Drops `undefined` properties so absent attributes stay absent (and deep equality is exact). */
export function definedOnly<T extends object>(record: T): T {
  // Copies rather than deletes: `delete` turns an object into a slow dictionary for every later reader of it, and
  // records of one kind built in one order share one fast shape.
  const fields = record as Record<string, unknown>;
  const defined: Record<string, unknown> = {};
  for (const key in fields) if (fields[key] !== undefined) defined[key] = fields[key];
  return defined as T;
}
