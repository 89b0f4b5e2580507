/**
 * The layers of docs/architecture.md, checked by dependency-cruiser against the rules in .dependency-cruiser.mjs
 * (the same run as `npm run lint:layers`): every import of `src/` and of the console, type-only ones included, and
 * no cycle. Then that the rules catch what they forbid (seeded violations in a copy of the tree), and that the
 * page's layer table is the one the rules give (scripts/layers-table.mjs).
 */
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ICruiseResult } from "dependency-cruiser";

const ROOT = join(import.meta.dirname, "..", "..");
const DEPCRUISE = join(ROOT, "node_modules", "dependency-cruiser", "bin", "dependency-cruise.mjs");
/** What the rules cover: the Worker's source and the console's modules (package.json `lint:layers` names the same). */
const CRUISED = ["src", "public/console"];

/** Runs dependency-cruiser in `cwd` with the rules file found there; its exit status is the count of errors. */
function cruise(cwd: string): ICruiseResult {
  const run = spawnSync(process.execPath, [DEPCRUISE, ...CRUISED, "--config", ".dependency-cruiser.mjs", "--output-type", "json"], {
    cwd,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  if (!run.stdout) throw new Error(`dependency-cruiser gave no result (status ${run.status}): ${run.stderr}`);
  return JSON.parse(run.stdout) as ICruiseResult;
}

/** One line per broken rule: its name, the import, and the cycle when there is one. */
function brokenRules(result: ICruiseResult): string[] {
  return result.summary.violations.map((violation) => {
    const cycle = violation.cycle ? ` (cycle: ${[violation.from, ...violation.cycle.map((step) => step.name)].join(" → ")})` : "";
    return `${violation.rule.name}: ${violation.from} → ${violation.to}${cycle}`;
  });
}

function filesUnder(folder: string, extension: string): string[] {
  return (readdirSync(join(ROOT, folder), { recursive: true }) as string[])
    .filter((name) => name.endsWith(extension))
    .map((name) => `${folder}/${name.split("\\").join("/")}`);
}

describe("the layers of docs/architecture.md", () => {
  let result: ICruiseResult;
  beforeAll(() => {
    result = cruise(ROOT);
  });

  it("hold for every import of src/ and the console, type-only ones included, with no cycle", () => {
    expect(brokenRules(result)).toEqual([]);
  });

  it("are checked on every source file (nothing excluded or left unread)", () => {
    const cruised = new Set(result.modules.map((module) => module.source));
    const sources = [...filesUnder("src", ".ts"), ...filesUnder("public/console/js", ".js")];
    expect(sources.length).toBeGreaterThan(200);
    expect(sources.filter((source) => !cruised.has(source))).toEqual([]);
  });

  it("are the table in docs/architecture.md (node scripts/layers-table.mjs --write regenerates it)", () => {
    const check = spawnSync(process.execPath, [join(ROOT, "scripts", "layers-table.mjs"), "--check"], { encoding: "utf8" });
    expect(check.stdout + check.stderr).toBe("");
    expect(check.status).toBe(0);
  });
});

describe("the layer rules catch what they forbid", () => {
  const copy = mkdtempSync(join(tmpdir(), "eks-layers-"));
  afterAll(() => rmSync(copy, { recursive: true, force: true }));

  /** Each seeded file, and the rules it breaks (none: an arrow the rules allow). */
  const SEEDED: Record<string, { text: string; breaks: string[] }> = {
    "src/domain/seeded-type-import.ts": {
      text: 'import type { TenantRecord } from "../tenancy/stores/tenant-record-store";\nexport type Seeded = TenantRecord;\n',
      breaks: ["layer-domain"],
    },
    "src/drm/seeded-package.ts": { text: 'import * as v from "valibot";\nexport const seeded = v.string();\n', breaks: ["packages-drm"] },
    "src/http/seeded-platform.ts": {
      text: 'import { readFileSync } from "node:fs";\nexport const seeded = readFileSync;\n',
      breaks: ["packages-http"],
    },
    "src/tenancy/seeded-upward.ts": {
      text: 'import { cpixRoutes } from "../protocols/cpix/routes";\nexport const seeded = cpixRoutes;\n',
      breaks: ["layer-tenancy"],
    },
    "src/x509/seeded-leaf.ts": { text: 'import { utf8 } from "../domain/bytes";\nexport const leaf = utf8("x");\n', breaks: [] },
    "src/x509/seeded-drm.ts": {
      text: 'import { SYSTEM_IDS } from "../drm/system-ids";\nexport const seeded = SYSTEM_IDS;\n',
      breaks: ["layer-x509"],
    },
    "src/pskc/seeded-x509.ts": { text: 'import { leaf } from "../x509/seeded-leaf";\nexport const seeded = leaf;\n', breaks: [] },
    "src/pskc/seeded-cpix.ts": {
      text: 'import { CPIX_NS } from "../cpix/namespaces";\nexport const seeded = CPIX_NS;\n',
      breaks: ["layer-pskc"],
    },
    "src/new-folder/seeded.ts": {
      text: 'import { leaf } from "../x509/seeded-leaf";\nexport const seeded = leaf;\n',
      breaks: ["in-a-layer"],
    },
    "src/management/seeded-outside.ts": {
      text: 'import { outside } from "../../tools/outside";\nexport const seeded = outside;\n',
      breaks: ["to-a-layer"],
    },
    "tools/outside.ts": { text: "export const outside = 1;\n", breaks: [] },
    "src/pskc/seeded-orphan.ts": { text: "export const orphan = 1;\n", breaks: ["no-orphans"] },
    "src/xml/seeded-cycle-a.ts": { text: 'import { b } from "./seeded-cycle-b";\nexport const a = b;\n', breaks: ["no-cycles"] },
    "src/xml/seeded-cycle-b.ts": {
      text: 'import type { a } from "./seeded-cycle-a";\nexport const b = 1;\nexport type A = typeof a;\n',
      breaks: [],
    },
    "src/runtime/seeded-unresolved.ts": {
      text: 'import { missing } from "./no-such-module";\nexport const seeded = missing;\n',
      breaks: ["packages-runtime", "resolved"],
    },
    "public/console/js/seeded.js": {
      text: 'import { utf8 } from "../../../src/domain/bytes.ts";\nutf8("x");\n',
      breaks: ["layer-console"],
    },
  };

  it("each seeded import breaks exactly the rules it should, and the allowed ones (pskc → x509) none", () => {
    for (const path of [...CRUISED, ".dependency-cruiser.mjs", "package.json"])
      cpSync(join(ROOT, path), join(copy, path), { recursive: true });
    symlinkSync(join(ROOT, "node_modules"), join(copy, "node_modules"), "dir");
    for (const [path, { text }] of Object.entries(SEEDED)) {
      mkdirSync(dirname(join(copy, path)), { recursive: true });
      writeFileSync(join(copy, path), text);
    }
    // Only what the seeded files break: the tree itself is the first describe's concern.
    const broken = cruise(copy)
      .summary.violations.filter((violation) => Object.hasOwn(SEEDED, violation.from))
      .map((violation) => `${violation.rule.name} ${violation.from}`);
    const expected = Object.entries(SEEDED).flatMap(([path, { breaks }]) => breaks.map((rule) => `${rule} ${path}`));
    expect(broken.sort()).toEqual(expected.sort());
  });
});
