import * as v from "valibot";
import { KeyId } from "../domain/key-id";
import { openApiMetadata } from "./schema-doc";

/**
 * Schemas of JSON request fields (valibot), each carrying the message our clients read when it is broken. The same
 * schema objects validate a request (`parseJson`) and describe it in `GET /api/openapi.json` (src/openapi/), so
 * the published shape cannot drift from the enforced one. Messages name the field and the rule, never the value.
 */

/** A field-level input problem; the message names the field and the rule, never the value. */
export class InputError extends Error {
  override readonly name = "InputError";
}

/** A schema of a JSON request value (input unknown JSON, output the typed request). */
export type JsonSchema<Output = unknown> = v.GenericSchema<unknown, Output>;

/** Stands for the index of the innermost array item in a message ("Item {index}: …"), filled in by `parseJson`. */
export const ITEM_INDEX = "{index}";
/** The UUID messages show as an example of the form every Id takes. */
export const UUID_EXAMPLE = "40531d9f-806b-4bd6-bb2b-977ce3a78890";

/**
 * Runs a schema over a parsed JSON value: its output, or an InputError with the first problem's message.
 * @example const seed = parseJson(NEW_KEY_SEED, await request.json()); // throws InputError("Name is required (1 to 256 characters)")
 */
export function parseJson<Output>(schema: JsonSchema<Output>, value: unknown): Output {
  const result = v.safeParse(schema, value, { abortEarly: true });
  if (result.success) return result.output;
  throw new InputError(issueMessage(result.issues[0]));
}

function issueMessage(issue: v.BaseIssue<unknown>): string {
  const item = issue.path?.findLast((step) => step.type === "array");
  return issue.message.replaceAll(ITEM_INDEX, String(item?.key ?? ""));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * A JSON object of the given fields. A missing required field gets that field's own message (the one it gives for
 * `undefined`); with `unknownField`, a field not listed is refused with the message it returns.
 */
export function jsonObject<const Entries extends v.ObjectEntries>(
  entries: Entries,
  options: { readonly what?: string; readonly notObject?: string; readonly unknownField?: (name: string) => string } = {},
) {
  const message = (issue: v.BaseIssue<unknown>): string => {
    if (issue.expected === "never") return options.unknownField!(String(issue.input));
    const field = String(issue.path?.[0]?.key ?? "");
    const own = Object.hasOwn(entries, field) ? v.safeParse(entries[field]!, undefined).issues?.[0] : undefined;
    // The field's own message, its item index left for parseJson to fill from this issue's path.
    return own ? own.message : `${field} is required`;
  };
  const object = options.unknownField ? v.strictObject(entries, message) : v.object(entries, message);
  // Arrays are objects to valibot; the JSON object check comes first, with the message every route gave.
  const notObject = options.notObject ?? `${options.what ?? "Request body"} must be a JSON object`;
  return v.pipe(v.custom<Record<string, unknown>>(isRecord, notObject), object);
}

/** Absent or `null`: undefined, as Axinom's clients send both for "not given". */
export function optional<const Schema extends v.GenericSchema>(schema: Schema) {
  return v.pipe(
    v.nullish(schema),
    v.transform((value) => value ?? undefined),
  );
}

/** A string of at most `maxLength` characters. */
export function text(field: string, maxLength: number) {
  return v.pipe(
    v.string(`${field} must be a string`),
    v.maxLength(maxLength, (issue) => `${field} must be at most ${maxLength} characters, got ${issue.received}`),
  );
}

/** A required string of 1 to `maxLength` characters, not only blanks; absent, `null` or blank is "required". */
export function requiredText(field: string, maxLength: number) {
  const required = `${field} is required (1 to ${maxLength} characters)`;
  return v.pipe(
    v.string((issue) => (issue.input === undefined || issue.input === null ? required : `${field} must be a string`)),
    v.maxLength(maxLength, (issue) => `${field} must be at most ${maxLength} characters, got ${issue.received}`),
    v.minLength(1, required),
    v.check((value) => value.trim() !== "", required),
  );
}

/** `true` or `false`. */
export function flag(field: string) {
  return v.boolean(`${field} must be true or false`);
}

/** A UUID (hyphens optional) in its canonical lower-case form; `message`, when given, for every problem. */
export function uuid(field: string, message?: string) {
  const invalid = message ?? `${field} must be a UUID such as ${UUID_EXAMPLE}`;
  return v.pipe(
    v.string(message ?? `${field} must be a UUID string`),
    v.regex(/^\s*[0-9a-fA-F-]{32,36}\s*$/, invalid),
    v.rawTransform(({ dataset, addIssue, NEVER }) => {
      const id = KeyId.parse(dataset.value)?.toString();
      if (id === undefined) addIssue({ message: invalid });
      return id ?? NEVER;
    }),
    openApiMetadata(__OPENAPI__ && { examples: [UUID_EXAMPLE] }),
  );
}

/** An ISO 8601 instant with an offset, as UTC with milliseconds (see `isoInstant`); the pattern is published as is. */
export function instant(message: string) {
  return v.pipe(
    v.string(message),
    v.regex(ISO_INSTANT, message),
    v.rawTransform(({ dataset, addIssue, NEVER }) => {
      const value = isoInstant(dataset.value);
      if (value === undefined) addIssue({ message });
      return value ?? NEVER;
    }),
    openApiMetadata(__OPENAPI__ && { examples: ["2027-01-31T12:00:00Z"] }),
  );
}

/**
 * An array whose items, by `key`, appear once; a repeat is refused with `message(item, index, firstIndex)`. Items
 * whose key is undefined (e.g. an Id left for the service to generate) are never repeats.
 */
export function distinctItems<Item>(key: (item: Item) => unknown, message: (item: Item, index: number, firstIndex: number) => string) {
  return v.rawCheck<Item[]>(({ dataset, addIssue }) => {
    if (!dataset.typed) return;
    const firstIndexOf = new Map<unknown, number>();
    for (const [index, item] of dataset.value.entries()) {
      const itemKey = key(item);
      if (itemKey === undefined) continue;
      const first = firstIndexOf.get(itemKey);
      if (first !== undefined) return addIssue({ message: message(item, index, first) });
      firstIndexOf.set(itemKey, index);
    }
  });
}

/** Without flags, so that JSON Schema's `pattern` (ECMA-262, no flags) says the same. */
export const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?([Zz]|[+-]\d{2}:\d{2})$/;

/**
 * An ISO 8601 date and time with an offset (the RFC 3339 §5.6 profile, as Axinom writes its dates), e.g.
 * `2027-01-31T12:00:00Z` or `2027-01-31T12:00:00.5+01:00`, as UTC with milliseconds (how every stored instant is
 * written, so they compare as text); undefined when it is not one.
 */
export function isoInstant(text: string): string | undefined {
  if (!ISO_INSTANT.test(text)) return undefined;
  // Date.parse rolls a day the month lacks over (2026-02-30 is 2 March): the date must read back as written (RFC 3339 §5.7).
  const date = text.slice(0, 10);
  const day = Date.parse(date);
  const instant = Date.parse(text);
  if (Number.isNaN(day) || Number.isNaN(instant) || new Date(day).toISOString().slice(0, 10) !== date) return undefined;
  const utc = new Date(instant).toISOString();
  // An offset can carry 9999-12-31 into year 10000 (or 0000-01-01 into year -1), which toISOString writes with six
  // digits and a sign: no RFC 3339 date-time (§5.6 date-fullyear) and, compared as text, before every stored instant.
  return utc.length === 24 ? utc : undefined;
}
