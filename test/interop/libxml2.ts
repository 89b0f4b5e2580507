/**
 * libxml2 as the reference XML parser: `xmllint --c14n` (Debian `libxml2-utils`) reads each document and prints
 * its Canonical XML 1.0 form, or refuses it. Many documents go through one spawn (a spawn costs ~9 ms): the
 * documents are written to a scratch folder and named on one command line, each followed by a separator document
 * whose canonical form (`<eks-separator-NONCE></eks-separator-NONCE>`) splits standard output exactly into one
 * chunk per document; standard error names the file of each parser or namespace error. A document whose outcome
 * the batch cannot attribute (no output and no error naming it) is run again alone.
 */
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { runTool, scratchFolder } from "./tools";

/** What libxml2 makes of one document. */
export type Libxml2Verdict =
  /** Well-formed and namespace-well-formed; `canonical` is C14N 1.0 without comments, `canonicalWithComments` what xmllint printed. */
  | { readonly kind: "accepted"; readonly canonical: string; readonly canonicalWithComments: string }
  /** A "parser error": not well-formed (XML 1.0), or an encoding libxml2 cannot read. */
  | { readonly kind: "not-well-formed"; readonly errors: readonly string[] }
  /** A "namespace error" (Namespaces 1.0): xmllint may still print a form, but the document is refused. */
  | { readonly kind: "namespace-error"; readonly errors: readonly string[] }
  /** Parsed, but C14N failed (relative namespace URIs, C14N 1.0 §2.1): there is no canonical form to compare with. */
  | { readonly kind: "c14n-failed"; readonly errors: readonly string[] }
  /**
   * Only "namespace error : xmlns…: '…' is not a valid URI" (a namespace name that is an IRI or junk, e.g. DASH-IF's
   * EvenMoreComplex.xml `xmlns="⚽"`): Namespaces 1.0 §2.2 wants a URI reference but lists no constraint for it, and
   * C14N fails on it, so there is neither a refusal to match nor a form to compare.
   */
  | { readonly kind: "non-uri-namespace"; readonly errors: readonly string[] };

/** Documents per xmllint spawn: large enough to amortise the spawn, small enough to keep the command line short. */
const BATCH_SIZE = 400;
const INSTALL = "apt-get install libxml2-utils";

/** Throws naming the install step unless xmllint runs. */
export async function requireXmllint(): Promise<void> {
  const result = await runTool("xmllint", ["--version"]).catch(() => undefined);
  if (result?.code !== 0 && !result?.stderr.includes("libxml")) throw new Error(`xmllint is not installed: ${INSTALL}`);
}

/** libxml2's verdict on each document, in order; batched, `batchSize` documents per spawn. */
export async function libxml2Verdicts(documents: readonly Uint8Array[], batchSize = BATCH_SIZE): Promise<Libxml2Verdict[]> {
  const verdicts: Libxml2Verdict[] = [];
  for (let start = 0; start < documents.length; start += batchSize) {
    verdicts.push(...(await runBatch(documents.slice(start, start + batchSize))));
  }
  return verdicts;
}

/** libxml2's verdict on one document, from a spawn of its own (the reference the batches are checked against). */
export async function libxml2Verdict(document: Uint8Array): Promise<Libxml2Verdict> {
  const scratch = scratchFolder();
  try {
    writeFileSync(join(scratch.dir, "doc.xml"), document);
    const result = await runTool("xmllint", ["--nonet", "--c14n", "doc.xml"], { cwd: scratch.dir });
    const errors = errorsByFile(result.stderr).get("doc.xml") ?? [];
    const output = result.stdout.toString("utf8");
    if (errors.length === 0 && result.stderr.includes("Failed to canonicalize"))
      return { kind: "c14n-failed", errors: [result.stderr.trim()] };
    if (output === "" && errors.length === 0)
      return { kind: "not-well-formed", errors: [result.stderr.trim() || `xmllint exited with ${result.code}`] };
    return verdictOf(output, errors);
  } finally {
    scratch.remove();
  }
}

