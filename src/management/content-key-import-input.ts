/**
 * The body of `POST /api/Import/ContentKeys` (Axinom Key Service API help, POST api/Import/ContentKeys): a JSON
 * array `[{Id?, Name?, Data, Iv?}]`, or a CPIX document (`application/xml`) read by `readCpixContentKeys`. All or
 * nothing: the first bad entry refuses the whole import with a 400 naming its index (or ContentKey) and the rule,
 * never a value. Whether a KID is already stored (409) is the tenant object's check, not this one's.
 * @example
 * const read = await readContentKeyImport(c.req.raw, recipientsOf(signingKeys));
 * if (!read.ok) return read.response;
 * const result = await tenantObject(c.env, tenantId).importContentKeys(read.keys, …);
 */
import { fromBase64 } from "../domain/bytes";
import { CONTENT_KEY_LENGTH, contentKeyFromBytes, ivFromBytes, type ContentKey, type Iv } from "../domain/content-key";
import { KeyId } from "../domain/key-id";
import { MAX_CONTENT_KEY_TRANSFER } from "../domain/request-limits";
import { describeCpixKeyImportFailure, readCpixContentKeys, type CpixImportRecipient } from "../cpix/content-key-import";
import { readBodyBytes, MAX_BODY_BYTES } from "../http/body";
import { jsonError } from "../http/errors";
import { InputError, optionalUuid } from "./json-fields";
import { parseBody } from "./responses";

/** Axinom's Name bounds for management resources (Axinom Key Service API help, POST api/ContentKeys: Name 1..256). */
export const MAX_CONTENT_KEY_NAME_LENGTH = 256;
/** The IV of a stored key: Axinom's `Iv` is byte[16], CPIX 2.3 §ContentKey Element's `@explicitIV` "128-bit value". */
const IMPORTED_IV_LENGTH = 16;
/** The media types a CPIX import is sent with (Axinom's help lists application/xml and application/cpix+xml). */
const CPIX_MEDIA_TYPES = new Set(["application/xml", "text/xml", "application/cpix+xml"]);
const FIELDS = new Set(["Id", "Name", "Data", "Iv"]);

/** One key to import, whichever form it came in; `name` only from the JSON form (CPIX has no key names). */
export interface ImportedContentKey {
  readonly kid: KeyId;
  readonly name?: string;
  readonly key: ContentKey;
  readonly iv?: Iv;
}

export type ContentKeyImportRead =
  | { readonly ok: true; readonly format: "json" | "cpix"; readonly keys: readonly ImportedContentKey[] }
  | { readonly ok: false; readonly response: Response };

/**
 * Reads the import from the request by its Content-Type: JSON, or CPIX whose encrypted keys are opened with the
 * tenant's `recipients` (its signing keys). 415 for any other type, 413 over MAX_BODY_BYTES, 400 naming the rule.
 */
export async function readContentKeyImport(request: Request, recipients: readonly CpixImportRecipient[]): Promise<ContentKeyImportRead> {
  const mediaType = request.headers.get("Content-Type")?.split(";")[0]!.trim().toLowerCase() ?? "";
  if (mediaType === "application/json") {
    const keys = await parseBody(request, parseContentKeyImportJson);
    return keys instanceof Response ? { ok: false, response: keys } : { ok: true, format: "json", keys };
  }
  if (!CPIX_MEDIA_TYPES.has(mediaType)) {
    return {
      ok: false,
      response: jsonError(415, "Content-Type must be application/json (a JSON array) or application/xml (a CPIX document)"),
    };
  }
  const body = await readBodyBytes(request);
  if (!body.ok) return { ok: false, response: jsonError(413, `Request body exceeds ${MAX_BODY_BYTES} bytes`) };
  const read = await readCpixContentKeys(body.bytes, recipients);
  if (!read.ok) return { ok: false, response: jsonError(400, describeCpixKeyImportFailure(read.failure)) };
  return { ok: true, format: "cpix", keys: read.keys };
}

