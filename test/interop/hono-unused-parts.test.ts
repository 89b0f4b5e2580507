/// <reference types="node" />
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import * as standIns from "../../src/http/hono-unused-parts";
import { REPLACED_HONO_MODULES } from "../../src/http/hono-unused-parts";
import { honoApp } from "../../src/http/hono-app";
import { getPath as honoDefaultGetPath } from "hono/utils/url";
import { PROJECT_ROOT } from "./worker-bundle";

/**
 * The Worker bundle holds stand-ins for Hono code the service never runs (wrangler.toml `[alias]`,
 * src/http/hono-unused-parts.ts):
 * this keeps the alias, the stand-ins and src/ in step, so a call that would reach a stand-in fails here rather than
 * as a 500 in the deployed Worker.
 */

const HONO_DIST = join(PROJECT_ROOT, "node_modules", "hono", "dist");
/** The Hono calls that would reach a stand-in: `app.mount(…)`, `c.req.parseBody(…)`, `c.html(…)`. */
const CALLS_OF_LEFT_OUT_PARTS = /\.(?:mount|parseBody|html)\s*\(/;
const COMMENT = /\/\/[^\n]*|\/\*[\s\S]*?\*\//g;

function sourceFiles(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(".ts"))
    .map((entry) => join(entry.parentPath, entry.name));
}

/** wrangler.toml's `[alias]` table: import path → replacement. */
function wranglerAliases(): Record<string, string> {
  const toml = readFileSync(join(PROJECT_ROOT, "wrangler.toml"), "utf8");
  const table = /^\[alias\]\n((?:(?!\[)[^\n]*\n)*)/m.exec(toml)?.[1] ?? "";
  return Object.fromEntries([...table.matchAll(/^"([^"]+)"\s*=\s*"([^"]+)"/gm)].map((entry) => [entry[1]!, entry[2]!]));
}

/** The names Hono's files under dist/ import through `path` (the alias matches that exact import path). */
function namesImportedThrough(path: string): string[] {
  const names = new Set<string>();
  for (const file of readdirSync(HONO_DIST).filter((name) => name.endsWith(".js"))) {
    const text = readFileSync(join(HONO_DIST, file), "utf8");
    for (const match of text.matchAll(/^import \{([^}]*)\} from "([^"]+)";$/gm)) {
      if (match[2] !== path) continue;
      for (const name of match[1]!.split(",")) names.add(name.trim().split(/\s+as\s+/)[0]!);
    }
  }
  return [...names].sort();
}

/** Where a Hono app is made other than by honoApp(), which would read paths with Hono's own (stand-in) getPath. */
const HONO_APP_MADE = /new\s+(?:Hono|HonoBase)\s*[<(]/;

describe("Hono parts left out of the Worker bundle", () => {
  it("aliases exactly REPLACED_HONO_MODULES to the stand-ins in wrangler.toml", () => {
    const expected = Object.fromEntries(REPLACED_HONO_MODULES.map((path) => [path, "./src/http/hono-unused-parts.ts"]));
    expect(wranglerAliases()).toEqual(expected);
  });

  it.each(REPLACED_HONO_MODULES)("stands in for every name Hono imports through %s", (path) => {
    const imported = namesImportedThrough(path);
    expect(imported.length).toBeGreaterThan(0);
    for (const name of imported) expect(Object.keys(standIns), `${path} exports ${name}`).toContain(name);
  });

  it("leaves no call in src/ that would reach a stand-in", () => {
    const calls = sourceFiles(join(PROJECT_ROOT, "src")).flatMap((file) =>
      readFileSync(file, "utf8")
        .replace(COMMENT, "")
        .split("\n")
        .filter((line) => CALLS_OF_LEFT_OUT_PARTS.test(line))
        .map((line) => `${file}: ${line.trim()}`),
    );
    expect(calls).toEqual([]);
  });

  it("makes every Hono app with honoApp(), which gives it our path reading rather than Hono's default", () => {
    const makers = sourceFiles(join(PROJECT_ROOT, "src"))
      .filter((file) => HONO_APP_MADE.test(readFileSync(file, "utf8").replace(COMMENT, "")))
      .map((file) => file.slice(PROJECT_ROOT.length));
    expect(makers).toEqual(["/src/http/hono-app.ts"]);
    const app = honoApp();
    expect(app.getPath).not.toBe(honoDefaultGetPath);
    expect(app.getPath(new Request("https://keys.example/API/KeySeeds%2F?x=1"), { env: {} })).toBe("/API/KeySeeds%2F");
  });

  it("finds such a call when one is written", () => {
    expect(CALLS_OF_LEFT_OUT_PARTS.test("const form = await c.req.parseBody();")).toBe(true);
    expect(CALLS_OF_LEFT_OUT_PARTS.test("app.mount('/legacy', other.fetch)")).toBe(true);
    expect(CALLS_OF_LEFT_OUT_PARTS.test("return c.html(page)")).toBe(true);
    expect(CALLS_OF_LEFT_OUT_PARTS.test("const body = await parseBody(c.req.raw, parse)")).toBe(false);
  });

  it("throws from each stand-in", () => {
    expect(() => standIns.parseBody()).toThrow("left out of the Worker bundle");
    expect(() => standIns.createMountedRequest()).toThrow("left out of the Worker bundle");
    expect(() => standIns.resolveCallback()).toThrow("left out of the Worker bundle");
    expect(() => standIns.getPath()).toThrow("left out of the Worker bundle");
    expect(() => standIns.getPathNoStrict()).toThrow("left out of the Worker bundle");
  });
});
