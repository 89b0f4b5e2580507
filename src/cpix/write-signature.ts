/**
 * Renders one XML-DSig `ds:Signature` element (W3C XML Signature 1.1 §4) for a CPIX document, compact (no white
 * space inside, so the canonical SignedInfo is exactly what is written) and declaring its own `ds` prefix, so it
 * can be placed as the last child of `CPIX` (CPIX 2.3 XSD CpixType: `ds:Signature` after every list).
 */
import { toBase64 } from "../domain/bytes";
import { XMLDSIG_NS } from "./namespaces";
import { PrefixAllocator, XmlBuilder } from "./xml-builder";

/** What a signature says: algorithms, one digest per reference, the value and the signer's certificate chain. */
export interface SignatureElementParts {
  readonly canonicalizationMethod: string;
  readonly signatureMethod: string;
  readonly references: readonly {
    /** `""` for the whole document, `#id` for one element. */
    readonly uri: string;
    readonly transforms: readonly string[];
    readonly digestMethod: string;
    /** Empty while the digest is being computed. */
    readonly digestValue: Uint8Array;
  }[];
  /** Empty while SignedInfo is being canonicalized. */
  readonly signatureValue: Uint8Array;
  /** DER certificates, the signer's first (CPIX 2.3 §Digital Signature: the certificate is embedded). */
  readonly certificates: readonly Uint8Array[];
}

/** The `ds:Signature` element as XML text. */
export function writeSignatureElement(parts: SignatureElementParts): string {
  const xml = new XmlBuilder(new PrefixAllocator(), "");
  xml.open(XMLDSIG_NS, "Signature", [["xmlns:ds", XMLDSIG_NS]]);
  xml.open(XMLDSIG_NS, "SignedInfo");
  xml.leaf(XMLDSIG_NS, "CanonicalizationMethod", [["Algorithm", parts.canonicalizationMethod]]);
  xml.leaf(XMLDSIG_NS, "SignatureMethod", [["Algorithm", parts.signatureMethod]]);
  for (const reference of parts.references) {
    xml.open(XMLDSIG_NS, "Reference", [["URI", reference.uri]]);
    if (reference.transforms.length > 0) {
      xml.open(XMLDSIG_NS, "Transforms");
      for (const transform of reference.transforms) xml.leaf(XMLDSIG_NS, "Transform", [["Algorithm", transform]]);
      xml.close(XMLDSIG_NS, "Transforms");
    }
    xml.leaf(XMLDSIG_NS, "DigestMethod", [["Algorithm", reference.digestMethod]]);
    xml.leaf(XMLDSIG_NS, "DigestValue", [], toBase64(reference.digestValue));
    xml.close(XMLDSIG_NS, "Reference");
  }
  xml.close(XMLDSIG_NS, "SignedInfo");
  xml.leaf(XMLDSIG_NS, "SignatureValue", [], toBase64(parts.signatureValue));
  xml.open(XMLDSIG_NS, "KeyInfo");
  xml.open(XMLDSIG_NS, "X509Data");
  for (const certificate of parts.certificates) xml.leaf(XMLDSIG_NS, "X509Certificate", [], toBase64(certificate));
  xml.close(XMLDSIG_NS, "X509Data");
  xml.close(XMLDSIG_NS, "KeyInfo");
  xml.close(XMLDSIG_NS, "Signature");
  return xml.toString();
}
