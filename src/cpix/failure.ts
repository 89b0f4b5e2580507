/**
 * Why a body could not be read as CPIX. Failures name the element, attribute and rule, never a value from the
 * document (keys, bodies), so a protocol can put them on the wire and in logs as they are.
 */
export type CpixReadFailure =
  /** Not well-formed XML (XML 1.0 §2.1), or not decodable as UTF-8/UTF-16; `detail` says where. */
  | { readonly reason: "malformed-xml"; readonly detail: string }
  /** Well-formed but using XML features this service refuses (DTDs, other encodings, absurd nesting). */
  | { readonly reason: "unsupported-xml"; readonly detail: string }
  /** Well-formed XML whose root is not `{urn:dashif:org:cpix}CPIX`. */
  | { readonly reason: "not-cpix"; readonly detail: string }
  | { readonly reason: "missing-element"; readonly element: string; readonly path: string }
  /** More `element` children of `path` than one request may carry (src/domain/request-limits.ts). */
  | {
      readonly reason: "too-many-elements";
      readonly element: string;
      readonly count: number;
      readonly limit: number;
      readonly path: string;
    }
  | { readonly reason: "invalid-element"; readonly element: string; readonly rule: string; readonly path: string }
  | { readonly reason: "missing-attribute"; readonly element: string; readonly attribute: string; readonly path: string }
  | {
      readonly reason: "invalid-attribute";
      readonly element: string;
      readonly attribute: string;
      readonly rule: string;
      readonly path: string;
    };

/**
 * One line describing a failure, for error bodies and logs.
 * @example describeCpixReadFailure({ reason: "missing-attribute", element: "ContentKey", attribute: "kid", path: "CPIX/ContentKeyList/ContentKey[1]" })
 * // "ContentKey@kid is missing (CPIX/ContentKeyList/ContentKey[1])"
 */
export function describeCpixReadFailure(failure: CpixReadFailure): string {
  switch (failure.reason) {
    case "malformed-xml":
      return `malformed XML: ${failure.detail}`;
    case "unsupported-xml":
      return `unsupported XML: ${failure.detail}`;
    case "not-cpix":
      return `not a CPIX document: ${failure.detail}`;
    case "missing-element":
      return `${failure.element} is missing (${failure.path})`;
    case "too-many-elements":
      return `${failure.path} has ${failure.count} ${failure.element} elements; one request may carry at most ${failure.limit}`;
    case "invalid-element":
      return `${failure.element} ${failure.rule} (${failure.path})`;
    case "missing-attribute":
      return `${failure.element}@${failure.attribute} is missing (${failure.path})`;
    case "invalid-attribute":
      return `${failure.element}@${failure.attribute} ${failure.rule} (${failure.path})`;
  }
}

/** Carries a failure out of the nested reading functions to `readCpix`, which turns it back into data. */
export class CpixReadError extends Error {
  constructor(readonly failure: CpixReadFailure) {
    super(describeCpixReadFailure(failure));
    this.name = "CpixReadError";
  }
}
