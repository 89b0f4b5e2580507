import type { Hono, MiddlewareHandler } from "hono";
import type { AppEnv } from "./http/app-env";
import { adminAuth, tenantAuth } from "./http/auth";
import { operatorOriginGuard, tenantOriginGuard } from "./http/browser-guard";
import { requireConfiguration } from "./http/configuration";
import { corsPreflight } from "./http/cors";
import { honoApp } from "./http/hono-app";
import { AccessWithdrawn } from "./http/access-recheck";
import { requestFailureResponse } from "./http/request-errors";
import { ROUTE_PATH_WORDS } from "./http/paths";
import { requestLog } from "./http/request-log";
import { responseHeaders } from "./http/response-headers";
import { tenantOrSignedUrlAuth } from "./http/signed-url-auth";
import { storageFaultAnswer, type RouteAccess, type RouteGroup } from "./http/route-group";
import { ROUTE_GROUPS } from "./openapi/route-groups";
import { SealedValueError } from "./tenancy/envelope";
import { StorageUnavailable } from "./tenancy/storage-fault";

/** The routes that need no credentials at all: the service banner, the health check and the OpenAPI document. */
export const PUBLIC_PATHS: readonly string[] = ["/", "/healthz", "/api/openapi.json"];

/** The access each mounted route path requires, by app (tests read it to prove every route declares one). */
export const ROUTE_ACCESS = new WeakMap<Hono<AppEnv>, Map<string, RouteAccess>>();

/** The Hono app: auth per route group, the error shape, nothing else. */
export function createApp(): Hono<AppEnv> {
  // Paths are read by caseInsensitivePath (src/http/paths.ts), as in every app honoApp() makes.
  const app = honoApp<AppEnv>();
  // Outermost: it sees every answer as sent, and times the whole request.
  app.use(requestLog());
  app.use(responseHeaders());

  // Before the middleware below: public, and served even while the Worker lacks its secrets.
  for (const group of ROUTE_GROUPS) if (group.access.kind === "public") mountRouteGroup(app, group);

  // A Worker started without its secrets says which one is missing and how to set it (503), before any auth.
  app.use("/admin/*", requireConfiguration("operator"));
  for (const path of ["/api/*", "/cenc/*"]) app.use(path, requireConfiguration("tenant-data"));

  app.use("/api/*", corsPreflight());

  for (const group of ROUTE_GROUPS) if (group.access.kind !== "public") mountRouteGroup(app, group);
  // The path words are the router's own: a route declared once is matched in any casing (src/http/paths.ts).
  for (const route of app.routes) ROUTE_PATH_WORDS.learn(route.path);

  app.notFound((c) => requestFailureResponse({ reason: "no-route", method: c.req.method, path: new URL(c.req.url).pathname }));
  app.onError((error, c) => {
    // A storage fault outside any route group (a CORS preflight): the JSON shape. Groups answer in their own.
    // AccessWithdrawn too: its route group answers it (route-group.ts), and it is no fault to log.
    if (error instanceof StorageUnavailable || error instanceof SealedValueError || error instanceof AccessWithdrawn) {
      return requestFailureResponse({ reason: "storage-unavailable" });
    }
    // Unexpected faults only: logged without request bodies, answered without detail.
    console.error("unhandled error", {
      method: c.req.method,
      path: new URL(c.req.url).pathname,
      error: error.name,
      // V8's SyntaxError quotes the text it failed on, which may be a request body: never log that one.
      ...(!(error instanceof SyntaxError) && { message: error.message }),
    });
    return requestFailureResponse({ reason: "internal-error" });
  });
  return app;
}

/** The middleware that enforces a group's access declaration, in order. */
function guardsFor(access: RouteAccess, suspended: RouteGroup["suspended"]): MiddlewareHandler<AppEnv>[] {
  switch (access.kind) {
    case "tenant":
      return [tenantAuth(access.scope, suspended), tenantOriginGuard()];
    case "operator":
      return [operatorOriginGuard(), adminAuth()];
    case "signed-request":
      return [];
    case "tenant-or-signed-url":
      return [tenantOrSignedUrlAuth(access.scope, suspended), tenantOriginGuard()];
  }
}

/**
 * Mounts a route group at `/` (its routes carry their full paths), guarding exactly the paths it defines with the
 * access it declares (a sub-app's own `use("*")` would reach every route mounted at the same base). Paths are
 * lower-case here (see caseInsensitivePath). A public group has no guard and no entry in ROUTE_ACCESS.
 */
function mountRouteGroup(app: Hono<AppEnv>, group: RouteGroup): void {
  const { access } = group;
  if (access.kind !== "public") {
    let accessByPath = ROUTE_ACCESS.get(app);
    if (!accessByPath) ROUTE_ACCESS.set(app, (accessByPath = new Map()));
    const guards = [storageFaultAnswer(group), ...guardsFor(access, group.suspended)];
    for (const path of new Set(group.routes.routes.map((route) => route.path))) {
      app.use(path, ...guards);
      accessByPath.set(path, access);
    }
  }
  app.route("/", group.routes);
}
