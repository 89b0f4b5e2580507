import type { KeyId } from "../domain/key-id";
import { buildPsshBox } from "./pssh";
import { SYSTEM_IDS } from "./system-ids";

/**
 * The PlayReady Object (PRO) that carries a WRMHEADER, and the PlayReady PSSH box around it, from
 * MicrosoftDocs/PlayReady `playready-header-specification.md` §2 and `mpeg-dash-playready.md`.
 */

/** PRH spec §2.1 record type of a PlayReady Header. */
export const RECORD_TYPE_PLAYREADY_HEADER = 0x0001;
/** PRH spec §2: the PRO "should not exceed 15 kilobytes (KB)". */
export const PLAYREADY_OBJECT_MAX_BYTES = 15 * 1024;
/** Length DWORD + Record Count WORD (PRH spec §2). */
const PRO_HEADER_LENGTH = 6;
/** Record Type WORD + Record Length WORD (PRH spec §2.1). */
const RECORD_HEADER_LENGTH = 4;

/** Encodes a string as UTF-16LE, the PRH encoding ("It is encoded using UTF-16", PRH spec §3). */
export function utf16le(text: string): Uint8Array {
  const out = new Uint8Array(text.length * 2);
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    out[2 * i] = unit & 0xff;
    out[2 * i + 1] = unit >>> 8;
  }
  return out;
}

/** Builds a PRO with one PlayReady Header record (PRH spec §2, little-endian); throws a RangeError past 15 KB. */
export function buildPlayReadyObject(wrmHeader: string): Uint8Array {
  // No empty Embedded License Store: §4 advises against one in a PRO bound for a Smooth Streaming manifest.
  const header = utf16le(wrmHeader);
  const length = PRO_HEADER_LENGTH + RECORD_HEADER_LENGTH + header.length;
  if (length > PLAYREADY_OBJECT_MAX_BYTES) {
    throw new RangeError(`a PlayReady Object must not exceed ${PLAYREADY_OBJECT_MAX_BYTES} bytes, got ${length}`);
  }
  const out = new Uint8Array(length);
  const view = new DataView(out.buffer);
  view.setUint32(0, length, true);
  view.setUint16(4, 1, true);
  view.setUint16(6, RECORD_TYPE_PLAYREADY_HEADER, true);
  view.setUint16(8, header.length, true);
  out.set(header, PRO_HEADER_LENGTH + RECORD_HEADER_LENGTH);
  return out;
}

/** The PlayReady PSSH, data = PRO (`mpeg-dash-playready.md`): v0 as Shaka writes it, or v1 with KIDs as pycpix does. */
export function buildPlayReadyPsshBox(pro: Uint8Array, form: { version: 0 } | { version: 1; kids: readonly KeyId[] }): Uint8Array {
  return form.version === 0
    ? buildPsshBox({ version: 0, systemId: SYSTEM_IDS.playReady, data: pro })
    : buildPsshBox({ version: 1, systemId: SYSTEM_IDS.playReady, kids: form.kids, data: pro });
}
