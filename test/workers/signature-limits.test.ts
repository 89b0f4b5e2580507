/**
 * The bounds on a signature check's work (src/cpix/security/signature-references.ts): every Reference names the
 * document or one of the root's lists, a PrefixList names at most 16 prefixes, and all canonical forms of one
 * document stay within twice its length. Each case is refused before the SignatureValue is looked at, so its
 * Signature needs no valid value; its References carry digests that match, so only the bound can refuse it.
 */
import { describe, expect, it } from "vitest";
import { toBase64, utf8 } from "../../src/domain/bytes";
import { C14N_10, EXC_C14N } from "../../src/cpix/security/algorithms";
import { describeSignatureFailure, verifyCpixSignatures } from "../../src/cpix/security/signature-verify";
import { canonicalize, type C14nOptions } from "../../src/xml/c14n";
import { parseXml } from "../../src/xml/parse";
import { childElements } from "../../src/xml/tree";

const NOW = new Date("2026-12-01T00:00:00Z");
const CPIX = "urn:dashif:org:cpix";
const DS = "http://www.w3.org/2000/09/xmldsig#";
const ROOT_OPEN = `<cpix:CPIX xmlns:cpix="${CPIX}" xmlns:ds="${DS}" xmlns:a="urn:a" xmlns:b="urn:b">`;

function contentKeyList(count: number): string {
  const keys = Array.from({ length: count }, (_, i) => `<cpix:ContentKey kid="00000000-0000-4000-8000-${String(i).padStart(12, "0")}"/>`);
  return `<cpix:ContentKeyList id="L">${keys.join("")}</cpix:ContentKeyList>`;
}

interface ReferenceSpec {
  readonly uri: string;
  readonly options: C14nOptions;
}

function transformOf(options: C14nOptions): string {
  if (options.method === "inclusive") return `<ds:Transform Algorithm="${C14N_10}"/>`;
  const list = options.inclusivePrefixes
    ? `<ec:InclusiveNamespaces xmlns:ec="${EXC_C14N}" PrefixList="${options.inclusivePrefixes.join(" ")}"/>`
    : "";
  return `<ds:Transform Algorithm="${EXC_C14N}">${list}</ds:Transform>`;
}

/** A document holding `body` and one Signature whose References carry the digests of the list as it stands. */
async function signedDocument(body: string, references: readonly ReferenceSpec[]): Promise<string> {
  const unsigned = parseXml(`${ROOT_OPEN}${body}</cpix:CPIX>`);
  if (!unsigned.ok) throw new Error(unsigned.failure.detail);
  const list = childElements(unsigned.document.root, CPIX, "ContentKeyList")[0]!;
  const written: string[] = [];
  for (const { uri, options } of references) {
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", utf8(canonicalize(list, options))));
    written.push(
      `<ds:Reference URI="${uri}"><ds:Transforms>${transformOf(options)}</ds:Transforms>` +
        `<ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><ds:DigestValue>${toBase64(digest)}</ds:DigestValue></ds:Reference>`,
    );
  }
  const signedInfo =
    `<ds:SignedInfo><ds:CanonicalizationMethod Algorithm="${EXC_C14N}"/>` +
    `<ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/>${written.join("")}</ds:SignedInfo>`;
  return `${ROOT_OPEN}${body}<ds:Signature>${signedInfo}<ds:SignatureValue>AAAA</ds:SignatureValue></ds:Signature></cpix:CPIX>`;
}

const EIGHT_WAYS: readonly C14nOptions[] = [
  { method: "inclusive" },
  { method: "exclusive" },
  { method: "exclusive", inclusivePrefixes: ["a"] },
  { method: "exclusive", inclusivePrefixes: ["b"] },
  { method: "exclusive", inclusivePrefixes: ["a", "b"] },
  { method: "exclusive", inclusivePrefixes: ["ds"] },
  { method: "exclusive", inclusivePrefixes: ["ds", "a"] },
  { method: "exclusive", inclusivePrefixes: ["ds", "b"] },
];

describe("signature work is bounded before the SignatureValue is checked", () => {
  it("refuses References that together canonicalize a large list more than twice the document's length", async () => {
    const document = await signedDocument(
      contentKeyList(4000),
      EIGHT_WAYS.map((options) => ({ uri: "#L", options })),
    );
    const result = await verifyCpixSignatures(document, NOW);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.failure).toMatchObject({ reason: "canonicalization-budget", signature: 1 });
    expect(describeSignatureFailure(result.failure)).toMatch(
      /^Signature\[1\] References ask for more than \d+ characters of canonical XML/,
    );
  });

  it("computes one canonical form for References that repeat a target and its transforms, so they stay within the budget", async () => {
    const repeated = Array.from({ length: 8 }, () => ({ uri: "#L", options: { method: "inclusive" } as const }));
    const result = await verifyCpixSignatures(await signedDocument(contentKeyList(4000), repeated), NOW);
    // The digests all match; what refuses it is the SignatureValue, checked only after every Reference passed.
    expect(result).toMatchObject({
      ok: false,
      failure: { reason: "missing-element", signature: 1, element: "KeyInfo/X509Data/X509Certificate" },
    });
  });

  it("refuses a Reference to an element below the root's lists, naming CPIX 2.3 §Digital Signature", async () => {
    const body = `${contentKeyList(1)}<cpix:DRMSystemList><cpix:DRMSystem id="deep" kid="00000000-0000-4000-8000-000000000000" systemId="edef8ba9-79d6-4ace-a3c8-27dcd51d21ed"/></cpix:DRMSystemList>`;
    const result = await verifyCpixSignatures(await signedDocument(body, [{ uri: "#deep", options: { method: "exclusive" } }]), NOW);
    expect(result).toEqual({ ok: false, failure: { reason: "unsupported-target", signature: 1, uri: "#deep" } });
    if (!result.ok)
      expect(describeSignatureFailure(result.failure)).toContain("neither the document nor one of its lists (CPIX 2.3 §Digital Signature)");
  });

  it("refuses an exclusive C14N PrefixList of more than 16 prefixes as unsupported", async () => {
    const prefixes = Array.from({ length: 17 }, (_, i) => `p${i}`);
    const result = await verifyCpixSignatures(
      await signedDocument(contentKeyList(1), [{ uri: "#L", options: { method: "exclusive", inclusivePrefixes: prefixes } }]),
      NOW,
    );
    expect(result).toMatchObject({ ok: false, failure: { reason: "unsupported-algorithm", signature: 1, element: "Transform" } });
    if (!result.ok) expect(describeSignatureFailure(result.failure)).toContain("17 InclusiveNamespaces prefixes (at most 16)");
  });
});
