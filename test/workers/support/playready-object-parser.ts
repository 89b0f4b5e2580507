/**
 * Reads a PlayReady Object (PRO) back into its records, so tests can check what the service wrote
 * (MicrosoftDocs/PlayReady `playready-header-specification.md` §2).
 */
import { RECORD_TYPE_PLAYREADY_HEADER } from "../../../src/drm/playready-object";

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

/** Length DWORD + Record Count WORD (PRH spec §2). */
const PRO_HEADER_LENGTH = 6;
/** Record Type WORD + Record Length WORD (PRH spec §2.1). */
const RECORD_HEADER_LENGTH = 4;

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

function decodeUtf16le(bytes: Uint8Array): string {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let text = "";
  for (let i = 0; i < bytes.length; i += 2) text += String.fromCharCode(view.getUint16(i, true));
  return text;
}

function malformed(detail: string): PlayReadyObjectParseFailure {
  return { reason: "malformed-playready-object", detail };
}
