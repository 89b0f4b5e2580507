import * as v from "valibot";
import { optional } from "./json-fields";
import { readQuery, type QueryRead } from "./query";
import { openApiMetadata } from "./schema-doc";

/** OData paging as Axinom lists use it (Axinom Key Service API help: "$skip, $top", at most 100 items). */
export const MAX_PAGE_SIZE = 100;
/**
 * Largest `$skip`: far past any list a tenant holds, and small enough that the value stays a safe integer all
 * the way into SQLite's `OFFSET` (a 20-digit `$skip` became a float there and the list answered 500).
 */
export const MAX_SKIP = 1_000_000;

/** A decimal integer parameter in `min..max`; the text decides (digits only), not `Number`'s leniency. */
export function decimalParameter(name: string, min: number, max: number, absent: number) {
  const rule = `${name} must be an integer from ${min} to ${max}`;
  return optional(
    v.pipe(
      v.string(rule),
      v.rawTransform(({ dataset, addIssue, NEVER }) => {
        const value = integerInRange(dataset.value, min, max);
        if (value === undefined) addIssue({ message: rule });
        return value ?? NEVER;
      }),
      openApiMetadata(__OPENAPI__ && { pattern: "^[0-9]+$", description: `An integer from ${min} to ${max}; default ${absent}` }),
    ),
  );
}

/** `$top` (an integer 1..100, default 100) and `$skip` (an integer 0..1,000,000, default 0). */
export const PAGING_QUERY = v.object({
  $top: decimalParameter("$top", 1, MAX_PAGE_SIZE, MAX_PAGE_SIZE),
  $skip: decimalParameter("$skip", 0, MAX_SKIP, 0),
});

export type Paging = QueryRead<{ readonly top: number; readonly skip: number }>;

/**
 * Reads `$top` and `$skip`; anything else is a message naming the parameter and its range, for a 400.
 * @example readPaging((name) => c.req.queries(name) ?? []) // { ok: true, value: { top: 100, skip: 0 } } without either parameter
 */
export function readPaging(queries: (name: string) => readonly string[]): Paging {
  const read = readQuery(PAGING_QUERY, queries);
  return read.ok ? { ok: true, value: { top: read.value.$top ?? MAX_PAGE_SIZE, skip: read.value.$skip ?? 0 } } : read;
}

/** Decimal digits only (no sign, point, exponent or blank), then the range. */
function integerInRange(text: string, min: number, max: number): number | undefined {
  // Leading zeros are allowed ("007"); more than 7 significant digits is out of range before any conversion.
  const digits = /^\d+$/.test(text) ? text.replace(/^0+(?=\d)/, "") : undefined;
  if (digits === undefined || digits.length > String(max).length) return undefined;
  const value = Number(digits);
  return value >= min && value <= max ? value : undefined;
}
