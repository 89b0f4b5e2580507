import * as v from "valibot";
import { PAGING_QUERY } from "../http/paging";
import { CONTENT_KEY_EXPORT } from "../management/content-key-export-input";
import { CONTENT_KEY_IMPORTS } from "../management/content-key-import-input";
import { CONTENT_KEY_LIST_QUERY, CONTENT_KEY_RENAME, NEW_CONTENT_KEY } from "../management/content-key-input";
import type { ResponseShapes } from "./response-shapes";
import type { RouteDoc } from "./route-doc";
import { DELETED, ID_PATH, MANAGE, error, json } from "./route-doc-parts";

/** Stored content keys (Axinom Key Service API help, api/ContentKeys, api/Import/ContentKeys, api/Export/ContentKeys). */
export function contentKeyRouteDocs(shapes: ResponseShapes): RouteDoc[] {
  const tag = "Content Keys";
  const key = shapes.contentKey;
  const notFound = error("No content key with this Id");
  return [
    {
      method: "get",
      path: "/api/ContentKeys",
      tag,
      access: MANAGE,
      summary: "List the stored content keys (never their values)",
      query: [PAGING_QUERY, CONTENT_KEY_LIST_QUERY],
      responses: { 200: json("A page of content keys", v.array(key)) },
    },
    {
      method: "post",
      path: "/api/ContentKeys",
      tag,
      access: MANAGE,
      summary: "Store a content key: 16 random bytes, or derived from a key seed for its KID",
      description: "Acquisitions answer a stored KID with the stored key (docs/storage.md, Stored content keys).",
      body: { kind: "json", schema: NEW_CONTENT_KEY },
      responses: {
        201: json("The stored key", key),
        400: error("KeySeedId names no key seed of this tenant"),
        409: error("A content key with this Id is stored, or was deleted less than 110 s ago"),
      },
    },
    {
      method: "get",
      path: "/api/ContentKeys/{id}",
      tag,
      access: MANAGE,
      summary: "Read a content key (never its value)",
      pathParameters: ID_PATH,
      responses: { 200: json("The key", key), 404: notFound },
    },
    {
      method: "put",
      path: "/api/ContentKeys/{id}",
      tag,
      access: MANAGE,
      summary: "Rename a content key",
      pathParameters: ID_PATH,
      body: { kind: "json", schema: CONTENT_KEY_RENAME },
      responses: { 200: json("The key", key), 404: notFound },
    },
    {
      method: "delete",
      path: "/api/ContentKeys/{id}",
      tag,
      access: MANAGE,
      summary: "Delete a content key: its KID is derived from the seed again",
      pathParameters: ID_PATH,
      responses: { 204: DELETED, 404: notFound },
    },
    {
      method: "post",
      path: "/api/Import/ContentKeys",
      tag,
      access: MANAGE,
      summary: "Import content keys (all or nothing)",
      body: {
        kind: "json-or-xml",
        schema: CONTENT_KEY_IMPORTS,
        description:
          "A JSON array, or a CPIX document (application/xml) whose keys are plain or encrypted for one of the tenant's signing-key certificates (CPIX 2.3 DeliveryData)",
      },
      responses: {
        200: json("The imported keys", v.array(key)),
        409: error("A KID is already stored, or was deleted less than 110 s ago"),
      },
    },
    {
      method: "post",
      path: "/api/Export/ContentKeys",
      tag,
      access: MANAGE,
      summary: "Export content keys as a CPIX 2.3 document",
      description:
        "Encrypted for Certificate (CPIX 2.3 DeliveryData); without one, plain only when AllowPlainContentKeyExport is set. Every export is recorded in the audit log (category 10).",
      body: { kind: "json", schema: CONTENT_KEY_EXPORT },
      responses: {
        200: { kind: "xml", description: "The CPIX document, as an attachment content-keys.cpix.xml" },
        403: error("Plain export is not allowed for this tenant"),
        404: error("No content key with one of the Ids, or none to export"),
      },
    },
  ];
}
