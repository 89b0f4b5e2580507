/**
 * Work that must grow with the document, not faster (the review of issue 24): an undeclared prefix on every element
 * is found at the cost of one position, not one scan of the text per element; and a canonical form that grows far
 * past its input (exclusive C14N declares a prefix again on every sibling using it) stops at the signature budget
 * instead of filling memory. Counted or bounded, never timed.
 */
import { describe, expect, it } from "vitest";
import { describeSignatureFailure, verifyCpixSignatures } from "../../src/cpix/security/signature-verify";
import { canonicalizeWithin } from "../../src/xml/c14n";
import { parseXml } from "../../src/xml/parse";

const CPIX = `xmlns:cpix="urn:dashif:org:cpix" xmlns:ds="http://www.w3.org/2000/09/xmldsig#"`;

/** `String.prototype.indexOf` calls made while `run` runs: the position of a failure is found with them. */
function countIndexOf<T>(run: () => T): { result: T; calls: number } {
  const indexOf = String.prototype.indexOf;
  let calls = 0;
  String.prototype.indexOf = function (this: string, ...args: Parameters<string["indexOf"]>) {
    calls++;
    return indexOf.apply(this, args);
  };
  try {
    return { result: run(), calls };
  } finally {
    String.prototype.indexOf = indexOf;
  }
}

describe("parsing stays linear when every element breaks a namespace rule", () => {
  it("reports the first undeclared prefix with one position, whatever the number of elements after it", () => {
    const document = (count: number) => `<cpix:CPIX ${CPIX}>${"\n<p:a/>".repeat(count)}</cpix:CPIX>`;
    const small = countIndexOf(() => parseXml(document(400)));
    const large = countIndexOf(() => parseXml(document(40_000)));
    expect(large.result).toEqual({
      ok: false,
      failure: { reason: "malformed-xml", detail: 'line 2, column 1: namespace prefix "p" of p:a is not declared' },
    });
    // 100 times the elements: the work may grow 100-fold (the parse itself), never 10,000-fold (a scan per element).
    expect(large.calls).toBeLessThan(small.calls * 150);
  });
});

describe("a canonical form stops at its limit", () => {
  const longUri = `urn:${"x".repeat(4000)}`;
  const siblings = `<cpix:ContentKeyList xmlns:p="${longUri}">${"<p:a/>".repeat(2000)}</cpix:ContentKeyList>`;

  it("gives undefined once exclusive C14N passes the limit, after writing no more than the limit", () => {
    const parsed = parseXml(`<cpix:CPIX ${CPIX}>${siblings}</cpix:CPIX>`);
    if (!parsed.ok) throw new Error(parsed.failure.detail);
    // Each <p:a/> re-declares p with its 4,000-character URI: 8 MB of canonical text from 22 KB of input.
    expect(canonicalizeWithin(parsed.document, { method: "exclusive" }, 1_000_000)).toBeUndefined();
    expect(canonicalizeWithin(parsed.document, { method: "inclusive" }, 1_000_000)?.length).toBeLessThan(100_000);
  });

  it("refuses a signature whose document form outgrows the budget with 422's reason, not an exception", async () => {
    const digest = "A".repeat(44);
    const signature =
      `<ds:Signature><ds:SignedInfo><ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>` +
      `<ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/>` +
      `<ds:Reference URI=""><ds:Transforms><ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/>` +
      `<ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/></ds:Transforms>` +
      `<ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><ds:DigestValue>${digest}</ds:DigestValue></ds:Reference>` +
      `</ds:SignedInfo><ds:SignatureValue>AAAA</ds:SignatureValue></ds:Signature>`;
    const result = await verifyCpixSignatures(`<cpix:CPIX ${CPIX}>${siblings}${signature}</cpix:CPIX>`, new Date());
    expect(result).toMatchObject({ ok: false, failure: { reason: "canonicalization-budget", signature: 1 } });
    if (!result.ok) expect(describeSignatureFailure(result.failure)).toMatch(/^Signature\[1\] References ask for more than/);
  });
});
