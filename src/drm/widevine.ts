import { concatBytes, utf8 } from "../domain/bytes";
import type { KeyId } from "../domain/key-id";
import { PROTECTION_SCHEME_FOURCC, type ProtectionScheme } from "../domain/protection-scheme";
import { bytesField, varintField } from "./protobuf";
import { buildPsshBox } from "./pssh";
import { SYSTEM_IDS } from "./system-ids";

/**
 * The WidevinePsshData fields this service writes (Google's `license_protocol.proto`, mirrored in
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

const FIELD_KEY_IDS = 2;
const FIELD_PROVIDER = 3;
const FIELD_CONTENT_ID = 4;
const FIELD_PROTECTION_SCHEME = 9;

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
