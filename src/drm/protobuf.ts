/**
 * The few protobuf wire-format pieces writing WidevinePsshData needs (protobuf encoding guide, "Message Structure"),
 * written into one buffer sized first: a message is `messageWriter(length)` then fields in order.
 */

const WIRE_VARINT = 0;
const WIRE_LEN = 2;

/** Bytes of an unsigned 32-bit value as a base-128 varint (protobuf "Base 128 Varints"). */
export function varintLength(value: number): number {
  checkUint32(value);
  let length = 1;
  for (let rest = value; rest >= 0x80; rest = Math.floor(rest / 0x80)) length++;
  return length;
}

/** Bytes of a varint field: tag (field << 3 | 0) then the value. */
export function varintFieldLength(field: number, value: number): number {
  return varintLength(field * 8 + WIRE_VARINT) + varintLength(value);
}

/** Bytes of a length-delimited field: tag (field << 3 | 2), length, bytes. */
export function bytesFieldLength(field: number, valueLength: number): number {
  return varintLength(field * 8 + WIRE_LEN) + varintLength(valueLength) + valueLength;
}

/** Writes fields into a message of a known length, in the order they are written. */
export class ProtobufWriter {
  readonly bytes: Uint8Array;
  #offset = 0;

  constructor(length: number) {
    this.bytes = new Uint8Array(length);
  }

  varintField(field: number, value: number): void {
    this.#varint(field * 8 + WIRE_VARINT);
    this.#varint(value);
  }

  bytesField(field: number, value: Uint8Array): void {
    this.#varint(field * 8 + WIRE_LEN);
    this.#varint(value.length);
    this.bytes.set(value, this.#offset);
    this.#offset += value.length;
  }

  #varint(value: number): void {
    checkUint32(value);
    let rest = value;
    while (rest >= 0x80) {
      this.bytes[this.#offset++] = (rest % 0x80) | 0x80;
      rest = Math.floor(rest / 0x80);
    }
    this.bytes[this.#offset++] = rest;
  }
}

function checkUint32(value: number): void {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) throw new RangeError(`a varint here must be a uint32, got ${value}`);
}
