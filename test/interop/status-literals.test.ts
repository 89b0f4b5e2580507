/**
 * Failures are data until they meet the wire (STYLE.md 4; issue 26): an HTTP error status (4xx, 5xx) is written as
 * `status: …` or `status = …` only in a wire module, a file named `*wire.ts`, `*failure.ts` or `*errors.ts`.
 * Every other file of `src/` (operator routes included) returns a typed reason instead. No exceptions.
 */
import { readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "..", "..");
const WIRE_MODULE = /(wire|failure|errors)\.ts$/;
/** `status: 403`, `status = 503`, `status: 409 | 503`, `status?: 422`: a field, variable or type holding an error status. */
const ERROR_STATUS = /\bstatus\b\??\s*[:=]\s*(?:\d{3}\s*\|\s*)*[45]\d\d\b/;

/** `file:line: text` for every line of `text` that writes an error status. */
function statusLiterals(file: string, text: string): string[] {
  return text.split("\n").flatMap((line, i) => (ERROR_STATUS.test(line) ? [`${file}:${i + 1}: ${line.trim()}`] : []));
}

describe("HTTP error statuses in src/", () => {
  it("are written only in wire modules (*wire.ts, *failure.ts, *errors.ts)", () => {
    const files = (readdirSync(join(ROOT, "src"), { recursive: true }) as string[]).filter((name) => name.endsWith(".ts"));
    expect(files.length).toBeGreaterThan(100);
    const outside = files
      .filter((name) => !WIRE_MODULE.test(basename(name)))
      .flatMap((name) => statusLiterals(`src/${name}`, readFileSync(join(ROOT, "src", name), "utf8")));
    expect(outside).toEqual([]);
  });

  it("finds a status written as a field, a variable or a type, and not a 2xx or another number", () => {
    const seeded = [
      'return { ok: false, status: 415, message: "…" };',
      "let status: 409 | 503;",
      "status = 503;",
      "status: 500 as const,",
      "readonly status?: 422;",
      "return new Response(xml, { status: 200 });",
      "const limit = 413;",
    ].join("\n");
    expect(statusLiterals("seeded.ts", seeded).map((line) => line.split(":")[1])).toEqual(["1", "2", "3", "4", "5"]);
  });
});
