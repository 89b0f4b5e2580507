import type { Context } from "hono";
import type { AppEnv } from "../http/app-env";

/** Where Workers Static Assets serve the document scripts/openapi.mjs generates (public/api/openapi.json). */
const DOCUMENT_ASSET_PATH = "/api/openapi.json";

/**
 * `GET /api/openapi.json` in any other spelling (`/API/OpenAPI.json`): the exact path is a static asset, answered
 * before the Worker runs; paths match case-insensitively (src/http/paths.ts), so the Worker answers the others with
 * the same asset and the headers public/_headers gives it. The document is built at build time, not here: its
 * generator and the JSON Schema conversion stay out of the Worker bundle (issue 27).
 */
export async function openApiDocument(c: Context<AppEnv>): Promise<Response> {
  const asset = await c.env.ASSETS.fetch(new URL(DOCUMENT_ASSET_PATH, c.req.url));
  // A fetched response's headers are immutable; the middleware after this one adds its own.
  return new Response(asset.body, asset);
}
