import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { buildOpenApiDocument } from "../../src/openapi/document";
import { BASE } from "./support/api";

/**
 * `GET /api/openapi.json` is a static asset written at build time by scripts/openapi.mjs (issue 27), no longer a
 * document the Worker builds. Before the move the route answered `JSON.stringify(buildOpenApiDocument())`, built in
 * workerd; the tests below build that same text here, in workerd, and compare the served bytes to it.
 *
 * In this pool `SELF.fetch` reaches the Worker itself, not the platform's asset routing in front of it (a request for
 * /console/ gets the Worker's 404 here), so every request below goes through the Worker's route, which answers with
 * the asset through the ASSETS binding and its public/_headers. test/interop/openapi-asset.test.ts checks the exact
 * path as a deployment routes it (the asset, before the Worker).
 */

/** The headers the Worker's own route gave the document (src/openapi/route.ts before issue 27, and responseHeaders). */
const DOCUMENT_HEADERS = {
  "content-type": "application/json; charset=utf-8",
  "access-control-allow-origin": "*",
  "cache-control": "public, max-age=300",
  "x-content-type-options": "nosniff",
};

/** The exact path, and spellings only the Worker answers (paths match case-insensitively, src/http/paths.ts). */
const SPELLINGS = ["/api/openapi.json", "/API/OpenAPI.json", "/Api/OPENAPI.JSON"];

function headersOf(response: Response): Record<string, string | null> {
  return Object.fromEntries(Object.keys(DOCUMENT_HEADERS).map((name) => [name, response.headers.get(name)]));
}

describe("GET /api/openapi.json, the document built at build time", () => {
  it("is byte for byte the text the Worker built before: JSON.stringify(buildOpenApiDocument()) in workerd", async () => {
    const response = await SELF.fetch(`${BASE}/api/openapi.json`);
    expect(response.status).toBe(200);
    const built = JSON.stringify(buildOpenApiDocument());
    expect(built.length).toBeGreaterThan(100_000);
    expect(await response.text()).toBe(built);
  });

  it.each(SPELLINGS)("answers %s with the document and the headers it had", async (path) => {
    const response = await SELF.fetch(`${BASE}${path}`);
    expect(response.status).toBe(200);
    expect(headersOf(response)).toEqual(DOCUMENT_HEADERS);
    expect(JSON.parse(await response.text())).toMatchObject({ openapi: "3.1.0", info: { title: "Edge Key Service" } });
  });

  it.each(SPELLINGS)("answers HEAD %s with the same status and headers and no body", async (path) => {
    const response = await SELF.fetch(`${BASE}${path}`, { method: "HEAD" });
    expect(response.status).toBe(200);
    expect(headersOf(response)).toEqual(DOCUMENT_HEADERS);
    expect(await response.text()).toBe("");
  });
});
