import { SELF } from "cloudflare:test";
import type { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { PUBLIC_PATHS, ROUTE_ACCESS, createApp } from "../../src/app";
import type { AppEnv } from "../../src/http/app-env";
import { routeDocs } from "../../src/openapi/document";
import { BASE } from "./support/api";

interface OpenApiDocument {
  readonly openapi: string;
  readonly paths: Record<string, Record<string, { security: Record<string, string[]>[]; responses: Record<string, unknown> }>>;
}

/** `METHOD path` as Hono routes it: literal segments lower-case (src/http/paths.ts), parameters as `:name`. */
function routerKey(method: string, path: string): string {
  const segments = path
    .split("/")
    .map((segment) => segment.replace(/^\{([^}]+)\}$/, ":$1").replace(/^[^:].*$/, (word) => word.toLowerCase()));
  return `${method.toUpperCase()} ${segments.join("/")}`;
}

/** Every handler route the app mounts (middleware is registered as ALL). */
function mountedRoutes(app: Hono<AppEnv>): string[] {
  return [...new Set(app.routes.filter((route) => route.method !== "ALL").map((route) => `${route.method} ${route.path}`))].sort();
}

async function servedDocument(): Promise<OpenApiDocument> {
  const response = await SELF.fetch(`${BASE}/api/openapi.json`);
  expect(response.status).toBe(200);
  return response.json<OpenApiDocument>();
}

function documentedRoutes(document: OpenApiDocument): string[] {
  return Object.entries(document.paths)
    .flatMap(([path, methods]) => Object.keys(methods).map((method) => routerKey(method, path)))
    .sort();
}

describe("GET /api/openapi.json names every route the app mounts", () => {
  it("documents exactly the routes the router holds, in both directions", async () => {
    const mounted = mountedRoutes(createApp());
    const documented = documentedRoutes(await servedDocument());
    expect(mounted.length).toBeGreaterThan(40);
    expect(documented.filter((route) => !mounted.includes(route))).toEqual([]);
    expect(mounted.filter((route) => !documented.includes(route))).toEqual([]);
  });

  it("catches a route mounted without a description", () => {
    const careless = createApp();
    careless.get("/api/undocumented", (c) => c.text("x"));
    const documented = routeDocs().map((route) => routerKey(route.method, route.path));
    expect(mountedRoutes(careless).filter((route) => !documented.includes(route))).toEqual(["GET /api/undocumented"]);
  });

  it("declares for each route the access its route group enforces", () => {
    const app = createApp();
    const enforced = ROUTE_ACCESS.get(app)!;
    for (const route of routeDocs()) {
      const path = routerKey(route.method, route.path).split(" ")[1]!;
      if (route.access.kind === "public") expect(PUBLIC_PATHS, path).toContain(path);
      else expect(enforced.get(path), `${route.method} ${route.path}`).toEqual(route.access);
    }
  });

  it("names the security scheme of each access kind", async () => {
    const document = await servedDocument();
    expect(document.paths["/api/KeySeeds"]!.get!.security).toEqual([{ tenantBasic: ["manage"] }]);
    expect(document.paths["/api/SpekeV2"]!.post!.security).toEqual([{ tenantBasic: ["acquire"] }]);
    expect(document.paths["/api/Cpix/{contentId}"]!.get!.security).toEqual([{ tenantBasic: ["acquire"] }, { signedUrl: [] }]);
    expect(document.paths["/admin/tenants"]!.post!.security).toEqual([{ operatorBearer: [] }]);
    expect(document.paths["/api/WidevineProtectionInfo"]!.post!.security).toEqual([]);
    expect(document.paths["/api/openapi.json"]!.get!.security).toEqual([]);
  });

  it("is served without credentials, readable from any origin, and the same text on every request of an isolate", async () => {
    const first = await SELF.fetch(`${BASE}/API/OpenAPI.json`);
    const second = await SELF.fetch(`${BASE}/api/openapi.json`);
    expect(first.status).toBe(200);
    expect(first.headers.get("Content-Type")).toMatch(/^application\/json/);
    expect(first.headers.get("Access-Control-Allow-Origin")).toBe("*");
    expect(first.headers.get("Cache-Control")).toBe("public, max-age=300");
    const text = await first.text();
    expect(await second.text()).toBe(text);
    expect(JSON.parse(text)).toMatchObject({ openapi: "3.1.0", info: { title: "Edge Key Service" } });
  });
});
