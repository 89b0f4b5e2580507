import { toJsonSchema, type JsonSchema } from "@valibot/to-json-schema";
import type * as v from "valibot";
import { ERROR_MESSAGE_HEADER } from "../http/errors";
import { isListParameter, type QuerySchema } from "../http/query";
import { ROUTE_GROUPS } from "./route-groups";
import { responseShapes } from "../management/response-shapes";
import type { BodyDoc, ErrorShape, ResponseDoc, RouteDoc } from "../http/route-doc";
import type { RouteGroup } from "../http/route-group";

/** Every documented route, as its group declared it: what `GET /api/openapi.json` is built from, in the document's order. */
export function routeDocs(): RouteDoc[] {
  return ROUTE_GROUPS.flatMap(declaredRouteDocs);
}

/** The documentation of the routes a group declared, with the group's access. */
export function declaredRouteDocs(group: RouteGroup): RouteDoc[] {
  return group.declared.map(({ method, path, doc }) => {
    if (!doc) throw new Error(`${method} ${path} has no documentation: build the document with __OPENAPI__ true`);
    return { method, path, access: group.access, ...doc() };
  });
}

/**
 * JSON Schema 2020-12 (the dialect of OpenAPI 3.1, §4.8.24) of a valibot schema. The output side of each pipeline
 * is described: its last schema and the checks after it; checks the converter cannot express (cross-field rules,
 * transforms) are left to descriptions, and the request is still refused by them.
 */
function jsonSchemaOf(schema: v.GenericSchema): JsonSchema {
  const { $schema: _dialect, ...converted } = toJsonSchema(schema, { target: "draft-2020-12", typeMode: "output", errorMode: "ignore" });
  return converted;
}

const ERROR_HEADERS = {
  [ERROR_MESSAGE_HEADER]: { $ref: "#/components/headers/ErrorMessage" },
};

/** The content of an error answer in each protocol's shape. */
function errorContent(shape: ErrorShape): Record<string, unknown> {
  switch (shape) {
    case "json":
      return { "application/json": { schema: { $ref: "#/components/schemas/Error" } } };
    case "speke-text":
      return {
        "text/plain": {
          schema: { type: "string", description: "The SPEKE error text (AWS SPEKE v2 error table) or a message naming the rule" },
        },
      };
    case "widevine":
      return {
        "application/json": { schema: { type: "object", properties: { response: { type: "string", contentEncoding: "base64" } } } },
      };
  }
}

type ResponseObject = { description: string; headers?: Record<string, unknown>; content?: Record<string, unknown> };

/** Collects a route's responses by status; an error status in two shapes (auth JSON, protocol text) gets both media types. */
class Responses {
  readonly byStatus: Record<string, ResponseObject> = {};

  add(status: number, description: string, content?: Record<string, unknown>, isError = false): void {
    const entry = (this.byStatus[status] ??= { description });
    if (!entry.description.includes(description)) entry.description += `; ${description}`;
    if (content) entry.content = { ...content, ...entry.content };
    if (isError) entry.headers = ERROR_HEADERS;
  }
}

function routeResponse(responses: Responses, status: number, doc: ResponseDoc, shape: ErrorShape): void {
  switch (doc.kind) {
    case "json":
      return responses.add(status, doc.description, { "application/json": { schema: jsonSchemaOf(doc.schema) } }, status >= 400);
    case "xml":
      return responses.add(status, doc.description, { [doc.mediaType ?? "application/xml"]: { schema: { type: "string" } } });
    case "text":
      return responses.add(status, doc.description, { "text/plain": { schema: { type: "string" } } });
    case "empty":
      return responses.add(status, doc.description);
    case "error":
      return responses.add(status, doc.description, errorContent(shape), true);
  }
}

/** The errors every route of an access kind or body kind can answer (src/http/auth.ts, body.ts, configuration.ts). */
function commonErrors(route: RouteDoc, responses: Responses): void {
  const json = errorContent("json");
  const own = route.errors ?? "json";
  const credentials = route.access.kind === "tenant" || route.access.kind === "operator" || route.access.kind === "tenant-or-signed-url";
  if (credentials) {
    responses.add(401, "Missing or wrong credentials (no Basic challenge is sent)", json, true);
    // A credential limited by Protocols is refused by the acquisition route itself, in the protocol's error shape.
    const acquisition = route.access.kind !== "operator" && route.access.scope === "acquire";
    responses.add(
      403,
      route.access.kind === "operator"
        ? "A cross-origin request"
        : acquisition
          ? "The credential lacks the scope or its Protocols leave out this route, the tenant is suspended, or a cross-origin request from an origin not allowed"
          : "The credential lacks the scope, the tenant is suspended, or a cross-origin request from an origin not allowed",
      acquisition && own !== "json" ? { ...json, ...errorContent(own) } : json,
      true,
    );
    responses.add(429, "Rate limit reached (Retry-After)", json, true);
    responses.add(
      503,
      "Storage unavailable, or the service is not configured (Retry-After)",
      own === "json" ? json : { ...json, ...errorContent(own) },
      true,
    );
  }
  if (route.body?.kind === "json") {
    responses.add(400, "Malformed JSON, or a field breaks its rule (the message names it)", json, true);
    responses.add(413, "The request body exceeds 1 MiB", json, true);
    responses.add(415, "Content-Type is not application/json", json, true);
  }
  if (route.body?.kind === "json-or-xml") {
    responses.add(400, "Malformed JSON or XML, or an entry breaks its rule (the message names it)", json, true);
    responses.add(413, "The request body exceeds 1 MiB", json, true);
    responses.add(415, "Content-Type is neither application/json nor application/xml", json, true);
  }
  if (own === "json" && (route.query !== undefined || route.pathParameters !== undefined)) {
    responses.add(400, "A path or query parameter breaks its rule (the message names it)", json, true);
  }
}

