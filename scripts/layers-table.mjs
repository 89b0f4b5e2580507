#!/usr/bin/env node
/**
 * The layer table of docs/architecture.md, generated from the rules dependency-cruiser checks
 * (LAYERS in .dependency-cruiser.mjs), so the page says what the tool enforces.
 *
 *   node scripts/layers-table.mjs           prints the table
 *   node scripts/layers-table.mjs --write   writes it into docs/architecture.md between the markers
 *   node scripts/layers-table.mjs --check   exits 1 when the page's table is not the generated one (npm test runs this)
 *
 * A layer the rules already name but whose folder does not exist yet is left out, with the arrows to it, so the page
 * describes the code as it is; the table changes (and --check fails until --write) when the folder arrives.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { LAYERS } from "../.dependency-cruiser.mjs";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const DOC = join(ROOT, "docs", "architecture.md");
const START = "<!-- layers-table:start (generated: node scripts/layers-table.mjs --write, from .dependency-cruiser.mjs) -->";
const END = "<!-- layers-table:end -->";

const present = LAYERS.filter((layer) => existsSync(join(ROOT, layer.path)));
const presentNames = new Set(present.map((layer) => layer.name));

const code = (text) => `\`${text}\``;
const folder = (layer) => code(layer.path.endsWith(".ts") ? layer.path : `${layer.path}/`);

function imports(layer) {
  const names = layer.mayImport.filter((name) => presentNames.has(name));
  if (names.length === 0) return "nothing";
  return names.map((name) => (layer.why?.[name] ? `${code(name)} (${layer.why[name]})` : code(name))).join(", ");
}

const packages = (layer) => (layer.packages?.length ? layer.packages.map(code).join(", ") : "none");

/** The table, one row per layer in the order of LAYERS. */
function layerTable() {
  const rows = present.map((layer) => `| ${code(layer.name)} | ${folder(layer)} | ${layer.job} | ${imports(layer)} | ${packages(layer)} |`);
  return ["| layer | folder | job | may import (besides itself) | packages and platform modules |", "|---|---|---|---|---|", ...rows].join(
    "\n",
  );
}

function withTable(doc) {
  const start = doc.indexOf(START);
  const end = doc.indexOf(END);
  if (start < 0 || end < start) throw new Error(`docs/architecture.md needs the markers ${START} and ${END}`);
  return `${doc.slice(0, start + START.length)}\n${layerTable()}\n${doc.slice(end)}`;
}

const mode = process.argv[2];
if (mode === "--write") {
  writeFileSync(DOC, withTable(readFileSync(DOC, "utf8")));
} else if (mode === "--check") {
  const doc = readFileSync(DOC, "utf8");
  if (withTable(doc) !== doc) {
    console.log("The layer table in docs/architecture.md is not the one .dependency-cruiser.mjs gives.");
    console.log("Run: node scripts/layers-table.mjs --write\n\nThe generated table:\n");
    console.log(layerTable());
    process.exit(1);
  }
} else if (mode === undefined) {
  console.log(layerTable());
} else {
  console.error(`unknown option ${mode} (--write, --check, or none to print)`);
  process.exit(2);
}
