/**
 * A narrow DER writer (ITU-T X.690 §8 and §10), the counterpart of der.ts: enough to write the service's own restore
 * certificate (RFC 5280 §4.1). Definite lengths in the fewest octets (X.690 §10.1), as DER requires.
 */
import { concatBytes, utf8 } from "../domain/bytes";
import { DER_TAG } from "./der";

/** One TLV: the tag octet, the length (X.690 §8.1.3: short form below 128, else long form) and the content. */
export function derElement(tag: number, ...contents: Uint8Array[]): Uint8Array {
  const content = concatBytes(...contents);
  const lengthOctets: number[] = [];
  for (let length = content.length; length > 0; length = Math.floor(length / 256)) lengthOctets.unshift(length & 0xff);
  const header = content.length < 0x80 ? [tag, content.length] : [tag, 0x80 | lengthOctets.length, ...lengthOctets];
  return concatBytes(Uint8Array.from(header), content);
}

export function derSequence(...items: Uint8Array[]): Uint8Array {
  return derElement(DER_TAG.SEQUENCE, ...items);
}

export function derSet(...items: Uint8Array[]): Uint8Array {
  return derElement(DER_TAG.SET, ...items);
}

/** A non-negative INTEGER from its big-endian magnitude (X.690 §8.3: a leading 0 when the top bit is set). */
export function derUnsignedInteger(magnitude: Uint8Array): Uint8Array {
  let start = 0;
  while (start < magnitude.length - 1 && magnitude[start] === 0 && !(magnitude[start + 1]! & 0x80)) start++;
  const trimmed = magnitude.subarray(start);
  return derElement(DER_TAG.INTEGER, trimmed[0]! & 0x80 ? Uint8Array.of(0) : new Uint8Array(0), trimmed);
}

/** An OBJECT IDENTIFIER from its dotted form (X.690 §8.19: the first two arcs in one, each arc base 128). */
export function derOid(dotted: string): Uint8Array {
  const [first, second, ...rest] = dotted.split(".").map(Number);
  const octets: number[] = [];
  for (const arc of [first! * 40 + second!, ...rest]) {
    const base128 = [arc & 0x7f];
    for (let value = Math.floor(arc / 128); value > 0; value = Math.floor(value / 128)) base128.unshift((value & 0x7f) | 0x80);
    octets.push(...base128);
  }
  return derElement(DER_TAG.OBJECT_IDENTIFIER, Uint8Array.from(octets));
}

/** A BIT STRING of whole octets (X.690 §8.6.2: the first content octet counts the unused bits). */
export function derBitString(octets: Uint8Array, unusedBits = 0): Uint8Array {
  return derElement(DER_TAG.BIT_STRING, Uint8Array.of(unusedBits), octets);
}

export function derOctetString(octets: Uint8Array): Uint8Array {
  return derElement(DER_TAG.OCTET_STRING, octets);
}

export function derUtf8String(text: string): Uint8Array {
  return derElement(DER_TAG.UTF8_STRING, utf8(text));
}

export const DER_NULL: Uint8Array = Uint8Array.of(DER_TAG.NULL, 0);

export function derBoolean(value: boolean): Uint8Array {
  // X.690 §11.1: DER writes TRUE as 0xFF.
  return derElement(DER_TAG.BOOLEAN, Uint8Array.of(value ? 0xff : 0));
}

/** A context-specific constructed tag `[number]` around its content (EXPLICIT tagging, X.690 §8.14). */
export function derExplicit(number: number, ...contents: Uint8Array[]): Uint8Array {
  return derElement(0xa0 | number, ...contents);
}

/** RFC 5280 §4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050, both in UTC with seconds. */
export function derTime(date: Date): Uint8Array {
  const digits = date.toISOString().replace(/[-:T]/g, "").slice(0, 14) + "Z";
  const year = date.getUTCFullYear();
  return year < 2050 ? derElement(DER_TAG.UTC_TIME, utf8(digits.slice(2))) : derElement(DER_TAG.GENERALIZED_TIME, utf8(digits));
}