function security(route: RouteDoc): Record<string, string[]>[] {
  switch (route.access.kind) {
    case "tenant":
      return [{ tenantBasic: [route.access.scope] }];
    case "tenant-or-signed-url":
      return [{ tenantBasic: [route.access.scope] }, { signedUrl: [] }];
    case "operator":
      return [{ operatorBearer: [] }];
    case "signed-request":
    case "public":
      return [];
  }
}

function queryParameters(schema: QuerySchema): unknown[] {
  return Object.entries(schema.entries).map(([name, entry]) => {
    const wrapped = (entry as { wrapped?: v.GenericSchema }).wrapped;
    return {
      name,
      in: "query",
      required: wrapped === undefined,
      schema: jsonSchemaOf(wrapped ?? entry),
      ...(isListParameter(entry) && { style: "form", explode: true }),
    };
  });
}

function requestBody(body: BodyDoc): unknown {
  switch (body.kind) {
    case "json":
      return { required: !body.optional, content: { "application/json": { schema: jsonSchemaOf(body.schema) } } };
    case "xml":
      return { required: true, description: body.description, content: { "application/xml": { schema: { type: "string" } } } };
    case "json-or-xml":
      return {
        required: true,
        description: body.description,
        content: { "application/json": { schema: jsonSchemaOf(body.schema) }, "application/xml": { schema: { type: "string" } } },
      };
    case "protocol-json": {
      const schema = jsonSchemaOf(body.schema) as { properties?: Record<string, Record<string, unknown>> };
      for (const [field, content] of Object.entries(body.encodedContent ?? {})) {
        schema.properties![field]!.contentSchema = jsonSchemaOf(content);
      }
      return { required: true, description: body.description, content: { "application/json": { schema } } };
    }
  }
}

function operation(route: RouteDoc): Record<string, unknown> {
  const responses = new Responses();
  for (const [status, doc] of Object.entries(route.responses)) routeResponse(responses, Number(status), doc, route.errors ?? "json");
  commonErrors(route, responses);
  const parameters = [
    ...Object.entries(route.pathParameters ?? {}).map(([name, description]) => ({
      name,
      in: "path",
      required: true,
      description,
      schema: { type: "string" },
    })),
    ...(route.query ?? []).flatMap(queryParameters),
  ];
  return {
    operationId: route.method + route.path.replace(/[^A-Za-z0-9]+(.)?/g, (_, next: string | undefined) => (next ?? "").toUpperCase()),
    summary: route.summary,
    ...(route.description && { description: route.description }),
    tags: [route.tag],
    security: security(route),
    ...(parameters.length > 0 && { parameters }),
    ...(route.body && { requestBody: requestBody(route.body) }),
    responses: responses.byStatus,
  };
}

/**
 * The OpenAPI 3.1 document of every route in `routes` (default: the app's). Run at build time by scripts/openapi.mjs,
 * which writes `JSON.stringify` of it to public/api/openapi.json; the Worker never imports this module (issue 27).
 */
export function buildOpenApiDocument(routes: readonly RouteDoc[] = routeDocs()): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) (paths[route.path] ??= {})[route.method] = operation(route);
  return {
    openapi: "3.1.0",
    info: {
      title: "Edge Key Service",
      version: "0.1.0",
      license: { name: "Apache-2.0", identifier: "Apache-2.0" },
      description:
        "A multi-tenant DRM key service: Key Acquisition (SPEKE v1/v2, CPIX 2.0-2.4, Widevine Common Encryption API, vendor profiles), the Management API (Axinom Key Service field names) and the Operator API. Paths match case-insensitively. Management and Operator errors are JSON {error} with the same text in X-AxDRM-ErrorMessage; CPIX acquisition errors are text/plain (SPEKE's error strings).",
    },
    tags: [...new Set(routes.map((route) => route.tag))].map((name) => ({ name })),
    paths,
    components: {
      schemas: { Error: jsonSchemaOf(responseShapes().error) },
      headers: {
        ErrorMessage: { description: "The error message (visible ASCII), exposed to browsers", schema: { type: "string" } },
      },
      securitySchemes: {
        tenantBasic: {
          type: "http",
          scheme: "basic",
          description:
            "Basic base64(tenantId:secret) with a tenant credential (POST /api/Credentials). Each operation names the scope it needs: acquire (Key Acquisition) or manage (Management API).",
        },
        operatorBearer: { type: "http", scheme: "bearer", description: "Bearer <ADMIN_TOKEN>: the platform operator" },
        signedUrl: {
          type: "apiKey",
          in: "query",
          name: "token",
          description: "A signed URL from POST /api/CpixUrls: its tenant, expires and token query parameters stand in for credentials",
        },
      },
    },
  };
}
