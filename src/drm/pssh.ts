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
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  view.setUint32(0, size);
  out.set(PSSH_TYPE, 4);
  out[8] = box.version;
  out.set(box.systemId.bytes, 12);
  let offset = 28;
  if (box.version === 1) {
    view.setUint32(offset, kids.length);
    offset += 4;
    for (const kid of kids) {
      out.set(kid.bytes, offset);
      offset += 16;
    }
  }
  view.setUint32(offset, box.data.length);
  out.set(box.data, offset + 4);
  return out;
}
