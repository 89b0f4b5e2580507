/**
 * Verifying CPIX signatures (src/cpix/security/signature-verify.ts) against the DASH-IF vectors: Complex.xml's nine
 * signatures (inclusive C14N 1.0, RSA-SHA512, list and document signatures, signers Cert3 and Cert4) verify, and the
 * two broken documents fail on the digest of the reference that was tampered with.
 */
import { describe, expect, it } from "vitest";
import { toBase64 } from "../../src/domain/bytes";
import { describeSignatureFailure, verifyCpixSignatures } from "../../src/cpix/security/signature-verify";
import { dashifCertificate } from "./support/dashif-keys";
import { sample, sampleText } from "./support/samples";

const NOW = new Date("2026-05-01T00:00:00Z");

describe("DASH-IF signed documents", () => {
  it("Complex.xml: all nine signatures verify, each list signed by Cert3 and Cert4, the document by Cert4", async () => {
    const result = await verifyCpixSignatures(sample("dashif-cpix-test-vectors/Complex.xml"), NOW);
    if (!result.ok) throw new Error(JSON.stringify(result.failure));
    const signed = result.signatures.map((s) => `${s.references.map((r) => `${r.uri}→${r.element}`).join()} by ${s.signer.subject}`);
    expect(signed).toEqual([
      "#DeliveryDataList→DeliveryDataList by CN=CPIX Example Entity 3",
      "#DeliveryDataList→DeliveryDataList by CN=CPIX Example Entity 4",
      "#ContentKeyList→ContentKeyList by CN=CPIX Example Entity 3",
      "#ContentKeyList→ContentKeyList by CN=CPIX Example Entity 4",
      "#DRMSystemList→DRMSystemList by CN=CPIX Example Entity 3",
      "#DRMSystemList→DRMSystemList by CN=CPIX Example Entity 4",
      "#ContentKeyUsageRuleList→ContentKeyUsageRuleList by CN=CPIX Example Entity 3",
      "#ContentKeyUsageRuleList→ContentKeyUsageRuleList by CN=CPIX Example Entity 4",
      "→CPIX by CN=CPIX Example Entity 4",
    ]);
    expect(result.signatures[8]!.signer.der).toEqual(dashifCertificate("Cert4"));
  });

  it("Invalid_BadDocumentSignature.xml (a namespace declaration added to the root) fails the document digest", async () => {
    const result = await verifyCpixSignatures(sample("dashif-cpix-test-vectors/Invalid_BadDocumentSignature.xml"), NOW);
    expect(result).toEqual({ ok: false, failure: { reason: "digest-mismatch", signature: 1, uri: "" } });
  });

  it("Invalid_BadContentKeysSignature.xml (a content key removed after signing) fails the ContentKeyList digest", async () => {
    const result = await verifyCpixSignatures(sample("dashif-cpix-test-vectors/Invalid_BadContentKeysSignature.xml"), NOW);
    expect(result).toEqual({ ok: false, failure: { reason: "digest-mismatch", signature: 1, uri: "#ContentKeyList" } });
    if (!result.ok) {
      expect(describeSignatureFailure(result.failure)).toBe(
        "Signature[1] digest of #ContentKeyList does not match: the content changed after signing",
      );
    }
  });

  it("EvenMoreComplex.xml (UTF-16, odd prefixes, a default namespace of ⚽, comments added after signing) verifies", async () => {
    const result = await verifyCpixSignatures(sample("dashif-cpix-test-vectors/EvenMoreComplex.xml"), NOW);
    if (!result.ok) throw new Error(JSON.stringify(result.failure));
    expect(result.signatures.map((s) => s.references.map((r) => r.element).join())).toEqual([
      "DeliveryDataList",
      "ContentKeyList",
      "DRMSystemList",
      "ContentKeyUsageRuleList",
      "ContentKeyUsageRuleList",
      "CPIX",
    ]);
  });

  it("a document without signatures verifies with none", async () => {
    expect(await verifyCpixSignatures(sample("dashif-cpix-test-vectors/EncryptedContentKeys.xml"), NOW)).toEqual({
      ok: true,
      signatures: [],
    });
  });
});

describe("tampering with Complex.xml", () => {
  const complex = sampleText("dashif-cpix-test-vectors/Complex.xml");

  it("a changed kid in a DRMSystem fails the DRMSystemList digest first", async () => {
    const tampered = complex.replace(
      'DRMSystem systemId="edef8ba9-79d6-4ace-a3c8-27dcd51d21ed" kid="b4c3188b',
      'DRMSystem systemId="edef8ba9-79d6-4ace-a3c8-27dcd51d21ed" kid="b4c3188c',
    );
    expect(tampered).not.toBe(complex);
    expect(await verifyCpixSignatures(tampered, NOW)).toEqual({
      ok: false,
      failure: { reason: "digest-mismatch", signature: 5, uri: "#DRMSystemList" },
    });
  });

  it("a changed SignatureValue fails that signature", async () => {
    const values = [...complex.matchAll(/<SignatureValue>([^<]+)<\/SignatureValue>/g)];
    const second = values[1]![1]!;
    const flipped = second[10] === "A" ? "B" : "A";
    const tampered = complex.replace(second, second.slice(0, 10) + flipped + second.slice(11));
    expect(await verifyCpixSignatures(tampered, NOW)).toEqual({ ok: false, failure: { reason: "signature-mismatch", signature: 2 } });
  });

  it("a second element with the referenced id is refused as ambiguous", async () => {
    const tampered = complex.replace(
      '<ContentKeyUsageRuleList id="ContentKeyUsageRuleList">',
      '<ContentKeyUsageRuleList id="ContentKeyList">',
    );
    expect(await verifyCpixSignatures(tampered, NOW)).toMatchObject({
      ok: false,
      failure: { reason: "ambiguous-reference", uri: "#ContentKeyList" },
    });
  });

  it("a reference to a missing id is named", async () => {
    const tampered = complex.replace('<DRMSystemList id="DRMSystemList">', "<DRMSystemList>");
    expect(await verifyCpixSignatures(tampered, NOW)).toEqual({
      ok: false,
      failure: { reason: "reference-not-found", signature: 5, uri: "#DRMSystemList" },
    });
  });

  it("an RSA-SHA1 signature method is refused as unsupported", async () => {
    const tampered = complex.replace("http://www.w3.org/2001/04/xmldsig-more#rsa-sha512", "http://www.w3.org/2000/09/xmldsig#rsa-sha1");
    expect(await verifyCpixSignatures(tampered, NOW)).toEqual({
      ok: false,
      failure: {
        reason: "unsupported-algorithm",
        signature: 1,
        element: "SignatureMethod",
        algorithm: "http://www.w3.org/2000/09/xmldsig#rsa-sha1",
      },
    });
  });

  it("a signer certificate that fails the policy is refused with its reason", async () => {
    const cert3 = toBase64(dashifCertificate("Cert3"));
    expect(complex).toContain(cert3);
    expect(await verifyCpixSignatures(complex, new Date("2040-01-01T00:00:00Z"))).toMatchObject({
      ok: false,
      failure: { reason: "certificate-refused", signature: 1, problem: { reason: "expired" } },
    });
  });

  it("malformed XML is reported, not thrown", async () => {
    expect(await verifyCpixSignatures("<CPIX", NOW)).toMatchObject({ ok: false, failure: { reason: "malformed-xml" } });
  });
});
