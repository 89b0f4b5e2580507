import * as v from "valibot";
import { DELETED, ID_PATH, error, json } from "../http/route-doc-parts";
import type { LazyRouteDoc, RouteDocParts } from "../http/route-doc";

/** What adding one object takes and answers. */
export interface CrudCreateDoc {
  readonly schema: v.GenericSchema;
  readonly created: v.GenericSchema;
  readonly description?: string;
}

/** The schemas a list, get-one, create and delete document: what is sent to create one, what is listed. */
export interface CrudSchemas {
  readonly create: CrudCreateDoc;
  readonly listed: v.GenericSchema;
}

/**
 * The documentation of a list, get-one, create and delete over one kind of object (credentials, signers,
 * certificates), for `GET /api/openapi.json` only: its callers write `__OPENAPI__ && crudRouteDocs(…)`. The schemas
 * are read when the document is built, after every module has defined its own.
 */
export function crudRouteDocs(tag: string, what: string, schemas: () => CrudSchemas): Record<CrudOperation, LazyRouteDoc> {
  return {
    add: () => addDoc(tag, what, schemas().create),
    list: () => ({ tag, summary: `List the ${what}s`, responses: { 200: json(`Every ${what}`, v.array(schemas().listed)) } }),
    read: () => ({
      tag,
      summary: `Read a ${what}`,
      pathParameters: ID_PATH,
      responses: { 200: json(`The ${what}`, schemas().listed), 404: error(`No ${what} with this Id`) },
    }),
    remove: () => ({
      tag,
      summary: `Delete a ${what}`,
      pathParameters: ID_PATH,
      responses: { 204: DELETED, 404: error(`No ${what} with this Id`), 409: error("The object is in use") },
    }),
  };
}

type CrudOperation = "add" | "list" | "read" | "remove";

function addDoc(tag: string, what: string, create: CrudCreateDoc): RouteDocParts {
  return {
    tag,
    summary: `Add a ${what}`,
    ...(create.description && { description: create.description }),
    body: { kind: "json", schema: create.schema },
    responses: {
      201: json(`The ${what}`, create.created),
      404: error("A named object does not exist"),
      409: error("The Id or name is taken, or a limit is reached"),
    },
  };
}
