/**
 * What the Worker bundle holds instead of Hono code the service never runs, put there by wrangler.toml's `[alias]`
 * (wrangler's build resolves those exact import paths, which only Hono's own files use, to this file). Whole modules:
 * `utils/mount.js` (`app.mount()`, for apps of other frameworks), `utils/body.js` (`c.req.parseBody()`, form bodies:
 * our JSON bodies go through src/http/body.ts) and `utils/html.js` (`c.html()`). Of `utils/url.js`, Hono's default
 * path readings: every app made by honoApp() reads its path with caseInsensitivePath (src/http/paths.ts). Class methods
 * are not tree-shaken, so without the alias all of it shipped (1,515 bytes gzip of the 100 KiB budget).
 * test/interop/hono-unused-parts.test.ts checks that src/ calls none of it, that wrangler.toml aliases exactly
 * REPLACED_HONO_MODULES here, and that this file exports every name Hono imports from them. The Workers pool tests run
 * Hono whole; the interop tests run the bundle.
 */

/** The import paths wrangler.toml's `[alias]` sends here, as Hono's files write them (relative to `hono/dist/`). */
export const REPLACED_HONO_MODULES = ["./utils/mount.js", "./utils/body.js", "./utils/html.js", "./utils/url.js"] as const;

/** Every replaced function: reaching one means src/ started using a part of Hono the bundle does not hold. */
function notInThisWorker(): never {
  throw new Error("this part of Hono is left out of the Worker bundle (wrangler.toml [alias])");
}

/** For `hono/dist/utils/mount.js`, imported by `hono-base.js` for `app.mount()`. */
export const createMountedRequest = notInThisWorker;
/** For `hono/dist/utils/body.js`, imported by `request.js` for `c.req.parseBody()`. */
export const parseBody = notInThisWorker;
/** For `hono/dist/utils/html.js`, imported by `context.js` for `c.html()` with a promised body. */
export const resolveCallback = notInThisWorker;
export const HtmlEscapedCallbackPhase = {};
/** For `hono/dist/utils/url.js`: Hono's own query, decoding and path-joining functions (`hono/utils/url` is not aliased)… */
export { getQueryParam, getQueryParams, mergePath, tryDecodeURIComponent } from "hono/utils/url";
/** …but not its default path readings, which `hono-base.js` keeps for an app given no `getPath` (honoApp() gives one). */
export const getPath = notInThisWorker;
export const getPathNoStrict = notInThisWorker;