/**
 * The JSON form `[{Id?, Name?, Data, Iv?}]`: Id a KID (a fresh random one when absent), Name 1..256 characters,
 * Data base64 of 16 bytes, Iv base64 of 16 bytes. Throws an InputError like `[3].Data: must be base64 of 16 bytes`.
 */
export function parseContentKeyImportJson(value: unknown): ImportedContentKey[] {
  if (!Array.isArray(value)) {
    throw new InputError("Request body must be a JSON array of {Id?, Name?, Data, Iv?}, or a CPIX document sent as application/xml");
  }
  if (value.length === 0) throw new InputError("Request body must list at least one content key");
  if (value.length > MAX_CONTENT_KEY_TRANSFER) {
    throw new InputError(`At most ${MAX_CONTENT_KEY_TRANSFER} content keys per import, got ${value.length}`);
  }
  const firstIndexOf = new Map<string, number>();
  return value.map((item, index) => {
    const entry = parseEntry(item, `[${index}]`);
    const kid = entry.kid.toString();
    const first = firstIndexOf.get(kid);
    if (first !== undefined) throw new InputError(`[${index}].Id: the same KID as [${first}]; a KID may appear once per import`);
    firstIndexOf.set(kid, index);
    return entry;
  });
}

function parseEntry(item: unknown, at: string): ImportedContentKey {
  if (typeof item !== "object" || item === null || Array.isArray(item)) {
    throw new InputError(`${at}: must be a JSON object {Id?, Name?, Data, Iv?}`);
  }
  const body = item as Record<string, unknown>;
  const unknown = Object.keys(body).find((field) => !FIELDS.has(field));
  if (unknown !== undefined) throw new InputError(`${at}: unknown field ${unknown.slice(0, 64)}; send Id, Name, Data and Iv`);
  const kid = parseKid(body, at);
  const name = parseName(body.Name, at);
  if (body.Data === undefined || body.Data === null) throw new InputError(`${at}.Data: is required, base64 of ${CONTENT_KEY_LENGTH} bytes`);
  const data = sixteenBytes(body.Data);
  if (!data) throw new InputError(`${at}.Data: must be base64 of ${CONTENT_KEY_LENGTH} bytes`);
  const iv = body.Iv === undefined || body.Iv === null ? undefined : sixteenBytes(body.Iv);
  if (iv === undefined && body.Iv !== undefined && body.Iv !== null) {
    throw new InputError(`${at}.Iv: must be base64 of ${IMPORTED_IV_LENGTH} bytes`);
  }
  return {
    kid,
    ...(name !== undefined && { name }),
    key: contentKeyFromBytes(data),
    ...(iv && { iv: ivFromBytes(iv) }),
  };
}

/** Name: optional; when sent, a string of 1 to 256 characters that is not only blanks (as every Management API name). */
function parseName(value: unknown, at: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string" || value.trim() === "" || value.length > MAX_CONTENT_KEY_NAME_LENGTH) {
    throw new InputError(`${at}.Name: must be a string of 1 to ${MAX_CONTENT_KEY_NAME_LENGTH} characters`);
  }
  return value;
}

/** Standard base64 (RFC 4648 §4) of exactly 16 bytes, else undefined. */
function sixteenBytes(value: unknown): Uint8Array | undefined {
  const bytes = typeof value === "string" ? fromBase64(value) : undefined;
  return bytes?.length === 16 ? bytes : undefined;
}

/** Id: a KID in the UUID forms every Management API Id takes (optionalUuid); absent, a fresh random (v4) one. */
function parseKid(body: Record<string, unknown>, at: string): KeyId {
  let id: string | undefined;
  try {
    id = optionalUuid(body, "Id");
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    throw new InputError(`${at}.Id: must be a UUID such as 40531d9f-806b-4bd6-bb2b-977ce3a78890`);
  }
  return KeyId.require(id ?? crypto.randomUUID());
}
