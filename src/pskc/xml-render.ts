/**
 * A tiny tree-to-text XML writer for PSKC documents: qualified names as written (the prefixes are declared on the
 * root by the caller), attribute and text escaping from the CPIX writer's rules, two-space indentation.
 */
import { escapeXmlAttribute, escapeXmlText } from "../xml/escape";

/** An element: its qualified name, attributes in order, and either text or child elements. */
export interface XmlNode {
  readonly name: string;
  readonly attributes: readonly (readonly [name: string, value: string])[];
  readonly content: string | readonly XmlNode[];
}

/** An element with text (escaped when rendered) or children; an empty string or list renders `<name/>`. */
export function xmlElement(name: string, attributes: XmlNode["attributes"] = [], content: XmlNode["content"] = []): XmlNode {
  return { name, attributes, content };
}

/** The document: an XML declaration (UTF-8, XML 1.0 §4.3.3) and the root element, ending with a newline. */
export function renderXmlDocument(root: XmlNode): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n${renderElement(root, "")}\n`;
}

function renderElement(node: XmlNode, indent: string): string {
  const start = `${indent}<${node.name}${node.attributes.map(([name, value]) => ` ${name}="${escapeXmlAttribute(value)}"`).join("")}`;
  if (node.content.length === 0) return `${start}/>`;
  if (typeof node.content === "string") return `${start}>${escapeXmlText(node.content)}</${node.name}>`;
  const children = node.content.map((child) => renderElement(child, `${indent}  `)).join("\n");
  return `${start}>\n${children}\n${indent}</${node.name}>`;
}
