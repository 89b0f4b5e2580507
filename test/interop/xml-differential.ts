/**
 * The XML differential property (issue 24), shared by test/interop/xml-differential.test.ts (`npm test`) and
 * test/fuzz/xml-differential.fuzz.ts (`npm run fuzz`): for a mutated document, our reader (src/xml/parse.ts) and
 * libxml2 (libxml2.ts) agree. Every document we accept, libxml2 accepts with exactly our canonical form; every
 * document libxml2 refuses, we refuse, a malformed-xml refusal saying where; what libxml2 accepts we may refuse
 * only as unsupported-xml (a DTD, an encoding we do not read). parseXml never throws.
 */
import fc from "fast-check";
import { canonicalizeDocument } from "../../src/xml/c14n";
import { parseXml } from "../../src/xml/parse";
import { libxml2Verdict, libxml2Verdicts, type Libxml2Verdict } from "./libxml2";
import { describeCase, xmlCase, type XmlCase } from "./xml-gadgets";

/** How one document came out: the two verdicts side by side, and what is wrong if they disagree. */
export interface Comparison {
  readonly libxml2: Libxml2Verdict["kind"];
  readonly ours: "accepted" | "malformed-xml" | "unsupported-xml" | "threw";
  readonly problem?: string;
}

export interface Disagreement {
  readonly index: number;
  readonly problem: string;
  readonly description: string;
}

export interface DifferentialRun {
  readonly cases: number;
  /** `libxml2 kind → ours` → count, e.g. "accepted → accepted": 4012. */
  readonly outcomes: Readonly<Record<string, number>>;
  readonly disagreements: readonly Disagreement[];
  readonly oracleMs: number;
  readonly oursMs: number;
  readonly generateMs: number;
}

const POSITION = /^line [1-9][0-9]*, column [1-9][0-9]*: /;

/**
 * Documents libxml2 2.9.14 accepts against the letter of XML 1.0, which we rightly refuse as malformed-xml: each
 * with the refusal it allows (matched after the position) and the reason. Nothing else may be refused as malformed
 * when libxml2 accepts.
 */
const LIBXML2_LENIENCIES: readonly { readonly refusal: RegExp; readonly why: string }[] = [
  {
    refusal: /^attribute xmlns:xml appears twice/,
    why:
      "WFC Unique Att Spec (XML 1.0 §3.1): libxml2 drops a declaration binding xml to its own namespace before its " +
      'duplicate check, so <a xmlns:xml="http://www.w3.org/XML/1998/namespace" xmlns:xml="…same…"/> passes',
  },
];

/** Compares our reading of `bytes` with libxml2's verdict on them. */
export function compare(bytes: Uint8Array, verdict: Libxml2Verdict): Comparison {
  let parsed: ReturnType<typeof parseXml>;
  try {
    parsed = parseXml(bytes);
  } catch (error) {
    return { libxml2: verdict.kind, ours: "threw", problem: `parseXml threw ${String(error)}` };
  }
  const libxml2 = verdict.kind;
  if (parsed.ok) {
    if (verdict.kind === "not-well-formed" || verdict.kind === "namespace-error") {
      return { libxml2, ours: "accepted", problem: `we accept what libxml2 refuses: ${verdict.errors[0]}` };
    }
    // libxml2 parsed it but cannot canonicalize it (a relative or non-URI namespace name): no form to compare with.
    if (verdict.kind === "c14n-failed" || verdict.kind === "non-uri-namespace") return { libxml2, ours: "accepted" };
    let canonical: string;
    try {
      canonical = canonicalizeDocument(parsed.document);
    } catch (error) {
      return { libxml2, ours: "accepted", problem: `canonicalizeDocument threw ${String(error)}` };
    }
    if (canonical === verdict.canonical) return { libxml2, ours: "accepted" };
    return { libxml2, ours: "accepted", problem: `canonical forms differ: ${firstDifference(canonical, verdict.canonical)}` };
  }
  const { reason, detail } = parsed.failure;
  if (reason === "unsupported-xml") return { libxml2, ours: reason };
  if (reason !== "malformed-xml") return { libxml2, ours: "threw", problem: `unknown failure reason ${String(reason)}: ${detail}` };
  if (libxml2 === "accepted" || libxml2 === "c14n-failed") {
    const lenient = POSITION.test(detail) && LIBXML2_LENIENCIES.some((l) => l.refusal.test(detail.replace(POSITION, "")));
    if (!lenient) return { libxml2, ours: reason, problem: `we refuse as malformed what libxml2 accepts: ${detail}` };
  }
  if (!POSITION.test(detail)) return { libxml2, ours: reason, problem: `malformed-xml without "line L, column C: ": ${detail}` };
  return { libxml2, ours: reason };
}

function firstDifference(ours: string, theirs: string): string {
  let i = 0;
  while (i < ours.length && ours[i] === theirs[i]) i++;
  const from = Math.max(0, i - 60);
  return `at ${i}, ours ${JSON.stringify(ours.slice(from, i + 60))}, libxml2 ${JSON.stringify(theirs.slice(from, i + 60))}`;
}

/** Generates `runs` cases from `seed`, asks libxml2 in batches, compares each. */
export async function runDifferential(seed: number, runs: number): Promise<DifferentialRun> {
  let started = Date.now();
  const cases = fc.sample(xmlCase, { seed, numRuns: runs });
  const generateMs = Date.now() - started;
  started = Date.now();
  const verdicts = await libxml2Verdicts(cases.map((c) => c.bytes));
  const oracleMs = Date.now() - started;
  started = Date.now();
  const outcomes: Record<string, number> = {};
  const disagreements: Disagreement[] = [];
  cases.forEach((c, index) => {
    const comparison = compare(c.bytes, verdicts[index]!);
    const outcome = `${comparison.libxml2} → ${comparison.ours}`;
    outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
    if (comparison.problem) disagreements.push({ index, problem: comparison.problem, description: describeCase(c) });
  });
  return { cases: cases.length, outcomes, disagreements, generateMs, oracleMs, oursMs: Date.now() - started };
}

/**
 * fast-check replays run `index` of `seed` (fc.sample and fc.assert draw the same values from one seed) and
 * shrinks it, one xmllint spawn per tried document; returns fast-check's report (the seed, the path, the smallest
 * failing document's steps and excerpt, and the problem).
 */
export async function shrinkDisagreement(seed: number, index: number): Promise<string> {
  const property = fc.asyncProperty(xmlCase, async (c: XmlCase) => {
    const comparison = compare(c.bytes, await libxml2Verdict(c.bytes));
    if (comparison.problem) throw new Error(comparison.problem);
  });
  try {
    await fc.assert(property, { seed, path: String(index), endOnFailure: false });
    return `run ${index} of seed ${seed} passed when replayed alone`;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/** A run's disagreements for a failure message: the first `limit`, each with its run index, problem and case. */
export function describeDisagreements(seed: number, run: DifferentialRun, limit = 10): string[] {
  return run.disagreements
    .slice(0, limit)
    .map((d) => `seed ${seed}, run ${d.index}: ${d.problem}\n  ${d.description}`)
    .concat(run.disagreements.length > limit ? [`… and ${run.disagreements.length - limit} more`] : []);
}
