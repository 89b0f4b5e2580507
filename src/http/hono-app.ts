import type { Env, Hono } from "hono";
import { HonoBase, type HonoOptions } from "hono/hono-base";
import { TrieRouter } from "hono/router/trie-router";

/** The Hono modules the Worker bundle holds stand-ins for (wrangler.toml `[alias]`, src/http/hono-unused-parts.ts). */
export { LEFT_OUT_HONO_MODULES } from "./hono-unused-parts";

/**
 * Every Hono app and route group of the Worker, on one router: TrieRouter. `hono`'s default is a SmartRouter that tries
 * RegExpRouter first and keeps TrieRouter when RegExpRouter refuses a route; ours refuses one (`/admin/tenants/restore`
 * beside the guards of `/admin/tenants/:id`), so TrieRouter already matched every request. Naming it alone routes the
 * same way and leaves SmartRouter and RegExpRouter out of the bundle (1,640 bytes gzip of the 100 KiB budget).
 * @example const routes = honoApp<AppEnv>();
 */
export function honoApp<E extends Env>(options: { getPath?: HonoOptions<E>["getPath"] } = {}): Hono<E> {
  return new HonoBase<E>({ ...options, router: new TrieRouter() }) as Hono<E>;
}
