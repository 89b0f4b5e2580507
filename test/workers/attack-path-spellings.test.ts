import { SELF } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { ROUTE_ACCESS, createApp } from "../../src/app";
import { BASE, createTenant, type TestTenant } from "./support/api";
import { createCredential } from "./support/credentials";

/**
 * Attack: reach a `manage` or operator handler with an `acquire` credential by spelling its path so that the router
 * matches the handler but not the guard mounted for it (mountRouteGroup guards each path as declared; paths are matched
 * case-insensitively, src/http/paths.ts). Every spelling must meet the guard (403, the scope named) or no route (404).
 */

const app = createApp();
const access = ROUTE_ACCESS.get(app)!;
const SOME_ID = "0b9c7a1e-5c1d-4e2f-9a3b-4c5d6e7f8091";

/**
 * Paths of `manage` and operator handlers, their parameters filled in, each once: a guard is mounted per path for
 * every method (mountRouteGroup), so one method per path meets it (GET where there is one, then also as HEAD).
 */
const guarded = [
  ...new Map(
    app.routes
      .filter((route) => route.method !== "ALL")
      .filter((route) => {
        const declared = access.get(route.path);
        return declared?.kind === "operator" || (declared?.kind === "tenant" && declared.scope === "manage");
      })
      // GET last: a Map keeps the last value given for a path.
      .sort((a, b) => Number(a.method === "GET") - Number(b.method === "GET"))
      .map((route) => [
        route.path,
        { method: route.method, path: route.path.replace(/:[a-zA-Z]+/g, SOME_ID), kind: access.get(route.path)!.kind },
      ]),
  ).values(),
];

/** Spellings a router or a proxy may take for the same path. */
function spellings(path: string): string[] {
  const literal = path.split("/").findLast((segment) => /^[a-z]/.test(segment) && segment !== SOME_ID) ?? "";
  return [
    path.replace(/[a-z]/g, (letter, index: number) => (index % 2 ? letter.toUpperCase() : letter)),
    `${path}/`,
    path.replace("/", "//"),
    path.replace(`/${literal}`, `/%${literal.charCodeAt(0).toString(16).toUpperCase()}${literal.slice(1)}`),
    `${path}%2F`,
  ];
}

let acquireOnly: TestTenant;

beforeAll(async () => {
  const tenant = await createTenant();
  acquireOnly = (await createCredential(tenant, { Name: "packager", Scopes: ["acquire"] })).as;
});

describe("an acquire credential against every spelling of a guarded path", () => {
  it.each(guarded.map((route) => [route.method, route.path, route.kind] as const))(
    "%s %s meets its guard or no route",
    async (method, path, kind) => {
      const methods = method === "GET" ? ["GET", "HEAD"] : [method];
      // The operator's guard answers a tenant credential 401; a manage route's answers an acquire one 403.
      const guard = kind === "operator" ? 401 : 403;
      const requests = [path, ...spellings(path)].flatMap((spelling) => methods.map((sent) => ({ sent, spelling })));
      const answers = await Promise.all(
        requests.map(async ({ sent, spelling }) => {
          const response = await SELF.fetch(`${BASE}${spelling}`, {
            method: sent,
            headers: { Authorization: acquireOnly.authorization, "Content-Type": "application/json" },
            ...(sent !== "GET" && sent !== "HEAD" && { body: "{}" }),
          });
          await response.body?.cancel();
          return `${sent} ${spelling} ${response.status}`;
        }),
      );
      for (const answer of answers) expect([guard, 404].map(String), answer).toContain(answer.split(" ")[2]);
    },
  );
});
