#!/usr/bin/env node
/**
 * The OpenAPI 3.1 document `GET /api/openapi.json` serves, generated at build time from the route table
 * (`buildOpenApiDocument()` in src/openapi/document.ts) and served by Workers Static Assets from public/, so neither
 * the generator nor @valibot/to-json-schema is in the Worker bundle (issue 27: the bundle's 100 KiB gzip budget).
 *
 *   node scripts/openapi.mjs           prints the document
 *   node scripts/openapi.mjs --write   writes it to public/api/openapi.json (commit the file with the route change)
 *   node scripts/openapi.mjs --check   exits 1 when public/api/openapi.json is not the generated one (npm test runs this)
 *
 * The text is `JSON.stringify` of the document, the bytes the Worker sent when it built the document itself.
 */
import { build } from "esbuild";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const SOURCE = join(ROOT, "src", "openapi", "document.ts");
const DOCUMENT_PATH = join(ROOT, "public", "api", "openapi.json");

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

/** The document's text, as served: src/openapi/document.ts bundled by esbuild (Node runs no TypeScript) and run here. */
async function generateOpenApiText() {
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

const mode = process.argv[2];
const text = await generateOpenApiText();
if (mode === "--write") {
  mkdirSync(dirname(DOCUMENT_PATH), { recursive: true });
  writeFileSync(DOCUMENT_PATH, text);
} else if (mode === "--check") {
  if (!existsSync(DOCUMENT_PATH) || readFileSync(DOCUMENT_PATH, "utf8") !== text) {
    console.log("public/api/openapi.json is not the document the route table gives. Run: node scripts/openapi.mjs --write");
    process.exit(1);
  }
} else if (mode === undefined) {
  process.stdout.write(text);
} else {
  console.error(`unknown option ${mode} (--write, --check, or none to print)`);
  process.exit(2);
}
