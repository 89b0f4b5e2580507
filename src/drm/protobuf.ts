import { concatBytes } from "../domain/bytes";

/** The few protobuf wire-format pieces writing WidevinePsshData needs (protobuf encoding guide, "Message Structure"). */

const WIRE_VARINT = 0;
const WIRE_LEN = 2;

/** Encodes an unsigned 32-bit value as a base-128 varint (protobuf "Base 128 Varints"). */
export function encodeVarint(value: number): Uint8Array {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) throw new RangeError(`a varint here must be a uint32, got ${value}`);
  const out: number[] = [];
  let rest = value;
  while (rest >= 0x80) {
    out.push((rest % 0x80) | 0x80);
    rest = Math.floor(rest / 0x80);
  }
  out.push(rest);
  return Uint8Array.from(out);
}

/** A varint field: tag (field << 3 | 0) then the value. */
export function varintField(field: number, value: number): Uint8Array {
  return concatBytes(encodeVarint(field * 8 + WIRE_VARINT), encodeVarint(value));
}

/** A length-delimited field: tag (field << 3 | 2), length, bytes. */
export function bytesField(field: number, value: Uint8Array): Uint8Array {
  return concatBytes(encodeVarint(field * 8 + WIRE_LEN), encodeVarint(value.length), value);
}
