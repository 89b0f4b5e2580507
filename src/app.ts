import { Hono } from "hono";
import { kekRotationRoutes } from "./admin/kek-rotation";
import { tenantAdminRoutes } from "./admin/tenants";
import type { AppEnv } from "./http/app-env";
import { adminAuth, tenantAuth } from "./http/auth";
import { operatorOriginGuard, tenantOriginGuard } from "./http/browser-guard";
import { requireConfiguration } from "./http/configuration";
import { corsPreflight } from "./http/cors";
import { jsonError } from "./http/errors";
import { caseInsensitivePath } from "./http/paths";
import { responseHeaders } from "./http/response-headers";
import { keySeedRoutes } from "./management/key-seeds";
import { logRoutes } from "./management/logs";
import { settingsRoutes } from "./management/settings";
import { widevineCredentialRoutes } from "./management/widevine-credentials";
import { cpixRoutes } from "./protocols/cpix/routes";
import { widevineCencRoutes } from "./protocols/widevine-cenc/routes";

/** The Hono app: auth per route group, the error shape, nothing else (STYLE.md §1). */
export function createApp(): Hono<AppEnv> {
  const app = new Hono<AppEnv>({ getPath: caseInsensitivePath });
  app.use(responseHeaders());

  app.get("/", (c) => c.json({ service: "edge-key-service", status: "ok" }));
  app.get("/healthz", (c) => c.text("ok"));

  // A Worker started without its secrets says which one is missing and how to set it (503), before any auth.
  app.use("/admin/*", requireConfiguration("operator"));
  for (const path of ["/api/*", "/cenc/*"]) app.use(path, requireConfiguration("tenant-data"));

  app.use("/api/*", corsPreflight());

  app.use("/admin/*", operatorOriginGuard());
  app.use("/admin/*", adminAuth());
  app.route("/admin", tenantAdminRoutes);
  app.route("/admin", kekRotationRoutes);

  // Each route group states the scope it needs; paths are lower-case here (see caseInsensitivePath).
  for (const path of ["/api/spekev2", "/api/speke", "/api/cpix", "/api/cpix/*"]) app.use(path, tenantAuth("acquire"), tenantOriginGuard());
  for (const path of [
    "/api/keyseeds",
    "/api/keyseeds/*",
    "/api/import/*",
    "/api/settings",
    "/api/logs",
    "/api/widevineprotectioninfocredentials",
    "/api/widevineprotectioninfocredentials/*",
  ])
    app.use(path, tenantAuth("manage"), tenantOriginGuard());
  app.route("/api", cpixRoutes);
  app.route("/api", keySeedRoutes);
  app.route("/api", settingsRoutes);
  app.route("/api", logRoutes);
  app.route("/api", widevineCredentialRoutes);
  // Signed by the request itself, no Authorization header (Shaka Packager `packager/media/base/request_signer.cc`).
  app.route("/", widevineCencRoutes);

  app.notFound((c) => jsonError(404, `No route for ${c.req.method} ${new URL(c.req.url).pathname}`));
  app.onError((error, c) => {
    // Unexpected faults only: logged without request bodies, answered without detail.
    console.error("unhandled error", {
      method: c.req.method,
      path: new URL(c.req.url).pathname,
      error: error.name,
      // V8's SyntaxError quotes the text it failed on, which may be a request body: never log that one.
      ...(!(error instanceof SyntaxError) && { message: error.message }),
    });
    return jsonError(500, "Internal error");
  });
  return app;
}
