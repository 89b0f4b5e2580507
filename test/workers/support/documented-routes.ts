/**
 * Setup file of the workers projects: the tests read the route declarations' documentation (`__OPENAPI__ &&
 * (() => ({…}))`, src/http/route-doc.ts). The Workers pool sets wrangler.toml's `[define]` (`__OPENAPI__ = false`, for
 * the Worker bundle) as a global when its runtime starts, which a runtime shared by several files (`workers`,
 * isolate: false) would otherwise keep; this runs before each file imports anything from src/.
 */
(globalThis as { __OPENAPI__?: boolean }).__OPENAPI__ = true;