async function runBatch(documents: readonly Uint8Array[]): Promise<Libxml2Verdict[]> {
  const scratch = scratchFolder();
  try {
    const nonce = randomBytes(12).toString("hex");
    const separatorName = `eks-separator-${nonce}`;
    const separatorFile = `${separatorName}.xml`;
    writeFileSync(join(scratch.dir, separatorFile), `<${separatorName}/>`);
    const names = documents.map((_, i) => `d-${nonce}-${i}.xml`);
    documents.forEach((bytes, i) => writeFileSync(join(scratch.dir, names[i]!), bytes));
    const result = await runTool("xmllint", ["--nonet", "--c14n", ...names.flatMap((name) => [name, separatorFile])], {
      cwd: scratch.dir,
    });
    if (result.code === null) throw new Error(`xmllint was stopped: ${result.stderr.slice(-500)}`);
    const chunks = result.stdout.toString("utf8").split(`<${separatorName}></${separatorName}>`);
    const byFile = errorsByFile(result.stderr);
    if (chunks.length !== documents.length + 1 || chunks[documents.length] !== "") {
      // A document that prints the separator itself: fall back to one spawn per document.
      return Promise.all(documents.map((bytes) => libxml2Verdict(bytes)));
    }
    return Promise.all(
      documents.map(async (bytes, i) => {
        const errors = byFile.get(names[i]!) ?? [];
        // No output and no error naming the file: a failure printed without a name (C14N, encoding): ask alone.
        if (chunks[i] === "" && errors.length === 0) return libxml2Verdict(bytes);
        return verdictOf(chunks[i]!, errors);
      }),
    );
  } finally {
    scratch.remove();
  }
}

const NON_URI_NAMESPACE = /: namespace error : xmlns(?::[^:]+)?: '.*' is not a valid URI$/;

function verdictOf(output: string, errors: readonly string[]): Libxml2Verdict {
  if (errors.some((e) => e.includes(": parser error : "))) return { kind: "not-well-formed", errors };
  if (errors.length > 0 && errors.every((e) => NON_URI_NAMESPACE.test(e))) return { kind: "non-uri-namespace", errors };
  if (errors.some((e) => e.includes(": namespace error : "))) return { kind: "namespace-error", errors };
  if (errors.length > 0) return { kind: "not-well-formed", errors };
  return { kind: "accepted", canonical: withoutComments(output), canonicalWithComments: output };
}

/**
 * xmllint's diagnostics by the file they name: lines `NAME:LINE: parser error : …` and `… namespace error : …`.
 * Warnings (`parser warning`, `namespace warning`: e.g. a relative namespace URI, a `xml-…` PI target) are not
 * errors and are left out. Each error is kept as `line LINE: KIND error : MESSAGE`, without the file name.
 */
function errorsByFile(stderr: string): Map<string, string[]> {
  const byFile = new Map<string, string[]>();
  for (const line of stderr.split("\n")) {
    const match = /^([^\s:]+\.xml):\d+: (?:parser|namespace|I\/O|encoding) error : /.exec(line);
    if (!match) continue;
    const list = byFile.get(match[1]!) ?? [];
    list.push(`line ${line.slice(match[1]!.length + 1)}`);
    byFile.set(match[1]!, list);
  }
  return byFile;
}

/**
 * Canonical XML 1.0 without comments from the form with comments xmllint prints (`--c14n` keeps comments). In a
 * canonical form `<` in text and attribute values is always `&lt;`, attribute values are double-quoted with `"` as
 * `&quot;`, PI data holds no `?>` and comments no `--`; so every `<!--` outside a PI and a start tag opens a
 * comment. Outside the document element a comment is followed (before it) or preceded (after it) by one #xA
 * (C14N 1.0 §2.3, "Document Order"), which goes with it.
 */
export function withoutComments(canonical: string): string {
  let out = "";
  let depth = 0;
  let rootSeen = false;
  let i = 0;
  while (i < canonical.length) {
    if (canonical[i] !== "<") {
      const next = canonical.indexOf("<", i);
      const end = next < 0 ? canonical.length : next;
      out += canonical.slice(i, end);
      i = end;
      continue;
    }
    if (canonical.startsWith("<!--", i)) {
      const end = mustFind(canonical, "-->", i + 4) + 3;
      if (depth === 0 && !rootSeen) i = canonical[end] === "\n" ? end + 1 : end;
      else {
        if (depth === 0 && out.endsWith("\n")) out = out.slice(0, -1);
        i = end;
      }
      continue;
    }
    let end: number;
    if (canonical.startsWith("<?", i)) end = mustFind(canonical, "?>", i + 2) + 2;
    else if (canonical.startsWith("</", i)) {
      end = mustFind(canonical, ">", i) + 1;
      depth--;
    } else {
      end = startTagEnd(canonical, i);
      depth++;
      rootSeen = true;
    }
    out += canonical.slice(i, end);
    i = end;
  }
  return out;
}

function startTagEnd(text: string, from: number): number {
  let quoted = false;
  for (let i = from; i < text.length; i++) {
    if (text[i] === '"') quoted = !quoted;
    else if (text[i] === ">" && !quoted) return i + 1;
  }
  throw new Error(`unterminated start tag in canonical form at ${from}`);
}

function mustFind(text: string, needle: string, from: number): number {
  const at = text.indexOf(needle, from);
  if (at < 0) throw new Error(`no ${needle} after ${from} in canonical form`);
  return at;
}
