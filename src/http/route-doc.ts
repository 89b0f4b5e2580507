import type * as v from "valibot";
import type { QuerySchema } from "./query";
import type { RouteAccess } from "./route-access";

/** Who may call a documented route: a route group's access, or nobody needs credentials. */
export type DocumentedAccess = RouteAccess | { readonly kind: "public" };

/** What a request body is. JSON bodies name the schema that validates them; the others say what they carry. */
export type BodyDoc =
  /** `application/json` validated by `schema` (src/http/json-fields.ts `parseJson`); `optional`: an empty body is allowed. */
  | { readonly kind: "json"; readonly schema: v.GenericSchema; readonly optional?: boolean }
  /** A CPIX (or PSKC) XML document, described in words with the spec it follows. */
  | { readonly kind: "xml"; readonly description: string }
  /** Either a JSON body validated by `schema`, or a CPIX document (`application/xml`), chosen by Content-Type. */
  | { readonly kind: "json-or-xml"; readonly schema: v.GenericSchema; readonly description: string }
  /** A JSON body the protocol module reads itself (Widevine CENC API), described by a schema that does not validate. */
  | {
      readonly kind: "protocol-json";
      readonly schema: v.GenericSchema;
      readonly description: string;
      /** Fields that carry base64 of a JSON document, with that document's schema (JSON Schema `contentSchema`). */
      readonly encodedContent?: Readonly<Record<string, v.GenericSchema>>;
    };

/** How a route answers in one status. */
export type ResponseDoc =
  | { readonly kind: "json"; readonly description: string; readonly schema: v.GenericSchema }
  | { readonly kind: "xml"; readonly description: string; readonly mediaType?: string }
  | { readonly kind: "text"; readonly description: string }
  | { readonly kind: "empty"; readonly description: string }
  /** An error in the shape of the route's protocol (see `ErrorShape`), for this status. */
  | { readonly kind: "error"; readonly description: string };

/** The shape errors take on a route (src/http/errors.ts, src/protocols/cpix/wire.ts, Widevine CENC API). */
export type ErrorShape = "json" | "speke-text" | "widevine";

/**
 * One route the app mounts, as `GET /api/openapi.json` describes it. The test test/workers/openapi-routes.test.ts
 * compares these with the Hono router both ways, so a route mounted without an entry (or an entry without a route)
 * fails it.
 */
export interface RouteDoc {
  readonly method: "get" | "post" | "put" | "delete";
  /** The path in its documented casing, parameters in braces (`/api/KeySeeds/{id}`); routes match it case-insensitively. */
  readonly path: string;
  readonly summary: string;
  readonly description?: string;
  /** Groups routes in the document: "Key Seeds", "Key Acquisition", … */
  readonly tag: string;
  readonly access: DocumentedAccess;
  /** Path parameters by name, each described in words. */
  readonly pathParameters?: Readonly<Record<string, string>>;
  /** Query parameters: the schemas that read them (src/http/query.ts), or described ones the protocol reads itself. */
  readonly query?: readonly QuerySchema[];
  readonly body?: BodyDoc;
  /** The shape of its errors; `json` unless named. */
  readonly errors?: ErrorShape;
  /** Statuses the route itself answers (success and route-specific errors); auth, body and storage errors are added. */
  readonly responses: Readonly<Record<number, ResponseDoc>>;
}

/** What a route declares for the document besides its method, path and access (those come from the declaration). */
export type RouteDocParts = Omit<RouteDoc, "method" | "path" | "access">;

/** A route's documentation, built when the document is (its schemas may be defined further down their module). */
export type LazyRouteDoc = () => RouteDocParts;

declare global {
  /**
   * True where the OpenAPI document is built (scripts/openapi.mjs, the tests), false in the Worker (`[define]` in
   * wrangler.toml): a declaration's documentation is written `__OPENAPI__ && (() => ({…}))`, so esbuild drops it, and the
   * response shapes it names, from the Worker bundle as dead code (issue 27: the 100 KiB gzip budget).
   */
  const __OPENAPI__: boolean;
}
