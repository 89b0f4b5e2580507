import { Hono } from "hono";
import { tenantAdminRoutes } from "./admin/tenants";
import type { AppEnv } from "./http/app-env";
import { adminAuth, tenantAuth } from "./http/auth";
import { jsonError } from "./http/errors";
import { caseInsensitivePath } from "./http/paths";
import { keySeedRoutes } from "./management/key-seeds";
import { logRoutes } from "./management/logs";
import { settingsRoutes } from "./management/settings";

/** The Hono app: auth per route group, the error shape, nothing else (STYLE.md §1). */
export function createApp(): Hono<AppEnv> {
  const app = new Hono<AppEnv>({ getPath: caseInsensitivePath });

  app.get("/", (c) => c.json({ service: "edge-key-service", status: "ok" }));
  app.get("/healthz", (c) => c.text("ok"));

  app.use("/admin/*", adminAuth());
  app.route("/admin", tenantAdminRoutes);

  const management = new Hono<AppEnv>();
  management.use("*", tenantAuth("manage"));
  management.route("/", keySeedRoutes);
  management.route("/", settingsRoutes);
  management.route("/", logRoutes);
  app.route("/api", management);

  app.notFound((c) => jsonError(404, `No route for ${c.req.method} ${new URL(c.req.url).pathname}`));
  app.onError((error, c) => {
    // Unexpected faults only: logged without request bodies, answered without detail.
    console.error("unhandled error", { method: c.req.method, path: new URL(c.req.url).pathname, error: error.name, message: error.message });
    return jsonError(500, "Internal error");
  });
  return app;
}
