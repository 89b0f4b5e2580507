/**
 * Verifying the XML signatures of a CPIX document (CPIX 2.3 §Digital Signature: enveloped XML-DSig signatures as
 * children of `CPIX`, over the document (`URI=""`) or over an element with an `id` such as a list (`URI="#…"`), each
 * embedding its signer's X.509 certificate). Core validation as XML-DSig §3.2: every Reference's digest, then the
 * SignatureValue over the canonical SignedInfo. Whether the signer is trusted is the caller's decision: the result
 * names each signer's certificate.
 */
import { fromBase64, timingSafeEqual, utf8 } from "../../domain/bytes";
import { CPIX_NS, XMLDSIG_NS } from "../namespaces";
import { C14N_10, DIGEST_METHODS, ENVELOPED_SIGNATURE, EXC_C14N, RSA_SIGNATURE_METHODS } from "./algorithms";
import { canonicalize, type C14nOptions } from "./c14n";
import {
  certificatePolicyProblem,
  describeCertificateProblem,
  endEntityCertificate,
  importCertificateKey,
  parseCertificate,
  type CertificateProblem,
  type X509Certificate,
} from "./certificate";
import { attributeOf, childElements, parseXmlTree, textOf, type XmlTreeElement } from "./xml-tree";

/** One signature that verified. */
export interface VerifiedSignature {
  /** What it signs: `{ uri: "", element: "CPIX" }` for the document, `{ uri: "#ContentKeyList", element: "ContentKeyList" }`. */
  readonly references: readonly { readonly uri: string; readonly element: string }[];
  /** The signer's certificate from `KeyInfo/X509Data` (policy-checked, not trust-checked). */
  readonly signer: X509Certificate;
}

/** Why a document's signatures do not verify; `signature` is the 1-based position among the root's Signatures. */
export type SignatureFailure =
  | { readonly reason: "malformed-xml"; readonly detail: string }
  | { readonly reason: "not-cpix" }
  | { readonly reason: "missing-element"; readonly signature: number; readonly element: string }
  | { readonly reason: "unsupported-algorithm"; readonly signature: number; readonly element: string; readonly algorithm: string }
  /** `URI` other than `""` or `#id` (external or XPointer references are not followed). */
  | { readonly reason: "unsupported-reference"; readonly signature: number }
  | { readonly reason: "reference-not-found"; readonly signature: number; readonly uri: string }
  /** Two elements carry the referenced id: refused, so a signature cannot be moved onto other content. */
  | { readonly reason: "ambiguous-reference"; readonly signature: number; readonly uri: string }
  | { readonly reason: "digest-mismatch"; readonly signature: number; readonly uri: string }
  | { readonly reason: "signature-mismatch"; readonly signature: number }
  | { readonly reason: "certificate-refused"; readonly signature: number; readonly problem: CertificateProblem };

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
export async function verifyCpixSignatures(body: Uint8Array | string, now: Date): Promise<SignatureVerificationResult> {
  const parsed = parseXmlTree(body);
  if (!parsed.ok) return { ok: false, failure: { reason: "malformed-xml", detail: parsed.failure.detail } };
  const root = parsed.root;
  if (root.namespace !== CPIX_NS || root.localName !== "CPIX") return { ok: false, failure: { reason: "not-cpix" } };
  const ids = indexIds(root);
  const signatures: VerifiedSignature[] = [];
  for (const [i, signature] of childElements(root, XMLDSIG_NS, "Signature").entries()) {
    const checked = await verifySignature(signature, i + 1, root, ids, now);
    if (!checked.ok) return checked;
    signatures.push(checked.signature);
  }
  return { ok: true, signatures };
}

