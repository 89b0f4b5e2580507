/**
 * Failures are data until they meet the wire (STYLE.md 4; issue 26): an HTTP error status (4xx, 5xx) is written only
 * in a wire module, a file named `*wire.ts`, `*failure.ts` or `*errors.ts`: as `status: …` or `status = …`, or as the
 * status argument of a call that answers (`jsonError(404, …)`, Hono's `c.json(body, 429)`, `c.text`, `c.body`,
 * `c.status`, `new HTTPException(401)`). Every other file of `src/` (operator routes included) returns a typed reason
 * instead. No exceptions.
 */
import { readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "..", "..");
const WIRE_MODULE = /(wire|failure|errors)\.ts$/;
/** `status: 403`, `status = 503`, `status: 409 | 503`, `status?: 422`: a field, variable or type holding an error status. */
const ERROR_STATUS = /\bstatus\b\??\s*[:=]\s*(?:\d{3}\s*\|\s*)*[45]\d\d\b/;
/** The opening of a call that answers HTTP with a status argument: ours, Hono's context methods, Hono's exception. */
const ANSWERING_CALL = /(?:\bjsonError|\.(?:json|text|body|html|newResponse|status)|\bHTTPException)\s*\(/g;
/** An argument that is an error status literal, once comments around it are dropped. */
const ERROR_STATUS_ARGUMENT = /^[45]\d\d$/;
const COMMENT = /\/\/[^\n]*|\/\*[\s\S]*?\*\//g;

/** `file:line: text` for every line of `text` that writes an error status. */
function statusLiterals(file: string, text: string): string[] {
  return text.split("\n").flatMap((line, i) => (ERROR_STATUS.test(line) ? [`${file}:${i + 1}: ${line.trim()}`] : []));
}

/** `file:line: text` (the line the call opens on) for every answering call given an error status literal as an argument. */
function answeringCallsWithErrorStatus(file: string, text: string): string[] {
  const found: string[] = [];
  for (const call of text.matchAll(ANSWERING_CALL)) {
    const open = call.index + call[0].length - 1;
    const statusArgument = callArguments(text, open).some((argument) => ERROR_STATUS_ARGUMENT.test(argument.replace(COMMENT, "").trim()));
    if (!statusArgument) continue;
    const lineStart = text.lastIndexOf("\n", call.index) + 1;
    const lineEnd = text.indexOf("\n", call.index);
    const line = text.slice(lineStart, lineEnd === -1 ? undefined : lineEnd).trim();
    found.push(`${file}:${text.slice(0, call.index).split("\n").length}: ${line}`);
  }
  return found;
}

/**
 * The top-level arguments, as source text, of the call whose `(` is at `open`: commas inside brackets, string and
 * template literals and comments do not split, and their parentheses do not count.
 */
function callArguments(text: string, open: number): string[] {
  const argumentsFound: string[] = [];
  let depth = 0;
  let start = open + 1;
  for (let i = open; i < text.length; i++) {
    const char = text[i]!;
    if (char === '"' || char === "'" || char === "`") {
      i = closingQuote(text, i);
    } else if (text.startsWith("//", i)) {
      i = text.indexOf("\n", i) === -1 ? text.length : text.indexOf("\n", i);
    } else if (text.startsWith("/*", i)) {
      i = text.indexOf("*/", i + 2) + 1;
    } else if ("([{".includes(char)) {
      depth++;
    } else if (")]}".includes(char)) {
      depth--;
      if (depth === 0) return [...argumentsFound, text.slice(start, i)];
    } else if (char === "," && depth === 1) {
      argumentsFound.push(text.slice(start, i));
      start = i + 1;
    }
  }
  return argumentsFound;
}

/** The index of the quote that closes the literal opened at `open`, backslash escapes skipped. */
function closingQuote(text: string, open: number): number {
  for (let i = open + 1; i < text.length; i++) {
    if (text[i] === "\\") i++;
    else if (text[i] === text[open]) return i;
  }
  return text.length;
}

describe("HTTP error statuses in src/", () => {
  it("are written only in wire modules (*wire.ts, *failure.ts, *errors.ts)", () => {
    const files = (readdirSync(join(ROOT, "src"), { recursive: true }) as string[]).filter((name) => name.endsWith(".ts"));
    expect(files.length).toBeGreaterThan(100);
    const outside = files
      .filter((name) => !WIRE_MODULE.test(basename(name)))
      .flatMap((name) => {
        const text = readFileSync(join(ROOT, "src", name), "utf8");
        return [...statusLiterals(`src/${name}`, text), ...answeringCallsWithErrorStatus(`src/${name}`, text)];
      });
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

  it("finds new Response(…, { status: 4xx }) and Response.json(…, { status: 5xx }) on one line or over several", () => {
    const seeded = [
      'return new Response(null, { status: 415, headers: { "Content-Type": "text/plain" } });',
      "return Response.json(body, {",
      "  status: 503,",
      "});",
      'return new Response(xml, { status: 200, headers: { "Content-Type": "application/xml" } });',
    ].join("\n");
    expect(statusLiterals("seeded.ts", seeded).map((line) => line.split(":")[1])).toEqual(["1", "3"]);
  });

  it("finds jsonError(4xx/5xx, …), c.json(…, 4xx), c.text, c.body, c.status and HTTPException with an error status", () => {
    const seeded = [
      'if (!id) return jsonError(400, "The key seed Id in the path must be a UUID");',
      "return jsonError(",
      "  503,",
      '  "Storage is temporarily unavailable; retry",',
      ");",
      'return c.json(body, 429, { "Retry-After": "60", ...errorHeaders(message) });',
      "return c.json(",
      '  encodeSignedResponse(failureResponse({ reason: "rate-limited", retryAfterSeconds: 60 })), // the tenant\'s budget (a, b)',
      "  429,",
      ");",
      'return c.text("Not found", 404);',
      "return c.body(null, 503);",
      "c.status(401);",
      'throw new HTTPException(401, { message: "Authentication failed" });',
      "return c.json(outcome.body);",
      "return c.json(issuedCredentialJson(result.value), 201);",
      "return c.body(null, 204);",
      "return jsonError(status, message, headers);",
      "return c.json({ limit: 413, path: `/api/${name}` });",
      'return c.json({ error: "answered with (a, 404) in the text" });',
      "return c.text(`retry in ${60 * 5} s`, 200);",
    ].join("\n");
    expect(answeringCallsWithErrorStatus("seeded.ts", seeded).map((line) => line.split(":")[1])).toEqual([
      "1",
      "2",
      "6",
      "7",
      "11",
      "12",
      "13",
      "14",
    ]);
  });
});
