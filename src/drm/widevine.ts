import type { ProtectionScheme } from "../domain/content-key";
import { concatBytes, utf8 } from "../domain/bytes";
import { KeyId } from "../domain/key-id";
import { bytesField, decodeFields, varintField } from "./protobuf";
import { buildPsshBox } from "./pssh";
import { SYSTEM_IDS } from "./system-ids";

/**
 * The WidevinePsshData fields this service writes and reads (Google's `license_protocol.proto`, mirrored in
 * devine-dl/pywidevine; Shaka `widevine_pssh_data.proto`). Other fields are deprecated or unused here.
 */
export interface WidevinePsshData {
  /** `key_ids`, field 2, repeated bytes: 16-byte KIDs in RFC 4122 order. */
  readonly keyIds: readonly KeyId[];
  /** `provider`, field 3, string (deprecated, but Shaka warns content "may not play in some devices" without it). */
  readonly provider?: string;
  /** `content_id`, field 4, bytes. */
  readonly contentId?: Uint8Array;
  /** `protection_scheme`, field 9, uint32 FourCC; absent means "not bound to one scheme". */
  readonly protectionScheme?: ProtectionScheme;
}

/** Why some bytes are not WidevinePsshData this service understands. */
export interface WidevinePsshDataFailure {
  readonly reason: "malformed-widevine-pssh-data";
  readonly detail: string;
}

const FIELD_KEY_IDS = 2;
const FIELD_PROVIDER = 3;
const FIELD_CONTENT_ID = 4;
const FIELD_PROTECTION_SCHEME = 9;

/** ISO/IEC 23001-7 §4.2 scheme_type FourCCs as big-endian uint32 (WidevinePsshData field 9). */
export const PROTECTION_SCHEME_FOURCC: Readonly<Record<ProtectionScheme, number>> = {
  cenc: 0x63656e63,
  cbc1: 0x63626331,
  cens: 0x63656e73,
  cbcs: 0x63626373,
};

/** Encodes WidevinePsshData in field-number order, as Shaka's `widevine_pssh_generator.cc` and pycpix emit it. */
export function encodeWidevinePsshData(data: WidevinePsshData): Uint8Array {
  const parts = data.keyIds.map((kid) => bytesField(FIELD_KEY_IDS, kid.bytes));
  if (data.provider !== undefined) parts.push(bytesField(FIELD_PROVIDER, utf8(data.provider)));
  if (data.contentId !== undefined) parts.push(bytesField(FIELD_CONTENT_ID, data.contentId));
  if (data.protectionScheme !== undefined) {
    parts.push(varintField(FIELD_PROTECTION_SCHEME, PROTECTION_SCHEME_FOURCC[data.protectionScheme]));
  }
  return concatBytes(...parts);
}

/** Builds the Widevine PSSH box, version 0 ("Use version 0 for backward compatibility", Shaka `widevine_pssh_generator.cc`). */
export function buildWidevinePsshBox(data: WidevinePsshData): Uint8Array {
  return buildPsshBox({ version: 0, systemId: SYSTEM_IDS.widevine, data: encodeWidevinePsshData(data) });
}

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
