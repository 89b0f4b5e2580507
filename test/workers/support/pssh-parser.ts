/** Reads the PSSH boxes the service writes (ISO/IEC 23001-7 §8.1), so tests can check them field by field. */
import { KeyId } from "../../../src/domain/key-id";
import { SystemIds } from "../../../src/domain/system-id";
import { PSSH_TYPE, V0_HEADER_LENGTH, type PsshBox } from "../../../src/drm/pssh";

/** Why some bytes are not one well-formed PSSH box; `detail` names the broken rule, never the bytes. */
export interface PsshParseFailure {
  readonly reason: "malformed-pssh";
  readonly detail: string;
}

/** A KID in a v1 box is 16 bytes (ISO/IEC 23001-7 §8.1.2). */
const KID_LENGTH = 16;

/** Parses exactly one PSSH box (ISO/IEC 23001-7 §8.1); returns a typed failure for malformed bytes, never throws. */
export function parsePsshBox(bytes: Uint8Array): PsshBox | PsshParseFailure {
  const parsed = readPsshBox(bytes, 0);
  if ("reason" in parsed) return parsed;
  if (parsed.end !== bytes.length) return malformed(`box size ${parsed.end} does not match the ${bytes.length} bytes given`);
  return parsed.box;
}

/** Parses one or more concatenated PSSH boxes (the Widevine CENC API `boxes` field may hold several). */
export function parsePsshBoxes(bytes: Uint8Array): PsshBox[] | PsshParseFailure {
  const boxes: PsshBox[] = [];
  let offset = 0;
  do {
    const parsed = readPsshBox(bytes, offset);
    if ("reason" in parsed) return parsed;
    boxes.push(parsed.box);
    offset = parsed.end;
  } while (offset < bytes.length);
  return boxes;
}

function readPsshBox(bytes: Uint8Array, start: number): { box: PsshBox; end: number } | PsshParseFailure {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const available = bytes.length - start;
  if (available < V0_HEADER_LENGTH) return malformed(`a PSSH box needs at least ${V0_HEADER_LENGTH} bytes, got ${available}`);
  const size = view.getUint32(start);
  if (size === 0 || size === 1) return malformed(`box size ${size} (to-end or 64-bit largesize) is not supported for pssh`);
  if (size < V0_HEADER_LENGTH || size > available) return malformed(`box size ${size} is outside 32..${available}`);
  if (!PSSH_TYPE.every((byte, i) => bytes[start + 4 + i] === byte)) return malformed("box type is not 'pssh'");
  const version = bytes[start + 8]!;
  if (version !== 0 && version !== 1) return malformed(`pssh version must be 0 or 1, got ${version}`);
  const end = start + size;
  const systemId = SystemIds.fromBytes(bytes.subarray(start + 12, start + 28));
  let offset = start + 28;
  const kids: KeyId[] = [];
  if (version === 1) {
    if (offset + 4 > end) return malformed("KID_count runs past the end of the box");
    const count = view.getUint32(offset);
    offset += 4;
    if (count > (end - offset) / KID_LENGTH) return malformed(`KID_count ${count} runs past the end of the box`);
    for (let i = 0; i < count; i++, offset += KID_LENGTH) kids.push(KeyId.fromBytes(bytes.subarray(offset, offset + KID_LENGTH)));
  }
  if (offset + 4 > end) return malformed("DataSize runs past the end of the box");
  const dataSize = view.getUint32(offset);
  offset += 4;
  if (offset + dataSize !== end) return malformed(`DataSize ${dataSize} does not fill the box (${end - offset} bytes left)`);
  const data = Uint8Array.from(bytes.subarray(offset, end));
  return { box: version === 1 ? { version, systemId, kids, data } : { version, systemId, data }, end };
}

function malformed(detail: string): PsshParseFailure {
  return { reason: "malformed-pssh", detail };
}
