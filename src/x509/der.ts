/**
 * A narrow DER reader (ITU-T X.690 §8 and §10): enough to walk an X.509 certificate (RFC 5280 §4.1) and an RSA
 * SubjectPublicKeyInfo. Definite lengths only, as DER requires (X.690 §10.1); every
 * read is bounds-checked and a violation throws a DerError, which the certificate parser turns into data.
 */

/** X.690 §8.1.2 identifier octets of the universal types a certificate uses. */
export const DER_TAG = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OBJECT_IDENTIFIER: 0x06,
  UTF8_STRING: 0x0c,
  PRINTABLE_STRING: 0x13,
  TELETEX_STRING: 0x14,
  IA5_STRING: 0x16,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  UNIVERSAL_STRING: 0x1c,
  BMP_STRING: 0x1e,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

/** One TLV: its tag octet, its content and the whole encoding (tag, length and content). */
export interface DerElement {
  readonly tag: number;
  readonly content: Uint8Array;
  readonly encoded: Uint8Array;
}

export class DerError extends Error {
  override readonly name = "DerError";
}

/** Reads consecutive TLVs from some bytes. */
export class DerReader {
  #offset = 0;

  constructor(readonly bytes: Uint8Array) {}

  get done(): boolean {
    return this.#offset >= this.bytes.length;
  }

  /** Peeks at the next tag without consuming it (undefined at the end). */
  peekTag(): number | undefined {
    return this.done ? undefined : this.bytes[this.#offset];
  }

  /** Reads the next TLV; with `tag`, it must carry that tag. */
  read(tag?: number, what = "element"): DerElement {
    const start = this.#offset;
    if (start + 2 > this.bytes.length) throw new DerError(`${what}: truncated`);
    const actual = this.bytes[start]!;
    // High tag numbers (X.690 §8.1.2.4) do not occur in the structures read here.
    if ((actual & 0x1f) === 0x1f) throw new DerError(`${what}: multi-byte tags are not supported`);
    if (tag !== undefined && actual !== tag) throw new DerError(`${what}: expected tag 0x${hex(tag)}, found 0x${hex(actual)}`);
    let length = this.bytes[start + 1]!;
    let headerLength = 2;
    if (length & 0x80) {
      const count = length & 0x7f;
      // X.690 §10.1: DER uses the definite form with the fewest octets; 4 octets cover any certificate.
      if (count === 0 || count > 4) throw new DerError(`${what}: unsupported length encoding`);
      if (start + 2 + count > this.bytes.length) throw new DerError(`${what}: truncated length`);
      length = 0;
      for (let i = 0; i < count; i++) length = length * 256 + this.bytes[start + 2 + i]!;
      headerLength += count;
    }
    const end = start + headerLength + length;
    if (end > this.bytes.length) throw new DerError(`${what}: length runs past the end`);
    this.#offset = end;
    return {
      tag: actual,
      content: this.bytes.subarray(start + headerLength, end),
      encoded: this.bytes.subarray(start, end),
    };
  }

  /** Reads a constructed TLV and returns a reader over its content. */
  enter(tag: number, what: string): DerReader {
    return new DerReader(this.read(tag, what).content);
  }

  /** Fails unless every byte was read (trailing data in a structure is malformed). */
  finish(what: string): void {
    if (!this.done) throw new DerError(`${what}: unexpected trailing data`);
  }
}

/** Dotted form of an OBJECT IDENTIFIER's content octets (X.690 §8.19). */
export function decodeOid(content: Uint8Array): string {
  if (content.length === 0) throw new DerError("empty OBJECT IDENTIFIER");
  const arcs: number[] = [];
  let value = 0;
  for (const byte of content) {
    value = value * 128 + (byte & 0x7f);
    if (value > Number.MAX_SAFE_INTEGER) throw new DerError("OBJECT IDENTIFIER arc too large");
    if (!(byte & 0x80)) {
      arcs.push(value);
      value = 0;
    }
  }
  if (content[content.length - 1]! & 0x80) throw new DerError("truncated OBJECT IDENTIFIER");
  const first = arcs.shift()!;
  const head = first < 80 ? [Math.floor(first / 40), first % 40] : [2, first - 80];
  return [...head, ...arcs].join(".");
}

function hex(byte: number): string {
  return byte.toString(16).padStart(2, "0");
}
