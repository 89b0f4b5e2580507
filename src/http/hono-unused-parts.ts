/**
 * What the Worker bundle holds instead of three Hono modules the service never calls, put there by wrangler.toml's
 * `[alias]` (wrangler's build resolves those exact import paths, which only Hono's own files use, to this file):
 * `utils/mount.js` (`app.mount()`, for apps of other frameworks), `utils/body.js` (`c.req.parseBody()`, form bodies:
 * our JSON bodies go through src/http/body.ts) and `utils/html.js` (`c.html()`). Class methods are not tree-shaken,
 * so without the alias they shipped whole (1,285 bytes gzip of the 100 KiB budget). test/interop/hono-unused-parts.test.ts
 * checks that src/ calls none of the three, that wrangler.toml aliases exactly LEFT_OUT_HONO_MODULES here, and that
 * this file exports every name Hono imports from them. The Workers pool tests run Hono whole; the interop tests run
 * the bundle.
 */

/** The import paths wrangler.toml's `[alias]` sends here, as Hono's files write them (relative to `hono/dist/`). */
export const LEFT_OUT_HONO_MODULES = ["./utils/mount.js", "./utils/body.js", "./utils/html.js"] as const;

/** Every replaced function: reaching one means src/ started calling a part of Hono the bundle does not hold. */
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
