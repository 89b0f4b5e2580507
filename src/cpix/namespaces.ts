/**
 * XML namespace URIs a CPIX document uses (CPIX 2.3 §Hierarchical Data Model: "External data types are prefixed
 * with xs:, pskc:, ds: and xenc:"). The reader matches elements by these URIs, never by prefix; the writer binds
 * them to the prefixes below, the ones the AWS SPEKE examples use (some consumers look prefixes up literally).
 */

export const CPIX_NS = "urn:dashif:org:cpix";
/** RFC 6030 §4 (PSKC). */
export const PSKC_NS = "urn:ietf:params:xml:ns:keyprov:pskc";
/** W3C XML Signature (ds:X509Data inside DeliveryKey). */
export const XMLDSIG_NS = "http://www.w3.org/2000/09/xmldsig#";
/** W3C XML Encryption (EncryptionMethod, CipherData inside encrypted values). */
export const XMLENC_NS = "http://www.w3.org/2001/04/xmlenc#";
/** AWS SPEKE v1 extension elements (speke:KeyFormat, speke:KeyFormatVersions, speke:ProtectionHeader). */
export const SPEKE_NS = "urn:aws:amazon:com:speke";
export { XML_NS } from "../xml/namespaces";

/** The prefix the writer gives each namespace it knows. */
export const WRITER_PREFIXES: ReadonlyMap<string, string> = new Map([
  [CPIX_NS, "cpix"],
  [PSKC_NS, "pskc"],
  [XMLDSIG_NS, "ds"],
  [XMLENC_NS, "enc"],
  [SPEKE_NS, "speke"],
]);
