import type { ContentKeyView, NewContentKey } from "../tenancy/content-key-types";
import { InputError, asObject, optionalString, optionalUuid, requiredString } from "./json-fields";

/** Axinom's Name bounds (Axinom Key Service API help, POST api/ContentKeys: Name 1..256). */
const MAX_NAME_LENGTH = 256;

/** `POST /api/ContentKeys` body `{Id?, Name, KeySeedId?}` (Axinom Key Service API help). */
export function parseNewContentKey(value: unknown): NewContentKey {
  const body = asObject(value);
  const id = optionalUuid(body, "Id");
  const keySeedId = optionalUuid(body, "KeySeedId");
  return { name: requiredString(body, "Name", MAX_NAME_LENGTH), ...(id && { id }), ...(keySeedId && { keySeedId }) };
}

/** `PUT /api/ContentKeys/{id}` body `{Name}`: "Updates the name of a content key" (Axinom Key Service docs). */
export function parseContentKeyRename(value: unknown): string {
  const body = asObject(value);
  const name = optionalString(body, "Name", MAX_NAME_LENGTH);
  if (name === undefined || name.trim() === "") throw new InputError(`Name is required (1 to ${MAX_NAME_LENGTH} characters)`);
  return name;
}

/** A ContentKey in Axinom's PascalCase JSON (Axinom Key Service API help); the key value and IV are never part of it. */
export function contentKeyJson(key: ContentKeyView) {
  return { Id: key.id, Name: key.name, Created: key.created, Updated: key.updated, CreationMethod: key.creationMethod };
}
