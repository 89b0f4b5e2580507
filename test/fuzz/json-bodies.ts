import fc from "fast-check";
import { weirdKey, weirdText, type WeirdText } from "./weird-values";

/**
 * JSON bodies as data: objects are entry lists (so duplicate keys and `__proto__` reach the wire as written),
 * every value carries a label that describes it without repeating it.
 */
export interface LabeledJson {
  readonly label: string;
  readonly value: unknown;
}

export type JsonEntries = readonly (readonly [key: string, value: LabeledJson])[];

export type BodyRecipe =
  | { readonly kind: "object"; readonly entries: JsonEntries; readonly truncateAt?: number }
  | { readonly kind: "array"; readonly items: readonly JsonEntries[]; readonly repeat: number }
  | { readonly kind: "json"; readonly value: LabeledJson }
  | { readonly kind: "text"; readonly text: WeirdText }
  | { readonly kind: "empty" };

/** A field value that names itself. */
export function labeled(label: string, arbitrary: fc.Arbitrary<unknown>): fc.Arbitrary<LabeledJson> {
  return arbitrary.map((value) => ({ label, value }));
}

/** Wraps a fixed value whose text is safe to print (a protocol word, a small number). */
export function literal(...values: unknown[]): fc.Arbitrary<LabeledJson> {
  return fc.constantFrom(...values.map((value) => ({ label: JSON.stringify(value) ?? "undefined", value })));
}

/** Values of every JSON type, each with a label. */
export const weirdJson: fc.Arbitrary<LabeledJson> = fc.oneof(
  { weight: 5, arbitrary: weirdText.map((text) => ({ label: text.label, value: text.text })) },
  { weight: 1, arbitrary: labeled("integer", fc.integer()) },
  { weight: 1, arbitrary: literal(-1, 0, 1.5, 2 ** 32, 2 ** 53 + 2, 1e308, -1e308, Number.MIN_VALUE, true, false, null, [], {}) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }).map((value) => ({ label: `json-${jsonKind(value)}`, value })) },
);

export interface FieldOptions {
  /** Fields that end most requests early (an unsupported option): in one mixed object of ten, in no near-valid one. */
  readonly rare?: readonly string[];
  /** Invalid values specific to a field, used beside the generic weird ones. */
  readonly odd?: Readonly<Record<string, fc.Arbitrary<LabeledJson>>>;
}

/**
 * An object with an endpoint's fields. Half are mixed (each field present or not, valid or weird, plus now and
 * then an extra key); half are near-valid (every field valid or absent, then at most one made invalid), so that
 * the fuzzer reaches the success paths and what lies behind the first check.
 */
export function objectEntries(
  fields: Readonly<Record<string, fc.Arbitrary<LabeledJson>>>,
  options: FieldOptions = {},
): fc.Arbitrary<JsonEntries> {
  const keys = Object.keys(fields);
  const invalid = (key: string): fc.Arbitrary<LabeledJson> => {
    const odd = options.odd?.[key];
    return odd ? fc.oneof(odd, weirdJson) : weirdJson;
  };
  const isRare = (key: string) => options.rare?.includes(key) ?? false;
  const present = (entries: readonly (readonly [string, LabeledJson] | null)[]) =>
    entries.filter((entry): entry is readonly [string, LabeledJson] => entry !== null);

  const mixedFields = Object.entries(fields).map(([key, valid]) => {
    const entry = fc.oneof({ weight: 3, arbitrary: valid }, { weight: 1, arbitrary: invalid(key) }).map((value) => [key, value] as const);
    return fc.oneof({ weight: isRare(key) ? 9 : 1, arbitrary: fc.constant(null) }, { weight: 2, arbitrary: entry });
  });
  const extras = fc.oneof(
    { weight: 6, arbitrary: fc.constant([]) },
    { weight: 1, arbitrary: fc.array(fc.tuple(weirdKey, weirdJson), { minLength: 1, maxLength: 2 }) },
  );
  const mixed = fc.tuple(fc.tuple(...mixedFields), extras).map(([entries, extra]): JsonEntries => [...present(entries), ...extra]);

  const validFields = Object.entries(fields)
    .filter(([key]) => !isRare(key))
    .map(([key, valid]) =>
      fc.option(
        valid.map((value) => [key, value] as const),
        { freq: 5 },
      ),
    );
  const oneInvalid = fc.option(fc.oneof(...keys.map((key) => invalid(key).map((value) => [key, value] as const))), { freq: 2 });
  const nearValid = fc.tuple(fc.tuple(...validFields), oneInvalid).map(([entries, replacement]): JsonEntries => {
    const valid = present(entries);
    if (!replacement) return valid;
    const at = valid.findIndex(([key]) => key === replacement[0]);
    return at < 0 ? [...valid, replacement] : valid.map((entry, index) => (index === at ? replacement : entry));
  });
  return fc.oneof(mixed, nearValid);
}

