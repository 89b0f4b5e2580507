// The OpenAPI 3.1 document `GET /api/openapi.json` serves, generated from the route table (`buildOpenApiDocument()` in
// src/openapi/document.ts). Used by scripts/openapi.mjs (print, --write, --check) and by `npm run deploy`, which
// refuses to upload a document the route table no longer gives.
import { build } from "esbuild";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const SOURCE = join(ROOT, "src", "openapi", "document.ts");
/** Where the document is committed: the `[assets]` directory of wrangler.toml (`./public`), served at /api/openapi.json. */
export const DOCUMENT_PATH = join(ROOT, "public", "api", "openapi.json");

/**
 * The route docs reach the route modules' valibot schemas, and through them the Durable Object classes, which
 * extend `DurableObject` from the Workers runtime. Defining a class is all the generator does with them: a bare
 * class stands in for the runtime's.
 */
const workersRuntimeStub = {
  name: "workers-runtime-stub",
  setup(build) {
    build.onResolve({ filter: /^cloudflare:workers$/ }, () => ({ path: "cloudflare:workers", namespace: "workers-runtime-stub" }));
    build.onLoad({ filter: /.*/, namespace: "workers-runtime-stub" }, () => ({
      contents: "export class DurableObject { constructor(ctx, env) { this.ctx = ctx; this.env = env; } }",
      loader: "js",
    }));
  },
};

/**
 * One build per process: src/ does not change while a script runs, and the deploy tests call `runDeploy` many times in
 * one process (an esbuild bundle of the route table each time would cost them seconds).
 */
let generated;

/** The document's text, as served: src/openapi/document.ts bundled by esbuild (Node runs no TypeScript) and run here. */
export function generateOpenApiText() {
  generated ??= bundleAndRun();
  return generated;
}

async function bundleAndRun() {
  const bundle = await build({
    entryPoints: [SOURCE],
    bundle: true,
    format: "esm",
    platform: "neutral",
    target: "node20",
    write: false,
    logLevel: "error",
    // The route declarations' documentation, dead code in the Worker (src/http/route-doc.ts).
    define: { __OPENAPI__: "true" },
    plugins: [workersRuntimeStub],
  });
  const module = await import(`data:text/javascript;base64,${Buffer.from(bundle.outputFiles[0].text).toString("base64")}`);
  return JSON.stringify(module.buildOpenApiDocument());
}

/** Whether the file at `path` holds exactly the document the route table gives (`node scripts/openapi.mjs --check`). */
export async function isCurrentOpenApiDocument(path = DOCUMENT_PATH) {
  return existsSync(path) && readFileSync(path, "utf8") === (await generateOpenApiText());
}
