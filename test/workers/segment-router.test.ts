import { TrieRouter } from "hono/router/trie-router";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app";
import { SegmentRouter } from "../../src/http/segment-router";

/** Every route of the app as the router receives it (method, path), numbered in the order added. */
const ROUTES = createApp().routes.map((route) => [route.method, route.path] as const);
const METHODS = ["GET", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "HEAD"];

function routers(): { segment: SegmentRouter<number>; trie: TrieRouter<number> } {
  const segment = new SegmentRouter<number>();
  const trie = new TrieRouter<number>();
  ROUTES.forEach(([method, path], order) => {
    segment.add(method, path, order);
    trie.add(method, path, order);
  });
  return { segment, trie };
}

/** A match as comparable data: the routes' numbers with their parameters. */
function matched(router: SegmentRouter<number> | TrieRouter<number>, method: string, path: string) {
  return router.match(method, path)[0].map(([order, params]) => [order, { ...params }]);
}

/**
 * Request paths around every route path: filled in, one segment more or less, a trailing or doubled slash, an empty
 * or literal parameter, upper case, an encoded slash. Left out: a segment that is itself `:name` or `*`, which
 * TrieRouter matches against its parameter or wildcard node twice (its routes' middleware then runs twice);
 * SegmentRouter matches each route once (the last test).
 */
function requestPaths(): string[] {
  const paths = new Set(["/", "//", "/x", "/api", "/api/", "/admin", "/cenc", "/API/keyseeds"]);
  for (const [, path] of ROUTES) {
    const filled = path.replace(/:[^/]+/g, "v1").replace(/\/?\*$/, "");
    for (const variant of [
      filled,
      `${filled}/`,
      `${filled}/x`,
      `${filled}//`,
      `/${filled}`,
      filled.replace(/\/[^/]+$/, ""),
      filled.replace(/v1/g, ""),
      filled.replace(/v1/, "restore"),
      `${filled}/v2/v3`,
      filled.toUpperCase(),
      `${filled}%2F`,
    ]) {
      paths.add(variant === "" ? "/" : variant);
    }
  }
  return [...paths];
}

describe("SegmentRouter", () => {
  it("matches what TrieRouter matches, in its order, for every route of the app", () => {
    const { segment, trie } = routers();
    const paths = requestPaths();
    expect(ROUTES.length).toBeGreaterThan(100);
    expect(paths.length).toBeGreaterThan(300);
    const differences = paths.flatMap((path) =>
      METHODS.flatMap((method) => {
        const [ours, theirs] = [matched(segment, method, path), matched(trie, method, path)];
        return JSON.stringify(ours) === JSON.stringify(theirs) ? [] : [{ method, path, ours, theirs }];
      }),
    );
    expect(differences).toEqual([]);
  });

  it("matches a literal word and a parameter in the same place, in the order they were added", () => {
    const router = new SegmentRouter<string>();
    router.add("ALL", "/admin/*", "guard");
    router.add("POST", "/admin/tenants/restore", "restore");
    router.add("GET", "/admin/tenants/:id", "read");
    router.add("ALL", "/admin/tenants/:id/*", "tenant guard");
    expect(matched(router as unknown as SegmentRouter<number>, "POST", "/admin/tenants/restore")).toEqual([
      ["guard", {}],
      ["restore", {}],
      ["tenant guard", { id: "restore" }],
    ]);
    expect(matched(router as unknown as SegmentRouter<number>, "GET", "/admin/tenants/T1")).toEqual([
      ["guard", {}],
      ["read", { id: "T1" }],
      ["tenant guard", { id: "T1" }],
    ]);
  });

  it("gives a path with a trailing slash, or an empty parameter, to middleware only", () => {
    const router = new SegmentRouter<string>();
    router.add("ALL", "*", "log");
    router.add("ALL", "/api/*", "auth");
    router.add("GET", "/api/keyseeds", "list");
    router.add("GET", "/api/keyseeds/:id", "read");
    for (const path of ["/api/keyseeds/", "/api/keyseeds//", "/api//keyseeds"]) {
      expect(router.match("GET", path)[0].map(([handler]) => handler)).toEqual(["log", "auth"]);
    }
    expect(router.match("GET", "/api")[0].map(([handler]) => handler)).toEqual(["log", "auth"]);
    expect(router.match("GET", "/")[0].map(([handler]) => handler)).toEqual(["log"]);
  });

  it("refuses a path pattern it does not compare like TrieRouter: a regular expression, an optional parameter, an inner *", () => {
    const router = new SegmentRouter<number>();
    for (const path of ["/api/:id{[0-9]+}", "/api/:id?", "/api/*/keys", "/api/key*"]) {
      expect(() => router.add("GET", path, 0), path).toThrow();
    }
  });

  it("matches each route once for a path whose segment is itself :name or *", () => {
    const { segment, trie } = routers();
    const ours = matched(segment, "GET", "/admin/tenants/:id");
    expect(new Set(ours.map(([order]) => order)).size).toBe(ours.length);
    expect(matched(trie, "GET", "/admin/tenants/:id").length).toBeGreaterThan(ours.length);
  });
});
