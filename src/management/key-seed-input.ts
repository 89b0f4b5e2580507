import { fromBase64 } from "../domain/bytes";
import { KEY_SEED_LENGTH } from "../domain/content-key";
import type { KeySeedImport, NewKeySeed } from "../tenancy/tenant-types";
import { InputError, asObject, optionalBoolean, optionalString, optionalUuid, requiredString } from "./json-fields";

/** Axinom's Name bounds for management resources (Axinom Key Service API help, POST api/ContentKeys: Name 1..256). */
const MAX_NAME_LENGTH = 256;
/** At most this many seeds in one import, like the page size of every list. */
export const MAX_IMPORT_ITEMS = 100;

/** `POST /api/KeySeeds` body `{Id?, Name, IsDefault?}` (Axinom Key Service API help). */
export function parseNewKeySeed(value: unknown): NewKeySeed {
  const body = asObject(value);
  const id = optionalUuid(body, "Id");
  const isDefault = optionalBoolean(body, "IsDefault");
  return { name: requiredString(body, "Name", MAX_NAME_LENGTH), ...(id && { id }), ...(isDefault !== undefined && { isDefault }) };
}

/** `PUT /api/KeySeeds/{id}` body `{Name?, IsDefault?}`; at least one of them. */
export function parseKeySeedChange(value: unknown): { name?: string; isDefault?: boolean } {
  const body = asObject(value);
  const name = optionalString(body, "Name", MAX_NAME_LENGTH);
  const isDefault = optionalBoolean(body, "IsDefault");
  if (name === undefined && isDefault === undefined) throw new InputError("Send Name and/or IsDefault");
  if (name !== undefined && name.trim() === "") throw new InputError(`Name must be 1 to ${MAX_NAME_LENGTH} characters`);
  return { ...(name !== undefined && { name }), ...(isDefault !== undefined && { isDefault }) };
}

/** `POST /api/Import/KeySeeds` body `[{Id?, Data}]`, Data base64 of exactly 30 bytes (Axinom Key Service API help). */
export function parseKeySeedImports(value: unknown): KeySeedImport[] {
  if (!Array.isArray(value)) throw new InputError("Request body must be a JSON array of {Id?, Data}");
  if (value.length === 0) throw new InputError("Request body must list at least one key seed");
  if (value.length > MAX_IMPORT_ITEMS) throw new InputError(`At most ${MAX_IMPORT_ITEMS} key seeds per import, got ${value.length}`);
  const seen = new Set<string>();
  return value.map((item, index) => {
    const body = asObject(item, `Item ${index}`);
    const id = optionalUuid(body, "Id");
    if (id !== undefined) {
      if (seen.has(id)) throw new InputError(`Item ${index}: Id ${id} appears twice in the import`);
      seen.add(id);
    }
    const data = typeof body.Data === "string" ? fromBase64(body.Data) : undefined;
    if (!data) throw new InputError(`Item ${index}: Data is required, base64 of exactly ${KEY_SEED_LENGTH} bytes`);
    if (data.length !== KEY_SEED_LENGTH) {
      throw new InputError(`Item ${index}: Data must be exactly ${KEY_SEED_LENGTH} bytes, got ${data.length}`);
    }
    return { data, ...(id && { id }) };
  });
}
