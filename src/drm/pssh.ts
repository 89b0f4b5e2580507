import { concatBytes } from "../domain/bytes";
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
  const kidPart = box.version === 1 ? concatBytes(uint32(kids.length), ...kids.map((kid) => kid.bytes)) : new Uint8Array(0);
  const size = V0_HEADER_LENGTH + kidPart.length + box.data.length;
  return concatBytes(
    uint32(size),
    Uint8Array.from(PSSH_TYPE),
    Uint8Array.of(box.version, 0, 0, 0), // flags are 0 (ISO/IEC 23001-7 §8.1.1)
    box.systemId.bytes,
    kidPart,
    uint32(box.data.length),
    box.data,
  );
}

function uint32(value: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, value);
  return out;
}
