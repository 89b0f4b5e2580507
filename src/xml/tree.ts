/**
 * The one XML tree every reader of ours uses: the CPIX reader, the PSKC reader, canonicalization and the XML-DSig
 * verifier all walk the nodes `parseXml` built, so a signature covers exactly the nodes that are read. It holds what
 * the XPath 1.0 data model that Canonical XML 1.0 §2.1 works on holds, less comments: elements with their expanded
 * names, prefixes, namespace declarations and in-scope namespaces, attributes after normalization (XML 1.0
 * §3.3.3), text with references and CDATA sections replaced by their characters (adjacent pieces merged, white space
 * kept), and processing instructions (XML 1.0 §2.6).
 */
import type { NamespaceScope } from "./namespace-scope";

export interface XmlAttribute {
  /** The name as written, e.g. `xml:lang` or `id`. */
  readonly qualifiedName: string;
  readonly prefix: string;
  readonly localName: string;
  /** "" for an unprefixed attribute (Namespaces in XML 1.0 §6.2: the default namespace does not apply to attributes). */
  readonly namespace: string;
  /** The normalized value: literal TAB, LF and CR became spaces, then references were replaced (XML 1.0 §3.3.3). */
  readonly value: string;
}

/** A namespace declaration written on an element: `xmlns` (prefix "") or `xmlns:prefix`, its URI decoded. */
export interface XmlNamespaceDeclaration {
  readonly prefix: string;
  /** "" only for `xmlns=""`, which takes the default namespace away (Namespaces in XML 1.0 §6.2). */
  readonly uri: string;
}

export interface XmlElement {
  readonly kind: "element";
  /** The name as written, e.g. `cpix:ContentKey`. */
  readonly qualifiedName: string;
  readonly prefix: string;
  readonly localName: string;
  /** The namespace URI its prefix (or the default namespace) is bound to; "" for none. */
  readonly namespace: string;
  /** Attributes other than namespace declarations, in document order. */
  readonly attributes: readonly XmlAttribute[];
  /** Its own namespace declarations, in document order. */
  readonly declarations: readonly XmlNamespaceDeclaration[];
  /** The prefixes in scope inside it: its declarations over its parent's scope (shared, never copied). */
  readonly scope: NamespaceScope;
  readonly children: readonly XmlNode[];
  readonly parent: XmlElement | undefined;
}

export interface XmlText {
  readonly kind: "text";
  /** Character data with references and CDATA sections replaced by the characters they stand for. */
  readonly text: string;
}

export interface XmlProcessingInstruction {
  readonly kind: "processing-instruction";
  readonly target: string;
  /** Everything after the white space that follows the target, up to `?>` ("" when there is none). */
  readonly data: string;
}

export type XmlNode = XmlElement | XmlText | XmlProcessingInstruction;

/** A whole document: the root element and the processing instructions around it (comments are not kept). */
export interface XmlDocument {
  readonly root: XmlElement;
  readonly beforeRoot: readonly XmlProcessingInstruction[];
  readonly afterRoot: readonly XmlProcessingInstruction[];
  /** Characters of the decoded text, for budgets that grow with the document (a signature check's canonicalization). */
  readonly textLength: number;
}

/** The element children of `element`, in document order. */
export function elementChildren(element: XmlElement): XmlElement[] {
  const elements: XmlElement[] = [];
  for (const child of element.children) if (child.kind === "element") elements.push(child);
  return elements;
}

/** The element children with this expanded name (namespace URI + local name, never a prefix), in document order. */
export function childElements(element: XmlElement, namespace: string, localName: string): XmlElement[] {
  const elements: XmlElement[] = [];
  for (const child of element.children) {
    if (child.kind === "element" && child.localName === localName && child.namespace === namespace) elements.push(child);
  }
  return elements;
}

/** The first element child with this expanded name. */
export function firstChildElement(element: XmlElement, namespace: string, localName: string): XmlElement | undefined {
  for (const child of element.children) {
    if (child.kind === "element" && child.localName === localName && child.namespace === namespace) return child;
  }
  return undefined;
}

/** An unprefixed attribute's value, or undefined. */
export function attributeValue(element: XmlElement, localName: string): string | undefined {
  for (const attribute of element.attributes) {
    if (attribute.localName === localName && attribute.prefix === "") return attribute.value;
  }
  return undefined;
}

/** All character data directly inside the element (text and CDATA sections), in order, untrimmed. */
export function textContent(element: XmlElement): string {
  let text = "";
  for (const child of element.children) if (child.kind === "text") text += child.text;
  return text;
}
