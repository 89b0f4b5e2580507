/**
 * A narrow DER reader (ITU-T X.690 §8 and §10): tag, definite length and contents of one element, and the
 * elements inside a constructed one. Enough to walk an X.509 certificate; it never interprets INTEGERs or strings.
 */

/** One DER element: `bytes` is the whole encoding (tag, length, contents), `contents` what follows the length. */
export interface DerElement {
  readonly tag: number;
  readonly bytes: Uint8Array;
  readonly contents: Uint8Array;
}

export const DER_TAG = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  OID: 0x06,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  SEQUENCE: 0x30,
  /** Context-specific, constructed: `[n] EXPLICIT` (X.690 §8.1.2). */
  context: (n: number) => 0xa0 + n,
} as const;

/** Thrown for bytes that are not the DER this reader expects; the message names the rule, never the bytes. */
export class DerError extends Error {
  override readonly name = "DerError";
}

/** Reads the element that starts at `offset`; single-byte tags and definite lengths only (X.690 §10.1). */
export function readDerElement(bytes: Uint8Array, offset = 0): DerElement {
  const tag = bytes[offset];
  const first = bytes[offset + 1];
  if (tag === undefined || first === undefined) throw new DerError("truncated DER element");
  if ((tag & 0x1f) === 0x1f) throw new DerError("multi-byte DER tags are not used in certificates");
  let length = first;
  let header = 2;
  if (first & 0x80) {
    const count = first & 0x7f;
    if (count === 0 || count > 4) throw new DerError("DER length must be definite and at most 4 bytes long");
    length = 0;
    for (let i = 0; i < count; i++) {
      const byte = bytes[offset + 2 + i];
      if (byte === undefined) throw new DerError("truncated DER length");
      length = length * 256 + byte;
    }
    header += count;
  }
  const end = offset + header + length;
  if (end > bytes.length) throw new DerError("DER element runs past the end of its parent");
  return { tag, bytes: bytes.subarray(offset, end), contents: bytes.subarray(offset + header, end) };
}

/** Reads a whole DER encoding that must be exactly one element with the given tag. */
export function readDerDocument(bytes: Uint8Array, tag: number): DerElement {
  const element = readDerElement(bytes);
  if (element.tag !== tag) throw new DerError(`expected DER tag 0x${tag.toString(16)}, got 0x${element.tag.toString(16)}`);
  if (element.bytes.length !== bytes.length) throw new DerError("bytes follow the DER element");
  return element;
}

/** The elements inside a constructed element, in order. */
export function derChildren(element: DerElement): DerElement[] {
  const children: DerElement[] = [];
  for (let offset = 0; offset < element.contents.length;) {
    const child = readDerElement(element.contents, offset);
    children.push(child);
    offset += child.bytes.length;
  }
  return children;
}

/** The child at `index`, which must carry `tag`. */
export function derChild(element: DerElement, index: number, tag: number, what: string): DerElement {
  const child = derChildren(element)[index];
  if (!child || child.tag !== tag) throw new DerError(`${what} is missing or not of DER tag 0x${tag.toString(16)}`);
  return child;
}

/** Whether two byte strings are equal (OIDs, which are public). */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}
