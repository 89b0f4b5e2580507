import type * as v from "valibot";
import { InputError, parseJson } from "./json-fields";

/** A schema of query parameters: each entry one parameter, its value the text (an array entry: every value sent). */
export type QuerySchema<Output = unknown> = v.GenericSchema<unknown, Output> & { readonly entries: v.ObjectEntries };

export type QueryRead<Output> = { readonly ok: true; readonly value: Output } | { readonly ok: false; readonly message: string };

/** Whether a query entry takes every value of a repeated parameter (`?category=9&category=10`). */
export function isListParameter(schema: v.GenericSchema): boolean {
  let inner = schema as v.GenericSchema & { wrapped?: v.GenericSchema };
  while (inner.wrapped !== undefined) inner = inner.wrapped as typeof inner;
  return inner.type === "array";
}

/**
 * Reads the query parameters a schema names: a list parameter gets every value, any other at most one (a repeat is
 * refused, naming it); a problem is a message naming the parameter and its rule, for a 400.
 * @example readQuery(PAGING_QUERY, (name) => c.req.queries(name) ?? []) // { ok: true, value: { $top: undefined, $skip: undefined } }
 */
export function readQuery<Output>(schema: QuerySchema<Output>, queries: (name: string) => readonly string[]): QueryRead<Output> {
  const input: Record<string, string | readonly string[]> = {};
  for (const [name, entry] of Object.entries(schema.entries)) {
    const values = queries(name);
    if (values.length === 0) continue;
    if (isListParameter(entry)) input[name] = values;
    else if (values.length > 1) return { ok: false, message: `${name} may be given once` };
    else input[name] = values[0]!;
  }
  try {
    return { ok: true, value: parseJson(schema, input) };
  } catch (error) {
    if (error instanceof InputError) return { ok: false, message: error.message };
    throw error;
  }
}
