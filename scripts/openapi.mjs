#!/usr/bin/env node
/**
 * The OpenAPI 3.1 document `GET /api/openapi.json` serves, generated at build time from the route table
 * (`buildOpenApiDocument()` in src/openapi/document.ts) and served by Workers Static Assets from public/, so neither
 * the generator nor @valibot/to-json-schema is in the Worker bundle (issue 27: the bundle's 100 KiB gzip budget).
 *
 *   node scripts/openapi.mjs           prints the document
 *   node scripts/openapi.mjs --write   writes it to public/api/openapi.json (commit the file with the route change)
 *   node scripts/openapi.mjs --check   exits 1 when public/api/openapi.json is not the generated one (npm test runs
 *                                      this, and `npm run deploy` refuses such a document)
 *
 * The text is `JSON.stringify` of the document, the bytes the Worker sent when it built the document itself.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { DOCUMENT_PATH, generateOpenApiText, isCurrentOpenApiDocument } from "./openapi/generate.mjs";

const mode = process.argv[2];
if (mode === "--write") {
  mkdirSync(dirname(DOCUMENT_PATH), { recursive: true });
  writeFileSync(DOCUMENT_PATH, await generateOpenApiText());
} else if (mode === "--check") {
  if (!(await isCurrentOpenApiDocument())) {
    console.log("public/api/openapi.json is not the document the route table gives. Run: node scripts/openapi.mjs --write");
    process.exit(1);
  }
} else if (mode === undefined) {
  process.stdout.write(await generateOpenApiText());
} else {
  console.error(`unknown option ${mode} (--write, --check, or none to print)`);
  process.exit(2);
}
