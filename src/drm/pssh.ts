import type { KeyId } from "../domain/key-id";
import type { SystemId } from "../domain/system-id";

/**
 * A Protection System Specific Header box (ISO/IEC 23001-7 §8.1). Version 0 carries no Key IDs;
 * version 1 lists them (KIDs in RFC 4122 byte order, as in `tenc`).
 */
export type PsshBox =
  | { readonly version: 0; readonly systemId: SystemId; readonly data: Uint8Array }
  | { readonly version: 1; readonly systemId: SystemId; readonly kids: readonly KeyId[]; readonly data: Uint8Array };

/** ISO/IEC 14496-12 §4.2 box type of a PSSH box. */
export const PSSH_TYPE = [0x70, 0x73, 0x73, 0x68]; // "pssh"
/** size(4) + type(4) + version(1) + flags(3) + SystemID(16) + DataSize(4): the smallest v0 box. */
export const V0_HEADER_LENGTH = 32;

/** Builds a PSSH box (ISO/IEC 23001-7 §8.1): v0 without KIDs, v1 with KID_count and the KIDs. */
export function buildPsshBox(box: PsshBox): Uint8Array {
  const kids = box.version === 1 ? box.kids : [];
  const kidPartLength = box.version === 1 ? 4 + 16 * kids.length : 0;
  const size = V0_HEADER_LENGTH + kidPartLength + box.data.length;
  // One buffer written in place: size, type, version and flags (0, ISO/IEC 23001-7 §8.1.1), SystemID, KIDs, data.
  // Byte stores rather than a DataView and a set from a plain array: both cost more than the rest of a small box.
  const out = new Uint8Array(size);
  writeUint32(out, 0, size);
  for (let i = 0; i < 4; i++) out[4 + i] = PSSH_TYPE[i]!;
  out[8] = box.version;
  out.set(box.systemId.bytes, 12);
  let offset = 28;
  if (box.version === 1) {
    writeUint32(out, offset, kids.length);
    offset += 4;
    for (const kid of kids) {
      out.set(kid.bytes, offset);
      offset += 16;
    }
  }
  writeUint32(out, offset, box.data.length);
  out.set(box.data, offset + 4);
  return out;
}

/** An unsigned 32-bit big-endian integer (ISO/IEC 14496-12 §4.2: box fields are big-endian). */
function writeUint32(out: Uint8Array, offset: number, value: number): void {
  out[offset] = value >>> 24;
  out[offset + 1] = value >>> 16;
  out[offset + 2] = value >>> 8;
  out[offset + 3] = value;
}
