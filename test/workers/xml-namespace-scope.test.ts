/**
 * A namespace declaration is in scope inside its element only (Namespaces in XML 1.0 §6.1): the parser keeps one map
 * of the namespaces in scope and must give each element's declarations back at its end tag. `npm run fuzz`'s
 * differential against libxml2 found a build that did not, so a sibling's `xmlns` leaked to what followed it.
 */
import { describe, expect, it } from "vitest";
import { readCpix } from "../../src/cpix/reader";
import { utf8 } from "../../src/domain/bytes";
import { parseXml } from "../../src/xml/parse";
import { elementChildren } from "../../src/xml/tree";

function rootChildren(xml: string) {
  const parsed = parseXml(xml);
  if (!parsed.ok) throw new Error(parsed.failure.detail);
  return elementChildren(parsed.document.root).map((element) => `{${element.namespace}}${element.localName}`);
}

describe("namespace declarations end with their element", () => {
  it("refuses a prefix declared only on an earlier sibling, which is out of scope", () => {
    expect(parseXml('<r><a xmlns:p="urn:p"></a><p:b/></r>')).toEqual({
      ok: false,
      failure: { reason: "malformed-xml", detail: 'line 1, column 27: namespace prefix "p" of p:b is not declared' },
    });
    expect(parseXml('<r><a xmlns:p="urn:p"/><p:b/></r>').ok).toBe(false);
  });

  it("gives a following sibling its parent's default namespace, not an earlier sibling's", () => {
    expect(rootChildren('<r xmlns="urn:r"><a xmlns="urn:a"></a><b/><c xmlns=""/><d/></r>')).toEqual([
      "{urn:a}a",
      "{urn:r}b",
      "{}c",
      "{urn:r}d",
    ]);
  });

  it("restores a prefix an inner element bound again, at the inner element's end", () => {
    expect(rootChildren('<r xmlns:p="urn:outer"><a xmlns:p="urn:inner"><p:x/></a><p:b/></r>')).toEqual(["{}a", "{urn:outer}b"]);
  });

  it("does not read a list whose CPIX namespace came from an earlier sibling's default declaration", () => {
    const xml =
      '<cpix:CPIX xmlns:cpix="urn:dashif:org:cpix"><x xmlns="urn:dashif:org:cpix"></x>' +
      '<ContentKeyList><ContentKey kid="00000000-0000-4000-8000-000000000001"/></ContentKeyList></cpix:CPIX>';
    const read = readCpix(utf8(xml));
    expect(read.ok && read.document.contentKeyList).toBeUndefined();
  });
});