/** One sentence naming the signature and the rule, for an error body or log line. */
export function describeSignatureFailure(failure: SignatureFailure): string {
  const which = "signature" in failure ? `Signature[${failure.signature}]` : "";
  switch (failure.reason) {
    case "malformed-xml":
      return `malformed XML: ${failure.detail}`;
    case "not-cpix":
      return "not a CPIX document";
    case "missing-element":
      return `${which} has no ${failure.element}`;
    case "unsupported-algorithm":
      return `${which} ${failure.element} ${failure.algorithm} is not supported`;
    case "unsupported-reference":
      return `${which} must reference the document ("") or an element by id ("#id")`;
    case "reference-not-found":
      return `${which} references ${failure.uri}, which no element carries as id`;
    case "ambiguous-reference":
      return `${which} references ${failure.uri}, which more than one element carries as id`;
    case "digest-mismatch":
      return `${which} digest of ${failure.uri === "" ? "the document" : failure.uri} does not match: the content changed after signing`;
    case "signature-mismatch":
      return `${which} SignatureValue does not verify with the embedded certificate`;
    case "certificate-refused":
      return describeCertificateProblem(failure.problem, `the certificate of ${which}`);
  }
}

async function verifySignature(
  signature: XmlTreeElement,
  index: number,
  root: XmlTreeElement,
  ids: ReadonlyMap<string, XmlTreeElement | "duplicate">,
  now: Date,
): Promise<{ ok: true; signature: VerifiedSignature } | Failure> {
  const fail = (failure: SignatureFailure): Failure => ({ ok: false, failure });
  const one = (parent: XmlTreeElement | undefined, name: string) => (parent ? childElements(parent, XMLDSIG_NS, name)[0] : undefined);
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
  const signatureMethod = attributeOf(one(signedInfo, "SignatureMethod") ?? signedInfo, "Algorithm") ?? "";
  const hash = RSA_SIGNATURE_METHODS.get(signatureMethod);
  if (!hash)
    return fail({ reason: "unsupported-algorithm", signature: index, element: "SignatureMethod", algorithm: shown(signatureMethod) });
  const references = childElements(signedInfo, XMLDSIG_NS, "Reference");
  if (references.length === 0) return fail({ reason: "missing-element", signature: index, element: "Reference" });
  const signed: { uri: string; element: string }[] = [];
  for (const reference of references) {
    const checked = await checkReference(reference, signature, index, root, ids);
    if (!checked.ok) return checked;
    signed.push(checked.signed);
  }
  const x509Data = one(one(signature, "KeyInfo"), "X509Data");
  const certificates: X509Certificate[] = [];
  for (const text of x509Data ? childElements(x509Data, XMLDSIG_NS, "X509Certificate") : []) {
    const parsed = parseCertificate(textOf(text));
    if (!parsed.ok) return fail({ reason: "certificate-refused", signature: index, problem: parsed.problem });
    certificates.push(parsed.certificate);
  }
  const signer = endEntityCertificate(certificates);
  if (!signer) return fail({ reason: "missing-element", signature: index, element: "KeyInfo/X509Data/X509Certificate" });
  const problem = await certificatePolicyProblem(signer, now);
  if (problem) return fail({ reason: "certificate-refused", signature: index, problem });
  const signatureValue = fromBase64(textOf(one(signature, "SignatureValue") ?? signature));
  if (!signatureValue || signatureValue.length === 0)
    return fail({ reason: "missing-element", signature: index, element: "SignatureValue" });
  const key = await importCertificateKey(signer, { name: "RSASSA-PKCS1-v1_5", hash }, ["verify"]);
  const octets = utf8(canonicalize(signedInfo, canonicalization.options));
  if (!(await crypto.subtle.verify("RSASSA-PKCS1-v1_5", key, signatureValue, octets)))
    return fail({ reason: "signature-mismatch", signature: index });
  return { ok: true, signature: { references: signed, signer } };
}

