/**
 * Breaker findings on cost (src/xml/): the work of parsing and of canonicalizing for a signature check must grow
 * with the document, not with its nesting of namespace scopes times its elements. Counted, not timed: every scope
 * lookup (`InScopeNamespaces.get`) is a `Map.prototype.get`, so the calls made while one function runs measure its
 * work (`countMapLookups`). Scratch timings (Node 20, 1 MiB request, 62 nested scopes, two References with
 * 16-prefix PrefixLists bound on the root): parse ~0.3 s, verifyCpixSignatures ~10 s before it even looks at
 * KeyInfo; the same elements without nesting or PrefixList: ~0.3 s and ~0.9 s.
 */
import { describe, expect, it } from "vitest";
import { canonicalizeDocument } from "../../src/xml/c14n";
import { parseXml } from "../../src/xml/parse";
import type { XmlDocument } from "../../src/xml/tree";
import { countMapLookups } from "../workers/support/map-lookups";

const CPIX_NS = "urn:dashif:org:cpix";
const ELEMENTS = 20_000;
/** The deepest chain of scopes the parser allows below the list (MAX_XML_DEPTH 64, less CPIX and the list). */
const DEPTH = 62;
const PREFIXES = Array.from({ length: 16 }, (_, i) => `z${i}`);

/** `ELEMENTS` empty elements inside `depth` nested elements that each declare (and use) a prefix of their own. */
function request(depth: number): string {
  let open = "";
  let close = "";
  for (let i = 0; i < depth; i++) {
    open += `<q${i}:e xmlns:q${i}="urn:q:${i}">`;
    close = `</q${i}:e>${close}`;
  }
  const bound = PREFIXES.map((prefix) => ` xmlns:${prefix}="urn:${prefix}"`).join("");
  return `<cpix:CPIX xmlns:cpix="${CPIX_NS}"${bound}><cpix:ContentKeyList>${open}${"<a/>".repeat(ELEMENTS)}${close}</cpix:ContentKeyList></cpix:CPIX>`;
}

function parsed(xml: string): XmlDocument {
  const result = parseXml(xml);
  if (!result.ok) throw new Error(result.failure.detail);
  return result.document;
}

describe("namespace scope lookups do not grow with the nesting of scopes", () => {
  it("parses unprefixed elements under 62 nested scopes with about the lookups it needs under one", async () => {
    const shallow = (await countMapLookups(() => parsed(request(1)))).lookups;
    const deep = (await countMapLookups(() => parsed(request(DEPTH)))).lookups;
    expect(deep / ELEMENTS, `lookups per element: ${(shallow / ELEMENTS).toFixed(1)} under one scope`).toBeLessThan(
      (2 * shallow) / ELEMENTS,
    );
  });

  it("canonicalizes (exclusive, a 16-prefix PrefixList) under 62 nested scopes with about the lookups it needs under one", async () => {
    const options = { method: "exclusive", inclusivePrefixes: PREFIXES } as const;
    const shallowDocument = parsed(request(1));
    const deepDocument = parsed(request(DEPTH));
    const shallow = (await countMapLookups(() => canonicalizeDocument(shallowDocument, options))).lookups;
    const deep = (await countMapLookups(() => canonicalizeDocument(deepDocument, options))).lookups;
    expect(deep / ELEMENTS, `lookups per element: ${(shallow / ELEMENTS).toFixed(1)} under one scope`).toBeLessThan(
      (2 * shallow) / ELEMENTS,
    );
  });

  it("canonicalizes (exclusive, no PrefixList) an element with at most a few lookups whatever the nesting", async () => {
    const deepDocument = parsed(request(DEPTH));
    const { lookups } = await countMapLookups(() => canonicalizeDocument(deepDocument, { method: "exclusive" }));
    expect(lookups / ELEMENTS).toBeLessThan(8);
  });
});
