/**
 * One XML-DSig Reference of a CPIX signature: its URI resolved to the document or one of the root's lists (CPIX 2.3
 * §Digital Signature), its transforms applied, its digest compared (XML-DSig §3.2.1, §4.4.3). The canonical form of
 * a target is computed once per set of options and shared by every signature over it (DASH-IF's Complex.xml signs
 * each list twice), and all of one document's References together get a canonicalization budget of twice the
 * document's length, so no arrangement of signatures costs more than a few passes over the document.
 */
import { fromBase64, timingSafeEqual } from "../../domain/bytes";
import { canonicalOctets, type C14nOptions, type CanonicalOctets } from "../../xml/c14n";
import { attributeValue, childElements, firstChildElement, textContent, type XmlDocument, type XmlElement } from "../../xml/tree";
import { XMLDSIG_NS } from "../namespaces";
import { C14N_10, DIGEST_METHODS, ENVELOPED_SIGNATURE, EXC_C14N } from "./algorithms";
import type { SignatureFailure } from "./signature-failure";

/** Prefixes one exclusive C14N PrefixList may name; each is looked up on every element canonicalized. */
export const MAX_INCLUSIVE_PREFIXES = 16;

/** What every Reference of one document is resolved against; made once per document by `referenceContext`. */
export interface ReferenceContext {
  readonly document: XmlDocument;
  /** Every element by its unqualified `id`, resolved once for all References. */
  readonly ids: ReadonlyMap<string, XmlElement | "duplicate">;
  /** Canonical forms already computed, by target and options. */
  readonly canonical: Map<XmlElement, Map<string, CanonicalOctets>>;
  /** Characters of canonical XML still allowed for this document. */
  budget: number;
  readonly limit: number;
}

/**
 * The References' budget: twice the document's length (a document signature and one over each list, DASH-IF's
 * Complex.xml), plus room for the namespaces each list apex renders.
 */
export function referenceContext(document: XmlDocument): ReferenceContext {
  const limit = 2 * document.textLength + 65_536;
  return { document, ids: indexIds(document.root), canonical: new Map(), budget: limit, limit };
}

type Failure = { readonly ok: false; readonly failure: SignatureFailure };
export type ReferenceResult = { readonly ok: true; readonly signed: { readonly uri: string; readonly element: string } } | Failure;

/** One Reference: dereference (XML-DSig §4.4.3.3), apply the transforms, digest and compare (§3.2.1). */
export async function checkReference(
  reference: XmlElement,
  signature: XmlElement,
  index: number,
  context: ReferenceContext,
): Promise<ReferenceResult> {
  const fail = (failure: SignatureFailure): Failure => ({ ok: false, failure });
  const uri = attributeValue(reference, "URI");
  const root = context.document.root;
  let target: XmlElement | "duplicate" | undefined;
  if (uri === "") target = root;
  else if (uri?.startsWith("#") && !uri.startsWith("#xpointer(")) target = context.ids.get(uri.slice(1));
  else return fail({ reason: "unsupported-reference", signature: index });
  if (!target) return fail({ reason: "reference-not-found", signature: index, uri: shown(uri) });
  if (target === "duplicate") return fail({ reason: "ambiguous-reference", signature: index, uri: shown(uri) });
  // CPIX 2.3 §Digital Signature signs the document or its lists: deeper targets would let References nest and
  // canonicalize the same bytes again and again.
  if (target !== root && target.parent !== root) return fail({ reason: "unsupported-target", signature: index, uri: shown(uri) });
  // Without a canonicalization transform a node-set is serialized with Canonical XML 1.0 (XML-DSig §4.4.3.2).
  let options: C14nOptions = { method: "inclusive" };
  let enveloped = false;
  const transforms = firstChildElement(reference, XMLDSIG_NS, "Transforms");
  for (const transform of transforms ? childElements(transforms, XMLDSIG_NS, "Transform") : []) {
    if (attributeValue(transform, "Algorithm") === ENVELOPED_SIGNATURE) {
      enveloped = true;
      continue;
    }
    const c14n = c14nOf(transform);
    if (!c14n.ok) return fail({ reason: "unsupported-algorithm", signature: index, element: "Transform", algorithm: c14n.algorithm });
    options = c14n.options;
  }
  const digestMethod = attributeValue(firstChildElement(reference, XMLDSIG_NS, "DigestMethod") ?? reference, "Algorithm") ?? "";
  const hash = DIGEST_METHODS.get(digestMethod);
  if (!hash) return fail({ reason: "unsupported-algorithm", signature: index, element: "DigestMethod", algorithm: shown(digestMethod) });
  const digestValue = fromBase64(textContent(firstChildElement(reference, XMLDSIG_NS, "DigestValue") ?? reference));
  if (!digestValue || digestValue.length === 0) return fail({ reason: "missing-element", signature: index, element: "DigestValue" });
  // The enveloped-signature transform takes out the Signature only where it lies inside the target (XML-DSig §6.6.4).
  if (enveloped && isInside(signature, target)) options = { ...options, exclude: signature };
  const canonical = canonicalFormOf(target, uri === "", options, index, context);
  if (canonical === undefined) return fail({ reason: "canonicalization-budget", signature: index, limit: context.limit });
  const digest = new Uint8Array(await crypto.subtle.digest(hash, canonical.octets));
  if (!timingSafeEqual(digest, digestValue)) return fail({ reason: "digest-mismatch", signature: index, uri: shown(uri) });
  return { ok: true, signed: { uri, element: target.localName } };
}

