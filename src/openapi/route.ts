import type { Context } from "hono";
import { buildOpenApiDocument } from "./document";

/** The document as sent, built on the first request to it in this isolate (never on an acquisition's cold start). */
let documentText: string | undefined;

/**
 * `GET /api/openapi.json`: the OpenAPI 3.1 document of every route, public like the banner. Any origin may read it
 * (a documentation viewer on another host), as it holds no tenant data.
 */
export function openApiDocument(c: Context): Response {
  documentText ??= JSON.stringify(buildOpenApiDocument());
  return c.body(documentText, 200, {
    "Content-Type": "application/json; charset=utf-8",
    "Access-Control-Allow-Origin": "*",
    "Cache-Control": "public, max-age=300",
  });
}