/** A body: mostly an object of the endpoint's fields, sometimes any JSON, text that is not JSON, or nothing. */
export function bodyRecipe(entries: fc.Arbitrary<JsonEntries>): fc.Arbitrary<BodyRecipe> {
  return fc.oneof(
    { weight: 14, arbitrary: entries.map((list): BodyRecipe => ({ kind: "object", entries: list })) },
    {
      weight: 1,
      arbitrary: fc.tuple(entries, fc.nat()).map(([list, at]): BodyRecipe => ({ kind: "object", entries: list, truncateAt: at })),
    },
    { weight: 1, arbitrary: weirdJson.map((value): BodyRecipe => ({ kind: "json", value })) },
    { weight: 1, arbitrary: weirdText.map((text): BodyRecipe => ({ kind: "text", text })) },
    { weight: 1, arbitrary: fc.constant<BodyRecipe>({ kind: "empty" }) },
  );
}

/** A JSON array body (`POST /api/Import/KeySeeds`): a few items, or one item past the 100-item bound. */
export function arrayBodyRecipe(item: fc.Arbitrary<JsonEntries>): fc.Arbitrary<BodyRecipe> {
  return fc.oneof(
    { weight: 10, arbitrary: fc.array(item, { maxLength: 4 }).map((items): BodyRecipe => ({ kind: "array", items, repeat: 1 })) },
    { weight: 1, arbitrary: item.map((entries): BodyRecipe => ({ kind: "array", items: [entries], repeat: 101 })) },
    { weight: 2, arbitrary: bodyRecipe(item) },
  );
}

/** The body's text; `substitute` fills in values that stand for the tenant's own ids. */
export function renderBody(recipe: BodyRecipe, substitute: (value: LabeledJson) => unknown = (value) => value.value): string | undefined {
  const objectText = (entries: JsonEntries) =>
    `{${entries.map(([key, value]) => `${JSON.stringify(key)}:${JSON.stringify(substitute(value)) ?? "null"}`).join(",")}}`;
  switch (recipe.kind) {
    case "object": {
      const text = objectText(recipe.entries);
      return recipe.truncateAt === undefined ? text : text.slice(0, recipe.truncateAt % Math.max(1, text.length));
    }
    case "array":
      return `[${Array.from({ length: recipe.repeat }, () => recipe.items.map(objectText))
        .flat()
        .join(",")}]`;
    case "json":
      return JSON.stringify(recipe.value.value);
    case "text":
      return recipe.text.text;
    case "empty":
      return undefined;
  }
}

/** The body's shape: field names the endpoint knows, value labels, sizes; never the values themselves. */
export function describeBody(recipe: BodyRecipe, knownKeys: readonly string[]): string {
  switch (recipe.kind) {
    case "object":
      return `${entriesShape(recipe.entries, knownKeys)}${recipe.truncateAt === undefined ? "" : " truncated"}`;
    case "array":
      return `[${recipe.items.map((entries) => entriesShape(entries, knownKeys)).join(", ")}]${recipe.repeat > 1 ? ` x${recipe.repeat}` : ""}`;
    case "json":
      return `json ${recipe.value.label}`;
    case "text":
      return `text ${recipe.text.label}`;
    case "empty":
      return "no body";
  }
}

function entriesShape(entries: JsonEntries, knownKeys: readonly string[]): string {
  const printable = new Set([
    ...knownKeys,
    "__proto__",
    "constructor",
    "toString",
    "hasOwnProperty",
    "",
    " ",
    "id",
    "ID",
    "data",
    "isDefault",
  ]);
  return `{${entries.map(([key, value]) => `${printable.has(key) ? JSON.stringify(key) : `key(${key.length})`}: ${value.label}`).join(", ")}}`;
}

function jsonKind(value: unknown): string {
  if (Array.isArray(value)) return `array(${value.length})`;
  if (value === null) return "null";
  if (typeof value === "object") return `object(${Object.keys(value).length})`;
  return typeof value;
}
