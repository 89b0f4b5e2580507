/**
 * The oracle of the XML differential test (libxml2.ts) before it judges anyone: a batched xmllint run gives each
 * document the verdict a spawn of its own gives it, and the classification and the comment-free canonical form
 * are right on documents whose answer is known.
 */
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { libxml2Verdict, libxml2Verdicts, requireXmllint, withoutComments, type Libxml2Verdict } from "./libxml2";
import { GADGET_FIXTURES, xmlCase } from "./xml-gadgets";

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);
/** xmllint processes running at once for the one-spawn-per-document reference (the machine has 2 cores). */
const SPAWNS_AT_ONCE = 4;

beforeAll(requireXmllint);

describe("batched xmllint", () => {
  it("gives 300 mutated documents, in batches of 40, the verdicts one spawn per document gives", async () => {
    const documents = fc.sample(xmlCase, { seed: 24_001, numRuns: 300 }).map((c) => c.bytes);
    const batched = await libxml2Verdicts(documents, 40);
    // Each document in a spawn (and a scratch folder) of its own, several spawns at a time: a spawn mostly waits for
    // its process to start, so 300 of them one after another cost ~10 s of the suite.
    const alone: Libxml2Verdict[] = new Array(documents.length);
    let next = 0;
    const spawnAlone = async () => {
      for (let index = next++; index < documents.length; index = next++) alone[index] = await libxml2Verdict(documents[index]!);
    };
    await Promise.all(Array.from({ length: SPAWNS_AT_ONCE }, spawnAlone));
    expect(batched).toEqual(alone);
    const kinds = new Set(batched.map((v) => v.kind));
    expect([...kinds].sort()).toEqual(expect.arrayContaining(["accepted", "namespace-error", "not-well-formed"]));
  });

  it("attributes output exactly when neighbours are refused, fail C14N or print nothing", async () => {
    const documents = [
      "<a>1</a>",
      "<a><b></a>",
      '<a xmlns:p="relative" p:x="1"/>',
      "<q:a/>",
      "<a><!--c--></a>",
      "",
      '<a xmlns:a="urn:x" xmlns:b="urn:x" a:x="1" b:x="2"/>',
      "<?p d?><a/>",
    ].map(utf8);
    const verdicts = await libxml2Verdicts(documents, 8);
    expect(verdicts.map((v) => v.kind)).toEqual([
      "accepted",
      "not-well-formed",
      "c14n-failed",
      "namespace-error",
      "accepted",
      "not-well-formed",
      "namespace-error",
      "accepted",
    ]);
    expect(verdicts[0]).toMatchObject({ canonical: "<a>1</a>" });
    expect(verdicts[4]).toMatchObject({ canonical: "<a></a>", canonicalWithComments: "<a><!--c--></a>" });
    expect(verdicts[7]).toMatchObject({ canonical: "<?p d?>\n<a></a>" });
    expect(verdicts[3]).toMatchObject({ errors: ["line 1: namespace error : Namespace prefix q on a is not defined"] });
  });

  it('accepts every fixture as the gadgets read it but EvenMoreComplex.xml, whose xmlns="⚽" it calls not a URI', async () => {
    const verdicts = await libxml2Verdicts(GADGET_FIXTURES.map((f) => utf8(f.text)));
    expect(GADGET_FIXTURES.flatMap((f, i) => (verdicts[i]!.kind === "accepted" ? [] : [`${f.name}: ${verdicts[i]!.kind}`]))).toEqual([
      "cpix/samples/dashif-cpix-test-vectors/EvenMoreComplex.xml: non-uri-namespace",
    ]);
  });
});

describe("libxml2 leniencies the differential test allows", () => {
  it("accepts a start tag declaring xmlns:xml twice (XML 1.0 WFC Unique Att Spec refuses it)", async () => {
    const xmlNs = 'xmlns:xml="http://www.w3.org/XML/1998/namespace"';
    expect(await libxml2Verdict(utf8(`<a ${xmlNs} ${xmlNs}/>`))).toMatchObject({ kind: "accepted", canonical: "<a></a>" });
  });

  it("accepts UTF-16 declaring encoding UTF-8 (XML 1.0 §4.3.3 makes it a fatal error)", async () => {
    const text = '\uFEFF<?xml version="1.0" encoding="UTF-8"?><a b="1">x</a>';
    const utf16le = new Uint8Array(text.length * 2);
    for (let i = 0; i < text.length; i++) utf16le.set([text.charCodeAt(i) & 0xff, text.charCodeAt(i) >> 8], 2 * i);
    expect(await libxml2Verdict(utf16le)).toMatchObject({ kind: "accepted", canonical: '<a b="1">x</a>' });
  });
});

describe("withoutComments", () => {
  it("drops comments in the root and outside it with their line feed, and keeps look-alikes in PIs and values", () => {
    const canonical = '<!--a-->\n<?p <!--x-->?>\n<r a="&lt;!--&quot;>"><!--b-->t&lt;!--<?q -->?></r>\n<!--c-->\n<?z?>';
    expect(withoutComments(canonical)).toBe('<?p <!--x-->?>\n<r a="&lt;!--&quot;>">t&lt;!--<?q -->?></r>\n<?z?>');
  });

  it("equals libxml2's canonical form of the same document written without its comments", async () => {
    const [withComments, without] = await libxml2Verdicts([
      utf8("<!-- a --><?p x?><r><!-- b -->t<x a='&lt;!--'/><!---->u</r><!-- c --><?q?>"),
      utf8("<?p x?><r>t<x a='&lt;!--'/>u</r><?q?>"),
    ]);
    expect(withComments).toMatchObject({ kind: "accepted" });
    expect(withComments!.kind === "accepted" && withComments!.canonical).toBe(without!.kind === "accepted" && without!.canonical);
  });
});
