/// <reference types="node" />
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startService, type RunningService } from "./service";
import { PROJECT_ROOT } from "./worker-bundle";

/**
 * Issue 27: the OpenAPI document is generated at build time (scripts/openapi.mjs) into public/api/openapi.json and
 * served by Workers Static Assets, as a deployment serves it (Miniflare with wrangler.toml's `[assets]`: the
 * platform's asset routing in front of the Worker). The committed file is the generator's output; what is served,
 * for every spelling of the path, is that file byte for byte with the headers the Worker gave it; and the Worker's
 * bundle holds neither the generator nor the JSON Schema conversion.
 */
const DOCUMENT_PATH = join(PROJECT_ROOT, "public", "api", "openapi.json");

/** The headers the Worker's own route gave the document before the move (src/openapi/route.ts, responseHeaders). */
const DOCUMENT_HEADERS = {
  "content-type": "application/json; charset=utf-8",
  "access-control-allow-origin": "*",
  "cache-control": "public, max-age=300",
  "x-content-type-options": "nosniff",
};

let service: RunningService;

beforeAll(async () => {
  service = await startService();
}, 120_000);

afterAll(async () => service?.stop());

function headersOf(response: Response): Record<string, string | null> {
  return Object.fromEntries(Object.keys(DOCUMENT_HEADERS).map((name) => [name, response.headers.get(name)]));
}

describe("the OpenAPI document, built at build time", () => {
  it("is committed as the generator writes it from the route table (node scripts/openapi.mjs --write regenerates it)", () => {
    const check = spawnSync(process.execPath, [join(PROJECT_ROOT, "scripts", "openapi.mjs"), "--check"], { encoding: "utf8" });
    expect(check.stdout + check.stderr).toBe("");
    expect(check.status).toBe(0);
  });

  it.each(["/api/openapi.json", "/API/OpenAPI.json"])("GET %s serves the committed file byte for byte with its headers", async (path) => {
    const response = await fetch(`${service.url}${path}`);
    expect(response.status).toBe(200);
    expect(headersOf(response)).toEqual(DOCUMENT_HEADERS);
    expect(Buffer.from(await response.arrayBuffer()).equals(readFileSync(DOCUMENT_PATH))).toBe(true);
  });

  it("HEAD /api/openapi.json answers the same status and headers with no body", async () => {
    const response = await fetch(`${service.url}/api/openapi.json`, { method: "HEAD" });
    expect(response.status).toBe(200);
    expect(headersOf(response)).toEqual(DOCUMENT_HEADERS);
    expect(await response.text()).toBe("");
  });

  it("is answered by the assets before the Worker: a POST to the exact path gets their 405, not the Worker's JSON 404", async () => {
    const response = await fetch(`${service.url}/api/openapi.json`, { method: "POST" });
    expect(response.status).toBe(405);
    expect(response.headers.get("X-AxDRM-ErrorMessage")).toBeNull();
  });

  it("is not built by the Worker: its bundle holds neither the generator nor @valibot/to-json-schema", () => {
    const bundle = readFileSync(join(inject("workerBundle").outdir, "index.js"), "utf8");
    expect(bundle).toContain("/api/openapi.json");
    // The document's security schemes (src/openapi/document.ts) and the converter's JSON Schema dialect.
    expect(bundle).not.toContain("securitySchemes");
    expect(bundle).not.toContain("draft-2020-12");
  });
});
