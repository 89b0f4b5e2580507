import * as v from "valibot";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app";
import type { AppEnv } from "../../src/http/app-env";
import { honoApp } from "../../src/http/hono-app";
import { jsonObject, requiredText } from "../../src/http/json-fields";
import { ROUTE_PATH_WORDS, RoutePathWords, caseInsensitivePath, routerPath } from "../../src/http/paths";
import { ID_PATH, error, json } from "../../src/http/route-doc-parts";
import { routeGroup } from "../../src/http/route-group";
import { buildOpenApiDocument, declaredRouteDocs, routeDocs } from "../../src/openapi/document";

/** The one declaration a new management route takes (docs/architecture.md, "Where new things go"). */
function widgetRoutes() {
  const group = routeGroup({ kind: "tenant", scope: "manage" });
  const RENAME_WIDGET = jsonObject({ Name: requiredText("Name", 64) });
  group.declare(
    "put",
    "/api/ExampleWidgets/{id}",
    __OPENAPI__ &&
      (() => ({
        tag: "Widgets",
        summary: "Rename a widget",
        pathParameters: ID_PATH,
        body: { kind: "json", schema: RENAME_WIDGET },
        responses: { 200: json("The widget", v.object({ Id: v.string() })), 404: error("No widget with this Id") },
      })),
    (c) => c.json({ Id: c.req.param("id") }),
  );
  return group;
}

describe("a route declared once is routed, documented and matched in any casing", () => {
  it("routes the declaration under its path's router form", () => {
    const group = widgetRoutes();
    expect(group.routes.routes.map((route) => `${route.method} ${route.path}`)).toEqual(["PUT /api/examplewidgets/:id"]);
  });

  it("documents the declaration with its group's access", () => {
    const document = buildOpenApiDocument(declaredRouteDocs(widgetRoutes())) as {
      paths: Record<string, Record<string, { summary: string; security: unknown; responses: Record<string, unknown> }>>;
    };
    const operation = document.paths["/api/ExampleWidgets/{id}"]!.put!;
    expect(operation.summary).toBe("Rename a widget");
    expect(operation.security).toEqual([{ tenantBasic: ["manage"] }]);
    // The statuses the declaration names, and those its access and JSON body add.
    expect(Object.keys(operation.responses).sort()).toEqual(["200", "400", "401", "403", "404", "413", "415", "429", "503"]);
  });

  it("learns the path words from the router, so any casing reaches the route and a parameter keeps its case", async () => {
    const words = new RoutePathWords();
    const app = honoApp<AppEnv>({ getPath: (request) => caseInsensitivePath(request, words) });
    app.route("/", widgetRoutes().routes);
    for (const route of app.routes) words.learn(route.path);
    expect([...words.words]).toEqual(["api", "examplewidgets"]);
    expect([...words.parameterParents]).toEqual(["examplewidgets"]);
    const response = await app.request("/API/exampleWIDGETS/AbC-1", { method: "PUT" });
    expect(await response.json()).toEqual({ Id: "AbC-1" });
  });
});

describe("the app's path words are its routes' own", () => {
  createApp();

  // Words up to the first parameter match in any casing; what follows a parameter is matched as sent (paths.ts).
  it.each(routeDocs().map((route) => [route.method, route.path] as const))(
    "%s %s with its leading words in upper case is read as the router's path, its parameters as sent",
    (_method, path) => {
      const parameter = path.indexOf("{");
      const leading = parameter === -1 ? path : path.slice(0, parameter);
      const sent = `${leading.toUpperCase()}${path.slice(leading.length)}`.replace(/\{[^}]+\}/g, "ParamValue");
      const routed = caseInsensitivePath(new Request(`https://keys.example${sent}`));
      expect(routed).toBe(routerPath(path).replace(/:[A-Za-z]+/g, "ParamValue"));
    },
  );

  it("has no word that no route holds", () => {
    const routed = new Set(routeDocs().flatMap((route) => routerPath(route.path).split("/")));
    expect([...ROUTE_PATH_WORDS.words].filter((word) => !routed.has(word))).toEqual([]);
  });
});
