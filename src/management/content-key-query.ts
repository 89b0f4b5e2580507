import {
  CREATION_METHOD,
  type ComparisonOperator,
  type ContentKeyCondition,
  type ContentKeyOrderField,
  type ContentKeyQuery,
  type CreationMethod,
} from "../tenancy/content-key-types";
import { isoInstant } from "../http/json-fields";

/**
 * The OData subset `GET /api/ContentKeys` takes (Axinom Key Service API help, GET api/ContentKeys: "$filter, $orderby,
 * $select, $skip, $top"; we take all but $select): `$filter` conditions on Name, Created and CreationMethod with eq, ne,
 * gt, ge, lt, le (OData v4.01 Part 2 URL Conventions §5.1.1.1), joined by `and`, plus contains(Name,'…') and
 * startswith(Name,'…') (§5.1.1.7); `$orderby` by those fields, asc or desc (§5.1.4). Anything else is refused with a
 * message naming what is not supported, never ignored.
 */

/** Longest `$filter` text and most conditions one takes: bounded work per list request. */
export const MAX_FILTER_LENGTH = 1_024;
export const MAX_FILTER_CONDITIONS = 8;

const FIELDS = ["Name", "Created", "CreationMethod"] as const;
const COMPARISONS: readonly ComparisonOperator[] = ["eq", "ne", "gt", "ge", "lt", "le"];
const FUNCTIONS = ["contains", "startswith"] as const;
const SUPPORTED =
  "supported: Name, Created and CreationMethod compared with eq, ne, gt, ge, lt or le, contains(Name,'text'), startswith(Name,'text'), joined by and";
const CREATION_METHODS = new Set<number>(Object.values(CREATION_METHOD));

type Token = { readonly kind: "string" | "word" | "number" | "punctuation"; readonly text: string };

/** `$filter` alone (an export's `Filter`), as conditions or a message. */
export function parseFilter(text: string): ContentKeyCondition[] | string {
  if (text.length > MAX_FILTER_LENGTH) return `must be at most ${MAX_FILTER_LENGTH} characters, got ${text.length}`;
  const tokens = tokenize(text);
  if (typeof tokens === "string") return tokens;
  if (tokens.length === 0) return `is empty; ${SUPPORTED}`;
  const conditions: ContentKeyCondition[] = [];
  let at = 0;
  for (;;) {
    const condition = parseCondition(tokens, at);
    if (typeof condition === "string") return condition;
    conditions.push(condition.condition);
    at = condition.next;
    if (at === tokens.length) break;
    const joiner = tokens[at]!;
    if (joiner.text !== "and") return `${quote(joiner)} is not supported here; ${SUPPORTED}`;
    at++;
    if (conditions.length === MAX_FILTER_CONDITIONS) return `at most ${MAX_FILTER_CONDITIONS} conditions`;
  }
  return conditions;
}

function parseCondition(tokens: readonly Token[], at: number): { condition: ContentKeyCondition; next: number } | string {
  const first = tokens[at];
  if (!first) return `ends after "and"; ${SUPPORTED}`;
  if (first.kind === "word" && (FUNCTIONS as readonly string[]).includes(first.text)) {
    const [open, field, comma, value, close] = tokens.slice(at + 1, at + 6);
    if (open?.text !== "(" || comma?.text !== "," || close?.text !== ")") return `${first.text} takes (Name,'text')`;
    if (field?.text !== "Name") return `${first.text} is supported on Name only, got ${quote(field)}`;
    if (value?.kind !== "string") return `${first.text}(Name, …) needs a quoted string such as 'movie'`;
    const operator = first.text as (typeof FUNCTIONS)[number];
    return { condition: { field: "Name", operator, value: unquote(value.text) }, next: at + 6 };
  }
  if (first.kind !== "word" || !(FIELDS as readonly string[]).includes(first.text)) {
    return `${quote(first)} is not supported; ${SUPPORTED}`;
  }
  const field = first.text as (typeof FIELDS)[number];
  const operatorToken = tokens[at + 1];
  const operator = operatorToken?.text as ComparisonOperator | undefined;
  if (!operator || !COMPARISONS.includes(operator)) return `the operator ${quote(operatorToken)} is not supported; ${SUPPORTED}`;
  const literal = tokens[at + 2];
  if (!literal) return `${field} ${operator} needs a value`;
  const next = at + 3;
  switch (field) {
    case "Name":
      if (literal.kind !== "string") return `Name is compared with a quoted string such as 'movie', got ${quote(literal)}`;
      return { condition: { field, operator, value: unquote(literal.text) }, next };
    case "Created": {
      const instant = isoInstant(literal.kind === "string" ? unquote(literal.text) : literal.text);
      if (!instant) return `Created is compared with a date and time with an offset such as 2026-11-23T18:00:00Z, got ${quote(literal)}`;
      return { condition: { field, operator, value: instant }, next };
    }
    case "CreationMethod": {
      const method = literal.kind === "number" && /^\d$/.test(literal.text) ? Number(literal.text) : Number.NaN;
      if (!CREATION_METHODS.has(method))
        return `CreationMethod is compared with 0 (Random), 1 (KeySeed) or 2 (Import), got ${quote(literal)}`;
      return { condition: { field, operator, value: method as CreationMethod }, next };
    }
  }
}

/** `$orderby`: up to three distinct fields, each optionally followed by asc or desc. */
export function parseOrderBy(text: string): ContentKeyQuery["orderBy"] | string {
  const items = text.split(",").map((item) => item.trim().split(/\s+/));
  if (items.length > FIELDS.length) return `at most ${FIELDS.length} fields`;
  const order: { field: ContentKeyOrderField; descending: boolean }[] = [];
  for (const [field, direction, ...rest] of items) {
    if (!field || !(FIELDS as readonly string[]).includes(field))
      return `"${field ?? ""}" is not supported; order by Name, Created or CreationMethod`;
    if (rest.length > 0 || (direction !== undefined && direction !== "asc" && direction !== "desc")) {
      return `${field} may be followed by asc or desc only`;
    }
    if (order.some((key) => key.field === field)) return `${field} is named twice`;
    order.push({ field: field as ContentKeyOrderField, descending: direction === "desc" });
  }
  return order;
}

const TOKEN = /\s*(?:('(?:[^']|'')*')|([A-Za-z_][A-Za-z0-9_]*)|([0-9][0-9A-Za-z:.+-]*)|([(),]))/y;

function tokenize(text: string): Token[] | string {
  const tokens: Token[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < text.length) {
    if (/^\s*$/.test(text.slice(TOKEN.lastIndex))) break;
    const at = TOKEN.lastIndex;
    const match = TOKEN.exec(text);
    if (!match) {
      const rest = text.slice(at).trimStart();
      return rest.startsWith("'")
        ? "a string is not closed (write ' inside a string as '')"
        : `unexpected "${rest.charAt(0)}"; ${SUPPORTED}`;
    }
    const [, string, word, number, punctuation] = match;
    if (string !== undefined) tokens.push({ kind: "string", text: string });
    else if (word !== undefined) tokens.push({ kind: "word", text: word });
    else if (number !== undefined) tokens.push({ kind: "number", text: number });
    else tokens.push({ kind: "punctuation", text: punctuation! });
  }
  return tokens;
}

function unquote(literal: string): string {
  return literal.slice(1, -1).replace(/''/g, "'");
}

function quote(token: Token | undefined): string {
  return token === undefined ? "nothing" : `"${token.text.length > 40 ? `${token.text.slice(0, 40)}…` : token.text}"`;
}
