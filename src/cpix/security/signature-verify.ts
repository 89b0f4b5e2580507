/**
 * Verifying the XML signatures of a CPIX document (CPIX 2.3 §Digital Signature: enveloped XML-DSig signatures as
 * children of `CPIX`, over the document (`URI=""`) or over an element with an `id` such as a list (`URI="#…"`), each
 * embedding its signer's X.509 certificate). Core validation as XML-DSig §3.2: every Reference's digest, then the
 * SignatureValue over the canonical SignedInfo. Whether the signer is trusted is the caller's decision: the result
 * names each signer's certificate.
 *
 * It verifies the tree `parseXml` built, the same nodes the CPIX reader reads (src/cpix/reader.ts `readCpixTree`), so
 * a signature covers exactly what is processed. Its work is bounded: at most MAX_SIGNATURES signatures of at most
 * MAX_REFERENCES References, each signing the document or one of the root's lists (CPIX 2.3 §Digital Signature),
 * each target's canonical form computed once and all of them within a budget (signature-references.ts).
 */
import { fromBase64 } from "../../domain/bytes";
import { parseXml } from "../../xml/parse";
import { attributeValue, childElements, firstChildElement, textContent, type XmlDocument, type XmlElement } from "../../xml/tree";
import { CPIX_NS, XMLDSIG_NS } from "../namespaces";
import { RSA_SIGNATURE_METHODS } from "./algorithms";
import { parseCertificate, type X509Certificate } from "../../x509/certificate";
import { importCertificateKey } from "../../x509/certificate-keys";
import { certificateProblem } from "../../x509/certificate-policy";
import { endEntityCertificate } from "../../x509/end-entity";
import type { SignatureFailure } from "./signature-failure";
import { c14nOf, checkReference, referenceContext, shown, spend, type ReferenceContext } from "./signature-references";

export { describeSignatureFailure, type SignatureFailure } from "./signature-failure";

/** Signatures one document may carry: DASH-IF's Complex.xml, which signs each of four lists twice and the document once, has 9. */
export const MAX_SIGNATURES = 16;
/** References one signature may hold: a document signature and a signature per list need one each. */
export const MAX_REFERENCES = 8;

/** One signature that verified. */
export interface VerifiedSignature {
  /** What it signs: `{ uri: "", element: "CPIX" }` for the document, `{ uri: "#ContentKeyList", element: "ContentKeyList" }`. */
  readonly references: readonly { readonly uri: string; readonly element: string }[];
  /** The signer's certificate from `KeyInfo/X509Data` (policy-checked, not trust-checked). */
  readonly signer: X509Certificate;
}

export type SignatureVerificationResult =
  { readonly ok: true; readonly signatures: readonly VerifiedSignature[] } | { readonly ok: false; readonly failure: SignatureFailure };

type Failure = { readonly ok: false; readonly failure: SignatureFailure };

/**
 * Verifies every `ds:Signature` child of the CPIX root (the only place the CPIX XSD allows them; a Signature
 * elsewhere is not looked at); a document without signatures verifies with none.
 * @example
 * const checked = await verifyCpixSignatures(body, now);
 * if (!checked.ok) return refuse(checked.failure);
 * const signedByTrusted = checked.signatures.some((s) => isTrusted(s.signer) && s.references.some((r) => r.uri === ""));
 */
export async function verifyCpixSignatures(input: XmlDocument | Uint8Array | string, now: Date): Promise<SignatureVerificationResult> {
  let document: XmlDocument;
  if (typeof input === "string" || input instanceof Uint8Array) {
    const parsed = parseXml(input);
    if (!parsed.ok) return { ok: false, failure: { reason: "malformed-xml", detail: parsed.failure.detail } };
    document = parsed.document;
  } else {
    document = input;
  }
  const root = document.root;
  if (root.namespace !== CPIX_NS || root.localName !== "CPIX") return { ok: false, failure: { reason: "not-cpix" } };
  const signatureElements = childElements(root, XMLDSIG_NS, "Signature");
  if (signatureElements.length === 0) return { ok: true, signatures: [] };
  if (signatureElements.length > MAX_SIGNATURES) {
    return { ok: false, failure: { reason: "too-many-signatures", count: signatureElements.length, limit: MAX_SIGNATURES } };
  }
  const context = referenceContext(document);
  const signatures: VerifiedSignature[] = [];
  for (const [i, signature] of signatureElements.entries()) {
    const checked = await verifySignature(signature, i + 1, context, now);
    if (!checked.ok) return checked;
    signatures.push(checked.signature);
  }
  return { ok: true, signatures };
}

