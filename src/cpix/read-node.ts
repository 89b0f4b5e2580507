/**
 * `ReadNode`: one element being read, with its path for failures and the value rules the reader enforces
 * (UUIDs, base64, xs:integer, xs:boolean, xs:dateTime, xs:duration). Every rule violation throws a CpixReadError
 * that names the element, attribute and rule — never the offending value.
 */
import { fromBase64 } from "../domain/bytes";
import { KeyId } from "../domain/key-id";
import { CpixReadError } from "./failure";
import type { CpixExtensionElement } from "./model";
import type { XmlElement } from "./xml";

/** CPIX 2.3.1 UUIDType / CPIX 2.3 KeyIdType pattern (xsd/2.3/cpix.xsd), case-insensitive. */
export const UUID_PATTERN = /^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$/;
/** XML Schema Part 2 §3.3.13 integer lexical space. */
const INTEGER_PATTERN = /^[+-]?[0-9]+$/;
/** XML Schema Part 2 §3.2.7 dateTime lexical space. */
const DATE_TIME_PATTERN = /^-?[0-9]{4,}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]+)?(?:Z|[+-][0-9]{2}:[0-9]{2})?$/;
/** XML Schema Part 2 §3.2.6 duration lexical space (at least one component; T needs a time component). */
const DURATION_PATTERN =
  /^-?P(?=[0-9T])(?:[0-9]+Y)?(?:[0-9]+M)?(?:[0-9]+D)?(?:T(?=[0-9])(?:[0-9]+H)?(?:[0-9]+M)?(?:[0-9]+(?:\.[0-9]+)?S)?)?$/;

export class ReadNode {
  constructor(
    readonly element: XmlElement,
    /** Slash-separated local names with 1-based indexes, e.g. `CPIX/ContentKeyList/ContentKey[2]`. */
    readonly path: string,
  ) {}

  get name(): string {
    return this.element.localName;
  }

  /** Child elements with this expanded name, in document order. */
  children(namespace: string, localName: string): ReadNode[] {
    const matching = this.element.children.filter((c) => c.namespace === namespace && c.localName === localName);
    return matching.map((child, i) => new ReadNode(child, `${this.path}/${localName}[${i + 1}]`));
  }

  /** Refuses more than `limit` children with this expanded name (src/domain/request-limits.ts), before any is read. */
  limitChildren(namespace: string, localName: string, limit: number): void {
    let count = 0;
    for (const child of this.element.children) if (child.namespace === namespace && child.localName === localName) count++;
    if (count > limit) throw new CpixReadError({ reason: "too-many-elements", element: localName, count, limit, path: this.path });
  }

  /** The child with this expanded name, if any; a second one is a failure (the XSD allows at most one). */
  child(namespace: string, localName: string): ReadNode | undefined {
    const matching = this.element.children.filter((c) => c.namespace === namespace && c.localName === localName);
    if (matching.length > 1) this.invalidElement(localName, "must occur at most once", `${this.path}/${localName}[2]`);
    return matching[0] && new ReadNode(matching[0], `${this.path}/${localName}`);
  }

  /** Like `child`, but its absence is a `missing-element` failure. */
  requiredChild(namespace: string, localName: string): ReadNode {
    const found = this.child(namespace, localName);
    if (!found) throw new CpixReadError({ reason: "missing-element", element: localName, path: `${this.path}/${localName}` });
    return found;
  }

  /** Children in namespaces other than these, as plain extension elements (for `xs:any ##other` slots). */
  foreignChildren(knownNamespaces: readonly string[]): CpixExtensionElement[] {
    return this.element.children.filter((c) => !knownNamespaces.includes(c.namespace)).map(toExtension);
  }

  /** An unqualified attribute, as written (after entity decoding). */
  attribute(name: string): string | undefined {
    return this.element.attributes.get(name);
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
    const bytes = fromBase64(this.element.text);
    if (!bytes) this.invalidElement(this.name, "must be base64");
    return bytes;
  }

  /**
   * Base64 DRM signalling that a key provider replaces rather than uses: text that is not base64 (PallyCon's docs
   * elide values as `qAUAAAEAAQCeB...A=`) reads as an empty placeholder instead of refusing the request.
   */
  signalingBase64(): Uint8Array {
    return fromBase64(this.element.text) ?? new Uint8Array(0);
  }

  text(): string {
    return this.element.text;
  }

  invalidAttribute(attribute: string, rule: string): never {
    throw new CpixReadError({ reason: "invalid-attribute", element: this.name, attribute, rule, path: this.path });
  }

  invalidElement(element: string, rule: string, path = this.path): never {
    throw new CpixReadError({ reason: "invalid-element", element, rule, path });
  }

  private parseUuid(name: string, value: string): KeyId {
    const trimmed = value.trim();
    if (!UUID_PATTERN.test(trimmed)) this.invalidAttribute(name, "must be a UUID");
    return KeyId.require(trimmed, name);
  }
}

function toExtension(element: XmlElement): CpixExtensionElement {
  const attributes = [...element.attributes].map(([key, value]) => {
    // `{uri}local`: split at the last brace (a local name has none; the reader refuses URIs with one).
    const qualified = /^\{(.*)\}([^}]*)$/.exec(key);
    return { namespace: qualified?.[1] ?? "", localName: qualified?.[2] ?? key, value };
  });
  return {
    namespace: element.namespace,
    localName: element.localName,
    attributes,
    children: element.children.map(toExtension),
    text: element.text,
  };
}

/** Drops `undefined` properties so absent attributes stay absent (and deep equality is exact). */
export function definedOnly<T extends object>(record: T): T {
  // Deletes in place: cheaper than rebuilding through Object.entries on every element of every request.
  const fields = record as Record<string, unknown>;
  for (const key in fields) if (fields[key] === undefined) delete fields[key];
  return record;
}
