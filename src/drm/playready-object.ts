import type { KeyId } from "../domain/key-id";
import { buildPsshBox } from "./pssh";
import { SYSTEM_IDS } from "./system-ids";

/**
 * The PlayReady Object (PRO) that carries a WRMHEADER, and the PlayReady PSSH box around it, from
 * MicrosoftDocs/PlayReady `playready-header-specification.md` §2 and `mpeg-dash-playready.md`.
 */

/** One PRO record (PRH spec §2.1): type 1 = PlayReady Header, 3 = Embedded License Store. */
export interface PlayReadyObjectRecord {
  readonly type: number;
  readonly value: Uint8Array;
}

/** A parsed PRO; `wrmHeader` is the decoded XML of the first type-1 record, when there is one. */
export interface PlayReadyObject {
  readonly records: readonly PlayReadyObjectRecord[];
  readonly wrmHeader?: string;
}

export interface PlayReadyObjectParseFailure {
  readonly reason: "malformed-playready-object";
  readonly detail: string;
}

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
  const view = new DataView(out.buffer);
  for (let i = 0; i < text.length; i++) view.setUint16(i * 2, text.charCodeAt(i), true);
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

/** Parses a PRO (PRH spec §2) into its records; returns a typed failure for malformed bytes, never throws. */
export function parsePlayReadyObject(bytes: Uint8Array): PlayReadyObject | PlayReadyObjectParseFailure {
  if (bytes.length < PRO_HEADER_LENGTH)
    return malformed(`a PlayReady Object needs at least ${PRO_HEADER_LENGTH} bytes, got ${bytes.length}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const length = view.getUint32(0, true);
  if (length !== bytes.length) return malformed(`Length ${length} does not match the ${bytes.length} bytes given`);
  const count = view.getUint16(4, true);
  const records: PlayReadyObjectRecord[] = [];
  let offset = PRO_HEADER_LENGTH;
  for (let i = 0; i < count; i++) {
    if (offset + RECORD_HEADER_LENGTH > length) return malformed(`record ${i + 1} of ${count} runs past the end`);
    const type = view.getUint16(offset, true);
    const recordLength = view.getUint16(offset + 2, true);
    offset += RECORD_HEADER_LENGTH;
    if (offset + recordLength > length) return malformed(`record ${i + 1} length ${recordLength} runs past the end`);
    records.push({ type, value: bytes.slice(offset, offset + recordLength) });
    offset += recordLength;
  }
  if (offset !== length) return malformed(`${length - offset} bytes follow the last record`);
  const headerRecord = records.find((record) => record.type === RECORD_TYPE_PLAYREADY_HEADER);
  if (!headerRecord) return { records };
  if (headerRecord.value.length % 2 !== 0) return malformed("the PlayReady Header record is not whole UTF-16 code units");
  return { records, wrmHeader: decodeUtf16le(headerRecord.value) };
}

/** The PlayReady PSSH, data = PRO (`mpeg-dash-playready.md`): v0 as Shaka writes it, or v1 with KIDs as pycpix does. */
export function buildPlayReadyPsshBox(pro: Uint8Array, form: { version: 0 } | { version: 1; kids: readonly KeyId[] }): Uint8Array {
  return form.version === 0
    ? buildPsshBox({ version: 0, systemId: SYSTEM_IDS.playReady, data: pro })
    : buildPsshBox({ version: 1, systemId: SYSTEM_IDS.playReady, kids: form.kids, data: pro });
}

function decodeUtf16le(bytes: Uint8Array): string {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let text = "";
  for (let i = 0; i < bytes.length; i += 2) text += String.fromCharCode(view.getUint16(i, true));
  return text;
}

function malformed(detail: string): PlayReadyObjectParseFailure {
  return { reason: "malformed-playready-object", detail };
}
