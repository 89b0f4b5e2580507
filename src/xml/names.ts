/**
 * The rules a name or namespace declaration must keep for the writer to put it back as it came: the well-formedness
 * pass (`parse.ts`) asks these about every element name, attribute name and `xmlns` attribute, and refuses
 * the document, with its line and column, when one answers a problem. Each answer names the rule, never the value.
 */
import { XML_NS, XMLNS_NS } from "./namespaces";

/** The usual name: ASCII, an optional prefix and a local name, each an NCName (Namespaces in XML 1.0 §3). */
const ASCII_QNAME = /^(?:[A-Za-z_][-A-Za-z0-9_.]*:)?[A-Za-z_][-A-Za-z0-9_.]*$/;

/**
 * XML 1.0 §2.3 NameStartChar then NameChar*, without the colon (Namespaces in XML 1.0 §3 NCName): the exact rule for
 * names with non-ASCII characters, which the start-tag scanner (start-tag.ts) lets through whatever they are.
 */
const NCNAME =
  /^[A-Z_a-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u02FF\u0370-\u037D\u037F-\u1FFF\u200C-\u200D\u2070-\u218F\u2C00-\u2FEF\u3001-\uD7FF\uF900-\uFDCF\uFDF0-\uFFFD\u{10000}-\u{EFFFF}][-.0-9\u00B7\u0300-\u036F\u203F-\u2040A-Z_a-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u02FF\u0370-\u037D\u037F-\u1FFF\u200C-\u200D\u2070-\u218F\u2C00-\u2FEF\u3001-\uD7FF\uF900-\uFDCF\uFDF0-\uFFFD\u{10000}-\u{EFFFF}]*$/u;

/**
 * Characters no URI reference (RFC 3986 §2) or IRI reference (RFC 3987 §2.2) holds: controls, space, and
 * `"` `<` `>` `\` `^` `` ` `` `{` `|` `}`. Namespaces in XML 1.0 §2.2: a namespace name is a URI reference.
 */
const NOT_IN_URI_REFERENCE = /[\x00-\x20"<>\\^`{|}\x7F]/;

/**
 * Why an element or attribute name cannot be read and written back as a qualified name, or undefined: a local
 * name with at most one prefix, each an NCName (XML 1.0 §2.3 Name; Namespaces in XML 1.0 §3 QName, §7).
 */
export function qualifiedNameProblem(name: string): string | undefined {
  if (isAsciiQualifiedName(name)) return undefined;
  const parts = name.split(":");
  if (parts.length > 2 || parts.includes("")) {
    return "must be a prefix and a local name around one colon (Namespaces in XML 1.0 §3 QName)";
  }
  if (!parts.every((part) => NCNAME.test(part))) return "is not an XML name (XML 1.0 §2.3 Name, Namespaces in XML 1.0 §3 NCName)";
  return undefined;
}

/**
 * Why a namespace declaration (`xmlns` or `xmlns:prefix` with its value after reference decoding) breaks
 * Namespaces in XML 1.0 §3, or undefined.
 */
export function namespaceDeclarationProblem(attributeName: string, uri: string): string | undefined {
  const prefix = attributeName === "xmlns" ? undefined : attributeName.slice("xmlns:".length);
  if (prefix === "xmlns") return "declares the reserved prefix xmlns (Namespaces in XML 1.0 §3)";
  if (prefix === "xml" && uri !== XML_NS) return `may only bind the prefix xml to ${XML_NS} (Namespaces in XML 1.0 §3)`;
  if (prefix !== "xml" && (uri === XML_NS || uri === XMLNS_NS)) {
    return "binds a reserved namespace name (Namespaces in XML 1.0 §3)";
  }
  if (prefix !== undefined && uri === "") return "must not be empty for a prefix (Namespaces in XML 1.0 §3)";
  if (NOT_IN_URI_REFERENCE.test(uri)) {
    return 'must be a URI reference, without spaces, controls or any of " < > \\ ^ ` { | } (Namespaces in XML 1.0 §2.2, RFC 3986 §2)';
  }
  return undefined;
}

/**
 * Why a processing instruction target is refused, or undefined: an XML name without a colon (XML 1.0 §2.6 PITarget,
 * Namespaces in XML 1.0 §7), and not `xml` in any case, which XML reserves (§2.6; the declaration is read apart).
 */
export function processingInstructionTargetProblem(target: string): string | undefined {
  if (target === "") return "has no target (XML 1.0 §2.6 PITarget)";
  if (target.toLowerCase() === "xml") return "may not be named xml, which is reserved (XML 1.0 §2.6)";
  if (target.includes(":")) return "target may not hold a colon (Namespaces in XML 1.0 §7)";
  if (!ASCII_QNAME.test(target) && !NCNAME.test(target)) return "target is not an XML name (XML 1.0 §2.3 Name)";
  return undefined;
}

/**
 * ASCII_QNAME by index, for the names of every start tag: `[A-Za-z_][-A-Za-z0-9_.]*`, optionally twice around one
 * colon. False for anything else, which the patterns then judge.
 */
function isAsciiQualifiedName(name: string): boolean {
  let partStart = 0;
  let colonSeen = false;
  for (let i = 0; i < name.length; i++) {
    const code = name.charCodeAt(i);
    const letter = (code >= 0x61 && code <= 0x7a) || (code >= 0x41 && code <= 0x5a) || code === 0x5f;
    if (i === partStart) {
      if (!letter) return false;
    } else if (code === 0x3a /* : */) {
      if (colonSeen) return false;
      colonSeen = true;
      partStart = i + 1;
    } else if (!letter && !(code >= 0x30 && code <= 0x39) && code !== 0x2d && code !== 0x2e) {
      return false;
    }
  }
  return name.length > partStart;
}
