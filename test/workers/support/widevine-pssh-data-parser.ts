/**
 * Reads WidevinePsshData back (Google's `license_protocol.proto`, mirrored in devine-dl/pywidevine; Shaka
 * `widevine_pssh_data.proto`), so tests can check what the service wrote. Only the fields the service writes.
 */
import { KeyId } from "../../../src/domain/key-id";
import { PROTECTION_SCHEME_FOURCC, type ProtectionScheme } from "../../../src/domain/protection-scheme";
import type { WidevinePsshData } from "../../../src/drm/widevine";

/** Why some bytes are not WidevinePsshData this reader understands. */
export interface WidevinePsshDataFailure {
  readonly reason: "malformed-widevine-pssh-data";
  readonly detail: string;
}

const FIELD_KEY_IDS = 2;
const FIELD_PROVIDER = 3;
const FIELD_CONTENT_ID = 4;
const FIELD_PROTECTION_SCHEME = 9;

/** Reads WidevinePsshData (e.g. a CENC API `pssh_data`), skipping unused fields; a typed failure, never a throw. */
export function parseWidevinePsshData(bytes: Uint8Array): WidevinePsshData | WidevinePsshDataFailure {
  const fields = decodeFields(bytes);
  if (!fields) return malformed("not a well-formed protobuf message");
  const keyIds: KeyId[] = [];
  let provider: string | undefined;
  let contentId: Uint8Array | undefined;
  let protectionScheme: ProtectionScheme | undefined;
  for (const field of fields) {
    if (field.field === FIELD_KEY_IDS && field.wire === "bytes") {
      if (field.value.length !== 16) return malformed(`key_ids entries must be 16 bytes, got ${field.value.length}`);
      keyIds.push(KeyId.fromBytes(field.value));
    } else if (field.field === FIELD_PROVIDER && field.wire === "bytes") {
      provider = decodeUtf8(field.value);
      if (provider === undefined) return malformed("provider is not UTF-8");
    } else if (field.field === FIELD_CONTENT_ID && field.wire === "bytes") {
      contentId = field.value;
    } else if (field.field === FIELD_PROTECTION_SCHEME && field.wire === "varint") {
      protectionScheme = schemeFromFourcc(field.value);
      if (!protectionScheme) return malformed(`protection_scheme must be the FourCC of cenc, cbc1, cens or cbcs, got ${field.value}`);
    } else if ([FIELD_KEY_IDS, FIELD_PROVIDER, FIELD_CONTENT_ID, FIELD_PROTECTION_SCHEME].includes(field.field)) {
      return malformed(`field ${field.field} has the wrong wire type`);
    }
  }
  return {
    keyIds,
    ...(provider !== undefined && { provider }),
    ...(contentId !== undefined && { contentId }),
    ...(protectionScheme !== undefined && { protectionScheme }),
  };
}

function schemeFromFourcc(value: number): ProtectionScheme | undefined {
  return (Object.keys(PROTECTION_SCHEME_FOURCC) as ProtectionScheme[]).find((scheme) => PROTECTION_SCHEME_FOURCC[scheme] === value);
}

function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

function malformed(detail: string): WidevinePsshDataFailure {
  return { reason: "malformed-widevine-pssh-data", detail };
}

/** Protobuf wire types (protobuf encoding guide, "Message Structure"). */
const WIRE_VARINT = 0;
const WIRE_I64 = 1;
const WIRE_LEN = 2;
const WIRE_I32 = 5;

/** A decoded field: varints as numbers (up to 2^53), length-delimited fields as bytes. */
type ProtobufField =
  | { readonly field: number; readonly wire: "varint"; readonly value: number }
  | { readonly field: number; readonly wire: "bytes"; readonly value: Uint8Array };

/** Splits a message into its fields (skipping 32/64-bit ones); undefined if truncated, grouped or otherwise malformed. */
function decodeFields(bytes: Uint8Array): ProtobufField[] | undefined {
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

/** Reads a varint of at most 10 bytes; values above 2^53 are refused (none of these fields are 64-bit). */
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
