import { utf8 } from "../domain/bytes";
import type { KeyId } from "../domain/key-id";
import { PROTECTION_SCHEME_FOURCC, type ProtectionScheme } from "../domain/protection-scheme";
import { bytesFieldLength, ProtobufWriter, varintFieldLength } from "./protobuf";
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
  const provider = data.provider === undefined ? undefined : providerBytes(data.provider);
  const fourCc = data.protectionScheme === undefined ? undefined : PROTECTION_SCHEME_FOURCC[data.protectionScheme];
  let length = 0;
  for (const kid of data.keyIds) length += bytesFieldLength(FIELD_KEY_IDS, kid.bytes.length);
  if (provider) length += bytesFieldLength(FIELD_PROVIDER, provider.length);
  if (data.contentId !== undefined) length += bytesFieldLength(FIELD_CONTENT_ID, data.contentId.length);
  if (fourCc !== undefined) length += varintFieldLength(FIELD_PROTECTION_SCHEME, fourCc);
  const message = new ProtobufWriter(length);
  for (const kid of data.keyIds) message.bytesField(FIELD_KEY_IDS, kid.bytes);
  if (provider) message.bytesField(FIELD_PROVIDER, provider);
  if (data.contentId !== undefined) message.bytesField(FIELD_CONTENT_ID, data.contentId);
  if (fourCc !== undefined) message.varintField(FIELD_PROTECTION_SCHEME, fourCc);
  return message.bytes;
}

/** Builds the Widevine PSSH box, version 0 ("Use version 0 for backward compatibility", Shaka `widevine_pssh_generator.cc`). */
export function buildWidevinePsshBox(data: WidevinePsshData): Uint8Array {
  return widevinePsshBoxOf(encodeWidevinePsshData(data));
}

/** The version 0 Widevine PSSH box around WidevinePsshData already encoded. */
export function widevinePsshBoxOf(psshData: Uint8Array): Uint8Array {
  return buildPsshBox({ version: 0, systemId: SYSTEM_IDS.widevine, data: psshData });
}

/** UTF-8 of provider names (a tenant setting or signer name: the same for every key), per isolate; starts over past 256. */
const PROVIDER_BYTES = new Map<string, Uint8Array>();

function providerBytes(provider: string): Uint8Array {
  let bytes = PROVIDER_BYTES.get(provider);
  if (!bytes) {
    bytes = utf8(provider);
    if (PROVIDER_BYTES.size >= 256) PROVIDER_BYTES.clear();
    PROVIDER_BYTES.set(provider, bytes);
  }
  return bytes;
}
