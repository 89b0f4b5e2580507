import * as v from "valibot";
import { fromBase64 } from "../domain/bytes";
import { KEY_SEED_LENGTH } from "../domain/content-key";
import type { KeySeedImport, NewKeySeed } from "../tenancy/tenant-types";
import { ITEM_INDEX, distinctItems, flag, jsonObject, optional, parseJson, requiredText, text, uuid } from "../http/json-fields";
import { openApiMetadata } from "../http/schema-doc";

/** Axinom's Name bounds for management resources (Axinom Key Service API help, POST api/ContentKeys: Name 1..256). */
const MAX_NAME_LENGTH = 256;
/** At most this many seeds in one import, like the page size of every list. */
export const MAX_IMPORT_ITEMS = 100;

/** `POST /api/KeySeeds` body `{Id?, Name, IsDefault?}` (Axinom Key Service API help). */
export const NEW_KEY_SEED = jsonObject({
  Id: optional(uuid("Id")),
  Name: requiredText("Name", MAX_NAME_LENGTH),
  IsDefault: optional(flag("IsDefault")),
});

/** `PUT /api/KeySeeds/{id}` body `{Name?, IsDefault?}`; at least one of them. */
export const KEY_SEED_CHANGE = v.pipe(
  jsonObject({ Name: optional(text("Name", MAX_NAME_LENGTH)), IsDefault: optional(flag("IsDefault")) }),
  v.check((body) => body.Name !== undefined || body.IsDefault !== undefined, "Send Name and/or IsDefault"),
  v.check((body) => body.Name === undefined || body.Name.trim() !== "", `Name must be 1 to ${MAX_NAME_LENGTH} characters`),
);

const seedData = v.pipe(
  v.string(`Item ${ITEM_INDEX}: Data is required, base64 of exactly ${KEY_SEED_LENGTH} bytes`),
  v.rawTransform(({ dataset, addIssue, NEVER }) => {
    const data = fromBase64(dataset.value);
    if (!data) addIssue({ message: `Item ${ITEM_INDEX}: Data is required, base64 of exactly ${KEY_SEED_LENGTH} bytes` });
    else if (data.length !== KEY_SEED_LENGTH) {
      addIssue({ message: `Item ${ITEM_INDEX}: Data must be exactly ${KEY_SEED_LENGTH} bytes, got ${data.length}` });
    }
    return data?.length === KEY_SEED_LENGTH ? data : NEVER;
  }),
  openApiMetadata(__OPENAPI__ && { contentEncoding: "base64", description: `The seed: base64 of exactly ${KEY_SEED_LENGTH} bytes` }),
);

/** `POST /api/Import/KeySeeds` body `[{Id?, Data}]`, Data base64 of exactly 30 bytes (Axinom Key Service API help). */
export const KEY_SEED_IMPORTS = v.pipe(
  v.array(
    jsonObject({ Id: optional(uuid("Id")), Data: seedData }, { what: `Item ${ITEM_INDEX}` }),
    "Request body must be a JSON array of {Id?, Data}",
  ),
  v.minLength(1, "Request body must list at least one key seed"),
  v.maxLength(MAX_IMPORT_ITEMS, (issue) => `At most ${MAX_IMPORT_ITEMS} key seeds per import, got ${issue.received}`),
  distinctItems(
    (item) => item.Id,
    (item, index) => `Item ${index}: Id ${item.Id} appears twice in the import`,
  ),
);

/** The typed `POST /api/KeySeeds` request. */
export function parseNewKeySeed(value: unknown): NewKeySeed {
  const body = parseJson(NEW_KEY_SEED, value);
  return { name: body.Name, ...(body.Id && { id: body.Id }), ...(body.IsDefault !== undefined && { isDefault: body.IsDefault }) };
}

/** The typed `PUT /api/KeySeeds/{id}` request. */
export function parseKeySeedChange(value: unknown): { name?: string; isDefault?: boolean } {
  const body = parseJson(KEY_SEED_CHANGE, value);
  return { ...(body.Name !== undefined && { name: body.Name }), ...(body.IsDefault !== undefined && { isDefault: body.IsDefault }) };
}

/** The typed `POST /api/Import/KeySeeds` request. */
export function parseKeySeedImports(value: unknown): KeySeedImport[] {
  return parseJson(KEY_SEED_IMPORTS, value).map((item) => ({ data: item.Data, ...(item.Id && { id: item.Id }) }));
}
