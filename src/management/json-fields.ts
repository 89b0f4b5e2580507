import { KeyId } from "../domain/key-id";

/** A field-level input problem; the message names the field and the rule, never the value. */
export class InputError extends Error {
  override readonly name = "InputError";
}

/** The body as a JSON object, or an InputError naming what was sent instead. */
export function asObject(value: unknown, what = "Request body"): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new InputError(`${what} must be a JSON object`);
  }
  return value as Record<string, unknown>;
}

/** An optional UUID field in canonical lower-case form. */
export function optionalUuid(body: Record<string, unknown>, field: string): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") throw new InputError(`${field} must be a UUID string`);
  const parsed = /^[0-9a-fA-F-]{32,36}$/.test(value.trim()) ? KeyId.parse(value) : undefined;
  if (!parsed) throw new InputError(`${field} must be a UUID such as 40531d9f-806b-4bd6-bb2b-977ce3a78890`);
  return parsed.toString();
}

/** An optional string field of bounded length. */
export function optionalString(body: Record<string, unknown>, field: string, maxLength: number): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") throw new InputError(`${field} must be a string`);
  if (value.length > maxLength) throw new InputError(`${field} must be at most ${maxLength} characters, got ${value.length}`);
  return value;
}

/** A required non-empty string field of bounded length. */
export function requiredString(body: Record<string, unknown>, field: string, maxLength: number): string {
  const value = optionalString(body, field, maxLength);
  if (value === undefined || value.trim() === "") throw new InputError(`${field} is required (1 to ${maxLength} characters)`);
  return value;
}

/** An optional boolean field. */
export function optionalBoolean(body: Record<string, unknown>, field: string): boolean | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "boolean") throw new InputError(`${field} must be true or false`);
  return value;
}

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/i;

/**
 * An ISO 8601 date and time with an offset (the RFC 3339 §5.6 profile, as Axinom writes its dates), e.g.
 * `2027-01-31T12:00:00Z` or `2027-01-31T12:00:00.5+01:00`, as UTC with milliseconds (how every stored instant is
 * written, so they compare as text); undefined when it is not one.
 */
export function isoInstant(text: string): string | undefined {
  const instant = ISO_INSTANT.test(text) ? Date.parse(text) : Number.NaN;
  return Number.isNaN(instant) ? undefined : new Date(instant).toISOString();
}
