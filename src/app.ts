import { Hono, type MiddlewareHandler } from "hono";
import { healthRoutes } from "./admin/health";
import { kekRotationRoutes } from "./admin/kek-rotation";
import { tenantAdminRoutes } from "./admin/tenants";
import type { AppEnv } from "./http/app-env";
import { adminAuth, tenantAuth } from "./http/auth";
import { operatorOriginGuard, tenantOriginGuard } from "./http/browser-guard";
import { requireConfiguration } from "./http/configuration";
import { corsPreflight } from "./http/cors";
import { requestFailureResponse } from "./http/request-errors";
import { ROUTE_PATH_WORDS, caseInsensitivePath } from "./http/paths";
import { requestLog } from "./http/request-log";
import { responseHeaders } from "./http/response-headers";
import { tenantOrSignedUrlAuth } from "./http/signed-url-auth";
import { storageFaultAnswer, type RouteAccess, type RouteGroup } from "./http/route-group";
import { contentKeyTransferRoutes } from "./management/content-key-transfer";
import { contentKeyRoutes } from "./management/content-keys";
import { credentialRoutes } from "./management/credentials";
import { signingKeyRoutes } from "./management/signing-keys";
import { harmonicConfigurationRoutes } from "./management/harmonic-configuration";
import { trustedRequesterRoutes } from "./management/trusted-requesters";
import { SealedValueError } from "./tenancy/envelope";
import { StorageUnavailable } from "./tenancy/storage-fault";
import { keySeedRoutes } from "./management/key-seeds";
import { logRoutes } from "./management/logs";
import { settingsRoutes } from "./management/settings";
import { widevineCredentialRoutes } from "./management/widevine-credentials";
import { cpixRoutes, cpixUrlRoutes } from "./protocols/cpix/routes";
import { cpixUrlManagementRoutes } from "./management/cpix-urls";
import { widevineCencRoutes } from "./protocols/widevine-cenc/routes";
import { openApiDocument } from "./openapi/route";

/** The routes that need no credentials at all: the service banner, the health check and the OpenAPI document. */
export const PUBLIC_PATHS: readonly string[] = ["/", "/healthz", "/api/openapi.json"];

/** The access each mounted route path requires, by app (tests read it to prove every route declares one). */
export const ROUTE_ACCESS = new WeakMap<Hono<AppEnv>, Map<string, RouteAccess>>();

/** The Hono app: auth per route group, the error shape, nothing else. */
export function createApp(): Hono<AppEnv> {
  const app = new Hono<AppEnv>({ getPath: (request) => caseInsensitivePath(request) });
  // Outermost: it sees every answer as sent, and times the whole request.
  app.use(requestLog());
  app.use(responseHeaders());

  app.get("/", (c) => c.json({ service: "edge-key-service", status: "ok" }));
  app.get("/healthz", (c) => c.text("ok"));
  // Before the /api/* middleware: public, and served even while the Worker lacks its secrets.
  app.get("/api/openapi.json", openApiDocument);

  // A Worker started without its secrets says which one is missing and how to set it (503), before any auth.
  app.use("/admin/*", requireConfiguration("operator"));
  for (const path of ["/api/*", "/cenc/*"]) app.use(path, requireConfiguration("tenant-data"));

  app.use("/api/*", corsPreflight());

  mountRouteGroup(app, "/admin", tenantAdminRoutes);
  mountRouteGroup(app, "/admin", kekRotationRoutes);
  mountRouteGroup(app, "/admin", healthRoutes);
  mountRouteGroup(app, "/api", cpixRoutes);
  mountRouteGroup(app, "/api", cpixUrlRoutes);
  mountRouteGroup(app, "/", cpixUrlManagementRoutes);
  mountRouteGroup(app, "/", keySeedRoutes);
  mountRouteGroup(app, "/", contentKeyRoutes);
  mountRouteGroup(app, "/", contentKeyTransferRoutes);
  mountRouteGroup(app, "/", settingsRoutes);
  mountRouteGroup(app, "/", logRoutes);
  mountRouteGroup(app, "/", widevineCredentialRoutes);
  mountRouteGroup(app, "/", credentialRoutes);
  mountRouteGroup(app, "/", signingKeyRoutes);
  mountRouteGroup(app, "/", trustedRequesterRoutes);
  mountRouteGroup(app, "/", harmonicConfigurationRoutes);
  mountRouteGroup(app, "/", widevineCencRoutes);
  // The path words are the router's own: a route declared once is matched in any casing (src/http/paths.ts).
  for (const route of app.routes) ROUTE_PATH_WORDS.learn(route.path);

  app.notFound((c) => requestFailureResponse({ reason: "no-route", method: c.req.method, path: new URL(c.req.url).pathname }));
  app.onError((error, c) => {
    // A storage fault outside any route group (a CORS preflight): the JSON shape. Groups answer in their own.
    if (error instanceof StorageUnavailable || error instanceof SealedValueError) {
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
function guardsFor({ access, suspended }: RouteGroup): MiddlewareHandler<AppEnv>[] {
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
 * Mounts a route group under `base`, guarding exactly the paths it defines with the access it declares (a
 * sub-app's own `use("*")` would reach every route mounted under the same base). Paths are lower-case here
 * (see caseInsensitivePath).
 */
function mountRouteGroup(app: Hono<AppEnv>, base: string, group: RouteGroup): void {
  let access = ROUTE_ACCESS.get(app);
  if (!access) ROUTE_ACCESS.set(app, (access = new Map()));
  const guards = [storageFaultAnswer(group), ...guardsFor(group)];
  for (const path of new Set(group.routes.routes.map((route) => joinPath(base, route.path)))) {
    app.use(path, ...guards);
    access.set(path, group.access);
  }
  app.route(base, group.routes);
}

function joinPath(base: string, path: string): string {
  return `${base.replace(/\/$/, "")}${path}`;
}
