/**
 * The body of `POST /api/Import/ContentKeys` (Axinom Key Service API help, POST api/Import/ContentKeys): a JSON
 * array `[{Id?, Name?, Data, Iv?}]`, or a CPIX document (`application/xml`) read by `readCpixContentKeys`. All or
 * nothing: the first bad entry refuses the whole import with a 400 naming its index (or ContentKey) and the rule,
 * never a value. Whether a KID is already stored (409) is the tenant object's check, not this one's.
 * @example
 * const read = await readContentKeyImport(c.req.raw, recipientsOf(signingKeys));
 * if (!read.ok) return read.response;
 * const result = await tenantObject(c.env, tenantId).contentKeys().import(read.keys, …);
 */
import * as v from "valibot";
import { fromBase64 } from "../domain/bytes";
import { CONTENT_KEY_LENGTH, contentKeyFromBytes, ivFromBytes, type ContentKey, type Iv } from "../domain/content-key";
import { KeyId } from "../domain/key-id";
import { MAX_CONTENT_KEY_TRANSFER } from "../domain/request-limits";
import { MAX_CONTENT_KEY_NAME_LENGTH } from "../tenancy/content-key-types";
import { readCpixContentKeys, type CpixImportRecipient } from "../cpix/content-key-import";
import { readBodyBytes, requestMediaType, MAX_BODY_BYTES } from "../http/body";
import { jsonBodyFailureResponse } from "../http/body-failure";
import { ITEM_INDEX, UUID_EXAMPLE, distinctItems, jsonObject, optional, parseJson, uuid } from "../http/json-fields";
import { managementRequestFailureResponse } from "./management-request-failure";
import { parseBody } from "./responses";
import { openApiDescription, openApiMetadata } from "../http/schema-doc";

/** The media types a CPIX import is sent with (Axinom's help lists application/xml and application/cpix+xml). */
const CPIX_MEDIA_TYPES = new Set(["application/xml", "text/xml", "application/cpix+xml"]);

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
  const mediaType = requestMediaType(request);
  if (mediaType === "application/json") {
    const keys = await parseBody(request, parseContentKeyImportJson);
    return keys instanceof Response ? { ok: false, response: keys } : { ok: true, format: "json", keys };
  }
  if (!CPIX_MEDIA_TYPES.has(mediaType)) {
    return { ok: false, response: managementRequestFailureResponse({ reason: "import-media-type" }) };
  }
  const body = await readBodyBytes(request);
  if (!body.ok) return { ok: false, response: jsonBodyFailureResponse({ reason: "too-large", limit: MAX_BODY_BYTES }) };
  const read = await readCpixContentKeys(body.bytes, recipients);
  if (!read.ok) return { ok: false, response: managementRequestFailureResponse({ reason: "cpix-import", failure: read.failure }) };
  return { ok: true, format: "cpix", keys: read.keys };
}

/** Base64 (RFC 4648 §4) of exactly 16 bytes, as bytes; `required` for an absent or null value, `invalid` otherwise. */
function sixteenBytes(field: string, required?: string) {
  const invalid = `[${ITEM_INDEX}].${field}: must be base64 of 16 bytes`;
  return v.pipe(
    v.string((issue) => (required !== undefined && (issue.input === undefined || issue.input === null) ? required : invalid)),
    v.rawTransform(({ dataset, addIssue, NEVER }) => {
      const bytes = fromBase64(dataset.value);
      if (bytes?.length !== 16) addIssue({ message: invalid });
      return bytes?.length === 16 ? bytes : NEVER;
    }),
    openApiMetadata(__OPENAPI__ && { contentEncoding: "base64", minLength: 24, maxLength: 24 }),
  );
}

const nameRule = `[${ITEM_INDEX}].Name: must be a string of 1 to ${MAX_CONTENT_KEY_NAME_LENGTH} characters`;

/**
 * `POST /api/Import/ContentKeys` as JSON: `[{Id?, Name?, Data, Iv?}]` (Axinom Key Service API help), Id a KID, Name
 * 1..256 characters, Data base64 of the 16-byte key, Iv base64 of a 16-byte IV. Messages like
 * `[3].Data: must be base64 of 16 bytes` name the entry and the rule, never a value.
 */
export const CONTENT_KEY_IMPORTS = v.pipe(
  v.array(
    jsonObject(
      {
        Id: optional(
          v.pipe(
            uuid("Id", `[${ITEM_INDEX}].Id: must be a UUID such as ${UUID_EXAMPLE}`),
            openApiDescription(__OPENAPI__ && "The KID; generated when left out"),
          ),
        ),
        Name: optional(
          v.pipe(
            v.string(nameRule),
            v.minLength(1, nameRule),
            v.maxLength(MAX_CONTENT_KEY_NAME_LENGTH, nameRule),
            v.check((name) => name.trim() !== "", nameRule),
          ),
        ),
        Data: v.pipe(
          sixteenBytes("Data", `[${ITEM_INDEX}].Data: is required, base64 of ${CONTENT_KEY_LENGTH} bytes`),
          openApiDescription(__OPENAPI__ && "The key"),
        ),
        Iv: optional(
          v.pipe(sixteenBytes("Iv"), openApiDescription(__OPENAPI__ && `The IV acquisitions answer with the key (CPIX @explicitIV)`)),
        ),
      },
      {
        notObject: `[${ITEM_INDEX}]: must be a JSON object {Id?, Name?, Data, Iv?}`,
        unknownField: (name) => `[${ITEM_INDEX}]: unknown field ${name.slice(0, 64)}; send Id, Name, Data and Iv`,
      },
    ),
    "Request body must be a JSON array of {Id?, Name?, Data, Iv?}, or a CPIX document sent as application/xml",
  ),
  v.minLength(1, "Request body must list at least one content key"),
  v.maxLength(MAX_CONTENT_KEY_TRANSFER, (issue) => `At most ${MAX_CONTENT_KEY_TRANSFER} content keys per import, got ${issue.received}`),
  distinctItems(
    (entry) => entry.Id,
    (_entry, index, first) => `[${index}].Id: the same KID as [${first}]; a KID may appear once per import`,
  ),
);

/** The typed JSON import; an entry without Id gets a fresh random (v4) KID. Throws an InputError naming the rule. */
export function parseContentKeyImportJson(value: unknown): ImportedContentKey[] {
  return parseJson(CONTENT_KEY_IMPORTS, value).map((entry) => ({
    kid: KeyId.require(entry.Id ?? crypto.randomUUID()),
    ...(entry.Name !== undefined && { name: entry.Name }),
    key: contentKeyFromBytes(entry.Data),
    ...(entry.Iv && { iv: ivFromBytes(entry.Iv) }),
  }));
}
