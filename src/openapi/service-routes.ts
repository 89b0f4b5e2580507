import * as v from "valibot";
import type { Context } from "hono";
import type { AppEnv } from "../http/app-env";
import type { LazyRouteDoc } from "../http/route-doc";
import { json } from "../http/route-doc-parts";
import { routeGroup } from "../http/route-group";
import { responseShapes } from "../management/response-shapes";

/** Where Workers Static Assets serve the document scripts/openapi.mjs generates (public/api/openapi.json). */
const DOCUMENT_ASSET_PATH = "/api/openapi.json";

const TAG = "Service";

/**
 * The routes that need no credentials: the service banner, the health check and the OpenAPI document. app.ts mounts
 * them before the configuration checks, so they answer while the Worker lacks its secrets.
 */
export const serviceRoutes = routeGroup({ kind: "public" });

const bannerDoc: LazyRouteDoc | false =
  __OPENAPI__ &&
  (() => ({
    tag: TAG,
    summary: "Service banner",
    responses: { 200: json("The service name and status", responseShapes().banner) },
  }));

serviceRoutes.declare("get", "/", bannerDoc, (c) => c.json({ service: "edge-key-service", status: "ok" }));

const healthzDoc: LazyRouteDoc | false =
  __OPENAPI__ && (() => ({ tag: TAG, summary: "Health check", responses: { 200: { kind: "text", description: "ok" } } }));

serviceRoutes.declare("get", "/healthz", healthzDoc, (c) => c.text("ok"));

const documentDoc: LazyRouteDoc | false =
  __OPENAPI__ &&
  (() => ({
    tag: TAG,
    summary: "This document (OpenAPI 3.1)",
    responses: { 200: json("The OpenAPI document", v.object({ openapi: v.literal("3.1.0") })) },
  }));

serviceRoutes.declare("get", "/api/openapi.json", documentDoc, openApiDocument);

/**
 * `GET /api/openapi.json` in any other spelling (`/API/OpenAPI.json`): the exact path is a static asset, answered
 * before the Worker runs; paths match case-insensitively (src/http/paths.ts), so the Worker answers the others with
 * the same asset and the headers public/_headers gives it. The document is built at build time, not here: its
 * generator and the JSON Schema conversion stay out of the Worker bundle (issue 27).
 */
async function openApiDocument(c: Context<AppEnv>): Promise<Response> {
  const asset = await c.env.ASSETS.fetch(new URL(DOCUMENT_ASSET_PATH, c.req.url));
  // A fetched response's headers are immutable; the middleware after this one adds its own.
  return new Response(asset.body, asset);
}
