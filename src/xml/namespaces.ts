/** The two namespace names XML itself reserves (Namespaces in XML 1.0 §3). */

/** Bound to the `xml` prefix by definition; may be bound to no other prefix. */
export const XML_NS = "http://www.w3.org/XML/1998/namespace";

/** Bound to the `xmlns` prefix by definition; never declared. */
export const XMLNS_NS = "http://www.w3.org/2000/xmlns/";

/** The deepest element nesting read (CPIX ≈ 8 levels; signatures ≈ 7 below the root); keeps every tree walk's recursion bounded. */
export const MAX_XML_DEPTH = 64;