/** One Reference: dereference (XML-DSig §4.4.3.3), apply the transforms, digest and compare (§3.2.1). */
async function checkReference(
  reference: XmlTreeElement,
  signature: XmlTreeElement,
  index: number,
  root: XmlTreeElement,
  ids: ReadonlyMap<string, XmlTreeElement | "duplicate">,
): Promise<{ ok: true; signed: { uri: string; element: string } } | Failure> {
  const fail = (failure: SignatureFailure): Failure => ({ ok: false, failure });
  const uri = attributeOf(reference, "URI");
  let target: XmlTreeElement | "duplicate" | undefined;
  if (uri === "") target = root;
  else if (uri?.startsWith("#") && !uri.startsWith("#xpointer(")) target = ids.get(uri.slice(1));
  else return fail({ reason: "unsupported-reference", signature: index });
  if (!target) return fail({ reason: "reference-not-found", signature: index, uri: shown(uri) });
  if (target === "duplicate") return fail({ reason: "ambiguous-reference", signature: index, uri: shown(uri) });
  // Without a canonicalization transform a node-set is serialized with Canonical XML 1.0 (XML-DSig §4.4.3.2).
  let options: C14nOptions = { method: "inclusive" };
  let enveloped = false;
  const transforms = childElements(reference, XMLDSIG_NS, "Transforms")[0];
  for (const transform of transforms ? childElements(transforms, XMLDSIG_NS, "Transform") : []) {
    if (attributeOf(transform, "Algorithm") === ENVELOPED_SIGNATURE) {
      enveloped = true;
      continue;
    }
    const c14n = c14nOf(transform);
    if (!c14n.ok) return fail({ reason: "unsupported-algorithm", signature: index, element: "Transform", algorithm: c14n.algorithm });
    options = c14n.options;
  }
  const digestMethod = attributeOf(childElements(reference, XMLDSIG_NS, "DigestMethod")[0] ?? reference, "Algorithm") ?? "";
  const hash = DIGEST_METHODS.get(digestMethod);
  if (!hash) return fail({ reason: "unsupported-algorithm", signature: index, element: "DigestMethod", algorithm: shown(digestMethod) });
  const digestValue = fromBase64(textOf(childElements(reference, XMLDSIG_NS, "DigestValue")[0] ?? reference));
  if (!digestValue || digestValue.length === 0) return fail({ reason: "missing-element", signature: index, element: "DigestValue" });
  const octets = utf8(canonicalize(target, enveloped ? { ...options, exclude: signature } : options));
  const digest = new Uint8Array(await crypto.subtle.digest(hash, octets));
  if (!timingSafeEqual(digest, digestValue)) return fail({ reason: "digest-mismatch", signature: index, uri: shown(uri) });
  return { ok: true, signed: { uri, element: target.localName } };
}

/** A CanonicalizationMethod or Transform naming C14N 1.0 or exclusive C14N (with an optional InclusiveNamespaces list). */
function c14nOf(element: XmlTreeElement | undefined): { ok: true; options: C14nOptions } | { ok: false; algorithm: string } {
  const algorithm = (element && attributeOf(element, "Algorithm")) ?? "";
  if (algorithm === C14N_10) return { ok: true, options: { method: "inclusive" } };
  if (algorithm !== EXC_C14N) return { ok: false, algorithm: shown(algorithm) };
  const list = element!.children.find(
    (c): c is XmlTreeElement => c.kind === "element" && c.namespace === EXC_C14N && c.localName === "InclusiveNamespaces",
  );
  const prefixes =
    list &&
    attributeOf(list, "PrefixList")
      ?.split(/[ \t\n\r]+/)
      .filter(Boolean);
  return { ok: true, options: prefixes?.length ? { method: "exclusive", inclusivePrefixes: prefixes } : { method: "exclusive" } };
}

/** Every element by its unqualified `id` attribute (the xs:ID attributes of CPIX 2.3 §CPIX Element and its lists). */
function indexIds(root: XmlTreeElement): Map<string, XmlTreeElement | "duplicate"> {
  const ids = new Map<string, XmlTreeElement | "duplicate">();
  const visit = (element: XmlTreeElement) => {
    const id = attributeOf(element, "id");
    if (id !== undefined) ids.set(id, ids.has(id) ? "duplicate" : element);
    for (const child of element.children) if (child.kind === "element") visit(child);
  };
  visit(root);
  return ids;
}

/** Values from the document, capped for messages. */
function shown(text: string): string {
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}
