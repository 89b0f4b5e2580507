import { concatBytes } from "../domain/bytes";

/** The few protobuf wire-format pieces WidevinePsshData needs (protobuf encoding guide, "Message Structure"). */

const WIRE_VARINT = 0;
const WIRE_I64 = 1;
const WIRE_LEN = 2;
const WIRE_I32 = 5;

/** A decoded field: varints as numbers (up to 2^53), length-delimited fields as bytes. */
export type ProtobufField =
  | { readonly field: number; readonly wire: "varint"; readonly value: number }
  | { readonly field: number; readonly wire: "bytes"; readonly value: Uint8Array };

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

/** Splits a message into its fields (skipping 32/64-bit ones); undefined if truncated, grouped or otherwise malformed. */
export function decodeFields(bytes: Uint8Array): ProtobufField[] | undefined {
  const fields: ProtobufField[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    const tag = readVarint(bytes, offset);
    if (!tag) return undefined;
    offset = tag.next;
    const field = Math.floor(tag.value / 8);
    const wire = tag.value % 8;
    if (field === 0) return undefined;
    if (wire === WIRE_VARINT) {
      const value = readVarint(bytes, offset);
      if (!value) return undefined;
      fields.push({ field, wire: "varint", value: value.value });
      offset = value.next;
    } else if (wire === WIRE_LEN) {
      const length = readVarint(bytes, offset);
      if (!length || length.next + length.value > bytes.length) return undefined;
      fields.push({ field, wire: "bytes", value: bytes.slice(length.next, length.next + length.value) });
      offset = length.next + length.value;
    } else if (wire === WIRE_I64 || wire === WIRE_I32) {
      offset += wire === WIRE_I64 ? 8 : 4;
      if (offset > bytes.length) return undefined;
    } else {
      return undefined;
    }
  }
  return fields;
}

/** Reads a varint of at most 10 bytes; values above 2^53 are refused (none of our fields are 64-bit). */
function readVarint(bytes: Uint8Array, start: number): { value: number; next: number } | undefined {
  let value = 0;
  let scale = 1;
  for (let i = start; i < bytes.length && i < start + 10; i++) {
    const byte = bytes[i]!;
    value += (byte & 0x7f) * scale;
    if (value > Number.MAX_SAFE_INTEGER) return undefined;
    if ((byte & 0x80) === 0) return { value, next: i + 1 };
    scale *= 0x80;
  }
  return undefined;
}
