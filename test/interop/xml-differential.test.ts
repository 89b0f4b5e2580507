/**
 * Issue 24, "Conformance, proven against libxml2": 10,000 real CPIX and PSKC documents (test/fixtures) mutated
 * with gadgets around processing instructions, comments, CDATA, attributes, line ends, declarations and encodings
 * (xml-gadgets.ts), read by src/xml/parse.ts and by libxml2 (`xmllint --c14n`, libxml2.ts) from a fixed seed.
 * XML_DIFF_SEED replays another seed.
 */
import { beforeAll, expect, it } from "vitest";
import { requireXmllint } from "./libxml2";
import { describeDisagreements, runDifferential, shrinkDisagreement } from "./xml-differential";

const SEED = Number(process.env.XML_DIFF_SEED) || 240_002;
/** Issue 24: at least 10,000 cases in `npm test`. */
const RUNS = 10_000;

beforeAll(requireXmllint);

it("accepts only documents libxml2 accepts, with libxml2's canonical form, and refuses the rest with a position", async () => {
  const run = await runDifferential(SEED, RUNS);
  console.log(
    `xml-differential: seed ${SEED}, ${run.cases} documents, generated in ${run.generateMs} ms, libxml2 ${run.oracleMs} ms, ` +
      `ours ${run.oursMs} ms; ${JSON.stringify(run.outcomes)}`,
  );
  const shrunk =
    run.disagreements.length > 0
      ? [`smallest of run ${run.disagreements[0]!.index}: ${await shrinkDisagreement(SEED, run.disagreements[0]!.index)}`]
      : [];
  expect([...describeDisagreements(SEED, run), ...shrunk]).toEqual([]);
  // Both sides of the property were exercised: accepted documents compared, refused ones refused.
  expect(run.outcomes["accepted → accepted"]).toBeGreaterThan(RUNS / 10);
  expect((run.outcomes["not-well-formed → malformed-xml"] ?? 0) + (run.outcomes["namespace-error → malformed-xml"] ?? 0)).toBeGreaterThan(
    RUNS / 10,
  );
});
