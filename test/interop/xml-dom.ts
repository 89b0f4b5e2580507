/**
 * @xmldom/xmldom and xml-crypto (devDependencies), loaded without their type declarations: xmldom 0.8's
 * `index.d.ts` pulls in `lib="dom"`, which would retype WebCrypto for the whole project. These are the few members
 * the interop tests use.
 */
import { createRequire } from "node:module";

export interface DomElement {
  readonly localName: string | null;
  readonly namespaceURI: string | null;
  readonly textContent: string | null;
  readonly childNodes: ArrayLike<DomElement>;
  getAttribute(name: string): string | null;
  getElementsByTagNameNS(namespace: string, localName: string): ArrayLike<DomElement>;
}

export interface DomDocument extends DomElement {
  readonly documentElement: DomElement;
}

interface XmlDomModule {
  DOMParser: new () => { parseFromString(xml: string, type: string): DomDocument };
}

interface Canonicalizer {
  process(node: DomElement, options: Record<string, unknown>): string;
}

interface XmlCryptoModule {
  SignedXml: new (options: { publicCert?: string; privateKey?: string }) => {
    loadSignature(signature: DomElement): void;
    checkSignature(xml: string): boolean;
  };
  C14nCanonicalization: new () => Canonicalizer;
  /** The namespaces in scope above the node an XPath selects, for inclusive C14N of a subtree. */
  findAncestorNs(document: DomDocument, xpath: string): unknown[];
  ExclusiveCanonicalization: new () => Canonicalizer;
}

const require = createRequire(import.meta.url);
const xmldom = require("@xmldom/xmldom") as XmlDomModule;
export const xmlCrypto = require("xml-crypto") as XmlCryptoModule;

/** Parses XML text with @xmldom/xmldom. */
export function parseDom(xml: string): DomDocument {
  return new xmldom.DOMParser().parseFromString(xml, "text/xml");
}
