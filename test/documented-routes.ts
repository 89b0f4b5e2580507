/**
 * Setup file of the workers and interop projects: the tests read the route and schema documentation
 * (`__OPENAPI__ && (() => ({…}))`, src/http/route-doc.ts; `openApiMetadata(__OPENAPI__ && {…})`,
 * src/http/schema-doc.ts, evaluated when a module loads). The Workers pool sets wrangler.toml's `[define]`
 * (`__OPENAPI__ = false`, for the Worker bundle) as a global when its runtime starts, which a runtime shared by several
 * files (`workers`, isolate: false) would otherwise keep; and the interop files, which share one Node process
 * (isolate: false), import src/ modules whose `__OPENAPI__` vite's `define` did not replace in every file. This runs
 * before each file imports anything from src/.
 */
(globalThis as { __OPENAPI__?: boolean }).__OPENAPI__ = true;
