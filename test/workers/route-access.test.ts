import { SELF } from "cloudflare:test";
import type { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { PUBLIC_PATHS, ROUTE_ACCESS, createApp } from "../../src/app";
import type { AppEnv } from "../../src/http/app-env";
import { BASE } from "./support/api";

/** Handler routes (not middleware) that neither are public nor were mounted with a declared access. */
function routesWithoutAccess(app: Hono<AppEnv>): string[] {
  const declared = ROUTE_ACCESS.get(app) ?? new Map();
  return app.routes
    .filter((route) => route.method !== "ALL")
    .map((route) => route.path)
    .filter((path) => !PUBLIC_PATHS.includes(path) && !declared.has(path));
}

const app = createApp();
const handlerRoutes = app.routes.filter((route) => route.method !== "ALL" && !PUBLIC_PATHS.includes(route.path));

describe("every route declares who may call it", () => {
  it("mounts no handler route without a declared access", () => {
    expect(handlerRoutes.length).toBeGreaterThan(10);
    expect(routesWithoutAccess(app)).toEqual([]);
  });

  it("catches a route added to the app without a route group", () => {
    const careless = createApp();
    careless.get("/api/unguarded", (c) => c.text("secret"));
    expect(routesWithoutAccess(careless)).toEqual(["/api/unguarded"]);
  });

  it.each(handlerRoutes.map((route) => [route.method, route.path] as const))(
    "%s %s refuses a request without credentials, or checks its own signature",
    async (method, path) => {
      const access = ROUTE_ACCESS.get(app)!.get(path)!;
      const url = `${BASE}${path.replace(/:[a-zA-Z]+/g, "x")}`;
      const response = await SELF.fetch(url, {
        method,
        ...(method !== "GET" && { headers: { "Content-Type": "application/json" }, body: "{}" }),
      });
      if (access.kind === "signed-request") {
        // The Widevine CENC API answers HTTP 200 with a non-OK status of its own for an unsigned request.
        expect(response.status).toBe(200);
        const inner = JSON.parse(atob((await response.json<{ response: string }>()).response));
        expect(inner.status).not.toBe("OK");
      } else {
        expect(response.status).toBe(401);
      }
    },
  );
});
