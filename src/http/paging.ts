/** OData paging as Axinom lists use it (Axinom Key Service API help: "$skip, $top", at most 100 items). */
export const MAX_PAGE_SIZE = 100;
/** Largest `$skip`: deep enough for any real listing, small enough that one request's scan stays bounded. */
export const MAX_SKIP = 1_000_000;

export type Paging = { readonly ok: true; readonly top: number; readonly skip: number } | { readonly ok: false; readonly message: string };

/** Reads `$top` (1..100, default 100) and `$skip` (0..1,000,000, default 0). */
export function readPaging(query: (name: string) => string | undefined): Paging {
  const top = query("$top");
  const skip = query("$skip");
  const topValue = top === undefined ? MAX_PAGE_SIZE : Number(top);
  const skipValue = skip === undefined ? 0 : Number(skip);
  if (!/^\d+$/.test(top ?? "100") || topValue < 1 || topValue > MAX_PAGE_SIZE) {
    return { ok: false, message: `$top must be an integer from 1 to ${MAX_PAGE_SIZE}` };
  }
  if (!/^\d+$/.test(skip ?? "0") || skipValue > MAX_SKIP) {
    return { ok: false, message: `$skip must be an integer from 0 to ${MAX_SKIP}` };
  }
  return { ok: true, top: topValue, skip: skipValue };
}