async function verifySignature(
  signature: XmlElement,
  index: number,
  context: ReferenceContext,
  now: Date,
): Promise<{ ok: true; signature: VerifiedSignature } | Failure> {
  const fail = (failure: SignatureFailure): Failure => ({ ok: false, failure });
  const one = (parent: XmlElement | undefined, name: string) => (parent ? firstChildElement(parent, XMLDSIG_NS, name) : undefined);
  const signedInfo = one(signature, "SignedInfo");
  if (!signedInfo) return fail({ reason: "missing-element", signature: index, element: "SignedInfo" });
  const canonicalization = c14nOf(one(signedInfo, "CanonicalizationMethod"));
  if (!canonicalization.ok)
    return fail({
      reason: "unsupported-algorithm",
      signature: index,
      element: "CanonicalizationMethod",
      algorithm: canonicalization.algorithm,
    });
  const signatureMethod = attributeValue(one(signedInfo, "SignatureMethod") ?? signedInfo, "Algorithm") ?? "";
  const hash = RSA_SIGNATURE_METHODS.get(signatureMethod);
  if (!hash)
    return fail({ reason: "unsupported-algorithm", signature: index, element: "SignatureMethod", algorithm: shown(signatureMethod) });
  const references = childElements(signedInfo, XMLDSIG_NS, "Reference");
  if (references.length === 0) return fail({ reason: "missing-element", signature: index, element: "Reference" });
  if (references.length > MAX_REFERENCES) {
    return fail({ reason: "too-many-references", signature: index, count: references.length, limit: MAX_REFERENCES });
  }
  const signedReferences: { uri: string; element: string }[] = [];
  for (const reference of references) {
    const checked = await checkReference(reference, signature, index, context);
    if (!checked.ok) return checked;
    signedReferences.push(checked.signed);
  }
  const x509Data = one(one(signature, "KeyInfo"), "X509Data");
  const certificates: X509Certificate[] = [];
  for (const text of x509Data ? childElements(x509Data, XMLDSIG_NS, "X509Certificate") : []) {
    const parsed = parseCertificate(textContent(text));
    if (!parsed.ok) return fail({ reason: "certificate-refused", signature: index, problem: parsed.problem });
    certificates.push(parsed.certificate);
  }
  const signer = endEntityCertificate(certificates);
  if (!signer) return fail({ reason: "missing-element", signature: index, element: "KeyInfo/X509Data/X509Certificate" });
  const problem = await certificateProblem(signer, "signer", now);
  if (problem) return fail({ reason: "certificate-refused", signature: index, problem });
  const signatureValue = fromBase64(textContent(one(signature, "SignatureValue") ?? signature));
  if (!signatureValue || signatureValue.length === 0)
    return fail({ reason: "missing-element", signature: index, element: "SignatureValue" });
  const key = await importCertificateKey(signer, { name: "RSASSA-PKCS1-v1_5", hash }, ["verify"]);
  const canonicalSignedInfo = spend(context, signedInfo, canonicalization.options);
  if (canonicalSignedInfo === undefined) return fail({ reason: "canonicalization-budget", signature: index, limit: context.limit });
  if (!(await crypto.subtle.verify("RSASSA-PKCS1-v1_5", key, signatureValue, canonicalSignedInfo.octets)))
    return fail({ reason: "signature-mismatch", signature: index });
  return { ok: true, signature: { references: signedReferences, signer } };
}
