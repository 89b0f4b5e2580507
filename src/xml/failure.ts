/**
 * How reading XML fails: `malformed-xml` when the bytes are not a namespace-well-formed XML 1.0 document, with the
 * line and column where it broke; `unsupported-xml` for well-formed XML this service deliberately does not read
 * (a DTD, nesting over MAX_XML_DEPTH, an encoding other than UTF-8 or UTF-16). Messages name the rule, never the
 * document's text beyond a capped name.
 */

export type XmlFailure =
  { readonly reason: "malformed-xml"; readonly detail: string } | { readonly reason: "unsupported-xml"; readonly detail: string };

/** Thrown inside the parser and caught at its edge (`parseXml` returns the failure; it never throws for input). */
export class XmlError extends Error {
  constructor(readonly failure: XmlFailure) {
    super(failure.detail);
  }
}

/** A `malformed-xml` failure at `index` of the decoded text: "line L, column C: problem". */
export function fail(text: string, index: number, problem: string): never {
  throw new XmlError({ reason: "malformed-xml", detail: `${where(text, index)}: ${problem}` });
}

/** An `unsupported-xml` failure (well-formed, but not read here). */
export function unsupported(detail: string): never {
  throw new XmlError({ reason: "unsupported-xml", detail });
}

/** "line L, column C" of an index (1-based, columns in UTF-16 code units). */
export function where(text: string, index: number): string {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf("\n"); i !== -1 && i < index; i = text.indexOf("\n", i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return `line ${line}, column ${index - lineStart + 1}`;
}

/** Names come from the document: cap their length in messages. */
export function shown(name: string): string {
  return name.length > 64 ? `${name.slice(0, 61)}...` : name;
}
