/**
 * Prefix → namespace URI scopes (Namespaces in XML 1.0 §5–§6), shared by the well-formedness scan, which checks
 * every element's names against them, and by the readers that resolve names. Each element's bindings sit over its
 * parent's; lookups walk up the chain (at most MAX_XML_DEPTH links) and nothing is copied, so a document declaring
 * many prefixes costs no more per element than one declaring few.
 */
import type { XmlFailure } from "./failure";
import { XML_NS } from "./namespaces";

export interface NamespaceScope {
  readonly bindings: ReadonlyMap<string, string>;
  readonly parent: NamespaceScope | undefined;
}

/** The `xml` prefix, bound by definition (Namespaces in XML 1.0 §3). */
export const XML_SCOPE: NamespaceScope = { bindings: new Map([["xml", XML_NS]]), parent: undefined };

export function lookupNamespace(scope: NamespaceScope | undefined, prefix: string): string | undefined {
  for (let frame = scope; frame; frame = frame.parent) {
    const uri = frame.bindings.get(prefix);
    if (uri !== undefined) return uri;
  }
  return undefined;
}

/** `p:local` → ["p", "local"]; an unprefixed name → ["", name]. */
export function splitName(qualifiedName: string): [prefix: string, localName: string] {
  const colon = qualifiedName.indexOf(":");
  return colon === -1 ? ["", qualifiedName] : [qualifiedName.slice(0, colon), qualifiedName.slice(colon + 1)];
}

/** An element or attribute prefix no declaration in scope binds (Namespaces in XML 1.0 §5 NSC: Prefix Declared). */
export function undeclaredPrefix(prefix: string, name: string, position: string): Extract<XmlFailure, { reason: "malformed-xml" }> {
  return {
    reason: "malformed-xml",
    detail: `${position}: namespace prefix "${prefix.slice(0, 64)}" of ${name.slice(0, 64)} is not declared`,
  };
}

/** Two attributes of one element with one expanded name (Namespaces in XML 1.0 §6.3). */
export function duplicateExpandedName(
  elementName: string,
  attributeName: string,
  position: string,
): Extract<XmlFailure, { reason: "malformed-xml" }> {
  return {
    reason: "malformed-xml",
    detail: `${position}: two attributes of ${elementName.slice(0, 64)} have the expanded name of ${attributeName.slice(0, 64)} (Namespaces in XML 1.0 §6.3)`,
  };
}