/**
 * The canonical form of a target under these options, from the cache or computed within the budget; undefined when
 * the budget is spent. `URI=""` is the whole document less comments, processing instructions around the root
 * included (XML-DSig §4.4.3.3); `#id` is the element's subtree.
 */
function canonicalFormOf(
  target: XmlElement,
  wholeDocument: boolean,
  options: C14nOptions,
  signatureIndex: number,
  context: ReferenceContext,
): CanonicalOctets | undefined {
  // A form that leaves out an enveloped Signature is that signature's own; any other is shared by every signature.
  const excluding = options.exclude ? `without Signature[${signatureIndex}]` : "";
  const key = `${wholeDocument ? "document" : "element"} ${options.method} ${excluding} ${options.inclusivePrefixes?.join(" ") ?? ""}`;
  let forTarget = context.canonical.get(target);
  const cached = forTarget?.get(key);
  if (cached !== undefined) return cached;
  const canonical = spend(context, wholeDocument ? context.document : target, options);
  if (canonical === undefined) return undefined;
  if (!forTarget) context.canonical.set(target, (forTarget = new Map()));
  forTarget.set(key, canonical);
  return canonical;
}

/**
 * A canonical form taken out of the budget, or undefined when it would not fit: the walk stops as soon as the form
 * passes what is left, so no form is ever built longer than the budget.
 */
export function spend(context: ReferenceContext, target: XmlDocument | XmlElement, options: C14nOptions): CanonicalOctets | undefined {
  if (context.budget <= 0) return undefined;
  const canonical = canonicalOctets(target, options, context.budget);
  context.budget = canonical === undefined ? 0 : context.budget - canonical.characters;
  return canonical;
}

/** A CanonicalizationMethod or Transform naming C14N 1.0 or exclusive C14N (with an optional InclusiveNamespaces list). */
export function c14nOf(element: XmlElement | undefined): { ok: true; options: C14nOptions } | { ok: false; algorithm: string } {
  const algorithm = (element && attributeValue(element, "Algorithm")) ?? "";
  if (algorithm === C14N_10) return { ok: true, options: { method: "inclusive" } };
  if (algorithm !== EXC_C14N) return { ok: false, algorithm: shown(algorithm) };
  const list = firstChildElement(element!, EXC_C14N, "InclusiveNamespaces");
  const prefixes =
    list &&
    attributeValue(list, "PrefixList")
      ?.split(/[ \t\n\r]+/)
      .filter(Boolean);
  if (prefixes && prefixes.length > MAX_INCLUSIVE_PREFIXES) {
    return { ok: false, algorithm: `${EXC_C14N} with ${prefixes.length} InclusiveNamespaces prefixes (at most ${MAX_INCLUSIVE_PREFIXES})` };
  }
  return { ok: true, options: prefixes?.length ? { method: "exclusive", inclusivePrefixes: prefixes } : { method: "exclusive" } };
}

function isInside(element: XmlElement, ancestor: XmlElement): boolean {
  for (let node: XmlElement | undefined = element; node; node = node.parent) if (node === ancestor) return true;
  return false;
}

/** Every element by its unqualified `id` attribute (the xs:ID of CPIX 2.3 §CPIX Element and its lists); an id twice is ambiguous. */
function indexIds(root: XmlElement): Map<string, XmlElement | "duplicate"> {
  const ids = new Map<string, XmlElement | "duplicate">();
  const visit = (element: XmlElement) => {
    const id = attributeValue(element, "id");
    if (id !== undefined) ids.set(id, ids.has(id) ? "duplicate" : element);
    for (const child of element.children) if (child.kind === "element") visit(child);
  };
  visit(root);
  return ids;
}

/** Values from the document, capped for messages. */
export function shown(text: string): string {
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}
