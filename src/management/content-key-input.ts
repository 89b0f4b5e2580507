import * as v from "valibot";
import type { ContentKeyQuery, ContentKeyView, NewContentKey } from "../tenancy/content-key-types";
import { parseFilter, parseOrderBy } from "./content-key-query";
import { jsonObject, optional, parseJson, requiredText, uuid } from "../http/json-fields";

import { MAX_CONTENT_KEY_NAME_LENGTH as MAX_NAME_LENGTH } from "../tenancy/content-key-types";
import { openApiDescription } from "../http/schema-doc";

/** `POST /api/ContentKeys` body `{Id?, Name, KeySeedId?}` (Axinom Key Service API help). */
export const NEW_CONTENT_KEY = jsonObject({
  Id: optional(v.pipe(uuid("Id"), openApiDescription(__OPENAPI__ && "The KID; generated when left out"))),
  Name: requiredText("Name", MAX_NAME_LENGTH),
  KeySeedId: optional(
    v.pipe(
      uuid("KeySeedId"),
      openApiDescription(__OPENAPI__ && "Derive the key from this key seed for the KID; left out, the key is 16 random bytes"),
    ),
  ),
});

/** `PUT /api/ContentKeys/{id}` body `{Name}`: "Updates the name of a content key" (Axinom Key Service docs). */
export const CONTENT_KEY_RENAME = jsonObject({ Name: requiredText("Name", MAX_NAME_LENGTH) });

/** An OData text option, read by `parse` into its typed form or refused with `option: problem`. */
function odataOption<Output>(option: string, parse: (text: string) => Output | string, description: string | false) {
  return optional(
    v.pipe(
      v.string(`${option} must be given once`),
      v.rawTransform(({ dataset, addIssue, NEVER }) => {
        const parsed = parse(dataset.value);
        if (typeof parsed === "string") addIssue({ message: `${option}: ${parsed}` });
        return typeof parsed === "string" ? NEVER : parsed;
      }),
      openApiDescription(description),
    ),
  );
}

/** `GET /api/ContentKeys` `$filter` and `$orderby` (the OData subset of content-key-query.ts). */
export const CONTENT_KEY_LIST_QUERY = v.object({
  $filter: odataOption(
    "$filter",
    parseFilter,
    __OPENAPI__ &&
      "Conditions on Name, Created and CreationMethod (eq, ne, gt, ge, lt, le; contains and startswith on Name), joined by and",
  ),
  $orderby: odataOption("$orderby", parseOrderBy, __OPENAPI__ && "Name, Created or CreationMethod, each asc or desc, comma-separated"),
});

/** The typed `POST /api/ContentKeys` request. */
export function parseNewContentKey(value: unknown): NewContentKey {
  const body = parseJson(NEW_CONTENT_KEY, value);
  return { name: body.Name, ...(body.Id && { id: body.Id }), ...(body.KeySeedId && { keySeedId: body.KeySeedId }) };
}

/** The new name of a `PUT /api/ContentKeys/{id}`. */
export function parseContentKeyRename(value: unknown): string {
  return parseJson(CONTENT_KEY_RENAME, value).Name;
}

/** The list query from the read `$filter` and `$orderby`. */
export function contentKeyQuery(read: v.InferOutput<typeof CONTENT_KEY_LIST_QUERY>): ContentKeyQuery {
  return { conditions: read.$filter ?? [], orderBy: read.$orderby ?? [] };
}

/** A ContentKey in Axinom's PascalCase JSON (Axinom Key Service API help); the key value and IV are never part of it. */
export function contentKeyJson(key: ContentKeyView) {
  return { Id: key.id, Name: key.name, Created: key.created, Updated: key.updated, CreationMethod: key.creationMethod };
}
