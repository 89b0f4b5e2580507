import type { Env, Hono } from "hono";
import { HonoBase, type HonoOptions } from "hono/hono-base";
import { caseInsensitivePath } from "./paths";
import { SegmentRouter } from "./segment-router";

/** The Hono modules the Worker bundle holds stand-ins for (wrangler.toml `[alias]`, src/http/hono-unused-parts.ts). */
export { REPLACED_HONO_MODULES } from "./hono-unused-parts";

/**
 * Every Hono app and route group of the Worker, on one router: SegmentRouter (src/http/segment-router.ts). `hono`'s
 * default is a SmartRouter that tries RegExpRouter first and keeps TrieRouter when RegExpRouter refuses a route; ours
 * refuses one (`/admin/tenants/restore` beside the guards of `/admin/tenants/:id`), so TrieRouter matched every request.
 * SegmentRouter matches as TrieRouter does for the paths we declare, and leaves SmartRouter, RegExpRouter (1,640 bytes
 * gzip of the 100 KiB budget) and TrieRouter with what only it used of Hono's path helpers out of it (977 bytes less, its own
 * bytes counted).
 * @example const routes = honoApp<AppEnv>();
 */
export function honoApp<E extends Env>(options: { getPath?: HonoOptions<E>["getPath"] } = {}): Hono<E> {
  // Every app reads its path our way, route groups included (they never answer a request themselves): Hono's own
  // reading is a stand-in in the bundle (src/http/hono-unused-parts.ts). HonoBase passes a second argument, `{ env }`.
  return new HonoBase<E>({ getPath: (request) => caseInsensitivePath(request), ...options, router: new SegmentRouter() }) as Hono<E>;
}
