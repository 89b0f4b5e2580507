/**
 * Our canonicalization (src/xml/c14n.ts) against xml-crypto's, a second implementation, on every CPIX
 * sample: Canonical XML 1.0 and Exclusive C14N of the whole document and of each child of the root (the subtrees
 * CPIX list signatures reference, whose in-scope namespaces come from the root).
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { decodeXmlBytes } from "../../src/xml/decode";
import { canonicalize } from "../../src/xml/c14n";
import { parseXml } from "../../src/xml/parse";
import { elementChildren as ourElementChildren } from "../../src/xml/tree";
import { parseDom, xmlCrypto, type DomElement } from "./xml-dom";

const SAMPLES_DIR = join(dirname(fileURLToPath(import.meta.url)), "../fixtures/cpix/samples");
const names = (readdirSync(SAMPLES_DIR, { recursive: true }) as string[]).filter((n) => /\.(xml|cpix)$/.test(n)).sort();

function elementChildren(element: DomElement): DomElement[] {
  return Array.from(element.childNodes).filter((n) => (n as unknown as { nodeType: number }).nodeType === 1);
}

describe.each(names)("%s", (name) => {
  const text = decodeXmlBytes(new Uint8Array(readFileSync(join(SAMPLES_DIR, name)))).replace(/\r\n?/g, "\n");
  const parsed = parseXml(text);
  if (!parsed.ok) throw new Error(parsed.failure.detail);
  const root = parsed.document.root;
  const document = parseDom(text);
  const dom = document.documentElement;

  it("whole document: inclusive and exclusive C14N equal xml-crypto's", () => {
    expect(canonicalize(root, { method: "inclusive" })).toBe(new xmlCrypto.C14nCanonicalization().process(dom, {}));
    expect(canonicalize(root, { method: "exclusive" })).toBe(new xmlCrypto.ExclusiveCanonicalization().process(dom, {}));
  });

  it("each child of the root: inclusive (namespaces inherited from the root) and exclusive C14N equal xml-crypto's", () => {
    const ours = ourElementChildren(root);
    const theirs = elementChildren(dom);
    expect(ours.length).toBe(theirs.length);
    for (const [i, child] of ours.entries()) {
      const ancestorNamespaces = xmlCrypto.findAncestorNs(document, `/*/*[${i + 1}]`);
      expect(canonicalize(child, { method: "inclusive" })).toBe(
        new xmlCrypto.C14nCanonicalization().process(theirs[i]!, { ancestorNamespaces }),
      );
      expect(canonicalize(child, { method: "exclusive" })).toBe(new xmlCrypto.ExclusiveCanonicalization().process(theirs[i]!, {}));
    }
  });
});
