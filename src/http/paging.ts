/** OData paging as Axinom lists use it (Axinom Key Service API help: "$skip, $top", at most 100 items). */
export const MAX_PAGE_SIZE = 100;
/**
 * Largest `$skip`: far past any list a tenant holds, and small enough that the value stays a safe integer all
 * the way into SQLite's `OFFSET` (a 20-digit `$skip` became a float there and the list answered 500).
 */
export const MAX_SKIP = 1_000_000;

export type Paging = { readonly ok: true; readonly top: number; readonly skip: number } | { readonly ok: false; readonly message: string };

/**
 * Reads `$top` (an integer 1..100, default 100) and `$skip` (an integer 0..1,000,000, default 0); anything else
 * is a message naming the parameter and its range, for a 400.
 * @example readPaging((name) => c.req.query(name)) // { ok: true, top: 100, skip: 0 } without either parameter
 */
export function readPaging(query: (name: string) => string | undefined): Paging {
  const top = integerInRange(query("$top"), 1, MAX_PAGE_SIZE, MAX_PAGE_SIZE);
  if (top === undefined) return { ok: false, message: `$top must be an integer from 1 to ${MAX_PAGE_SIZE}` };
  const skip = integerInRange(query("$skip"), 0, MAX_SKIP, 0);
  if (skip === undefined) return { ok: false, message: `$skip must be an integer from 0 to ${MAX_SKIP}` };
  return { ok: true, top, skip };
}

/** Decimal digits only (no sign, point, exponent or blank), then the range: the text decides, not `Number`'s leniency. */
function integerInRange(text: string | undefined, min: number, max: number, absent: number): number | undefined {
  if (text === undefined) return absent;
  // Leading zeros are allowed ("007"); more than 7 significant digits is out of range before any conversion.
  const digits = /^\d+$/.test(text) ? text.replace(/^0+(?=\d)/, "") : undefined;
  if (digits === undefined || digits.length > String(max).length) return undefined;
  const value = Number(digits);
  return value >= min && value <= max ? value : undefined;
}
