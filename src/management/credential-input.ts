import { CREDENTIAL_SCOPES, type CredentialScope } from "../tenancy/credentials";
import type { NewTenantCredential } from "../tenancy/tenant-types";
import { InputError, asObject, isoInstant, requiredString } from "./json-fields";

/** Axinom's Name bounds for management resources (Axinom Key Service API help, POST api/ContentKeys: Name 1..256). */
const MAX_NAME_LENGTH = 256;
const FIELDS = ["Name", "Scopes", "ExpiresAt"];

/** `POST /api/Credentials` body `{Name, Scopes, ExpiresAt?}`; each problem named by its field. */
export function parseNewCredential(value: unknown, now: Date): NewTenantCredential {
  const body = asObject(value);
  for (const name of Object.keys(body)) {
    if (!FIELDS.includes(name)) throw new InputError(`Unknown field ${name}; allowed: ${FIELDS.join(", ")}`);
  }
  const name = requiredString(body, "Name", MAX_NAME_LENGTH);
  const scopes = parseScopes(body["Scopes"]);
  const expiresAt = parseExpiresAt(body["ExpiresAt"], now);
  return { name, scopes, ...(expiresAt !== undefined && { expiresAt }) };
}

function parseScopes(value: unknown): CredentialScope[] {
  const rule = `Scopes must be a non-empty array of distinct scopes from ${CREDENTIAL_SCOPES.join(", ")}`;
  if (!Array.isArray(value) || value.length === 0) throw new InputError(rule);
  const scopes = new Set<CredentialScope>();
  for (const [index, scope] of value.entries()) {
    if (!CREDENTIAL_SCOPES.includes(scope)) throw new InputError(`${rule}; Scopes[${index}] is not one of them`);
    if (scopes.has(scope)) throw new InputError(`${rule}; ${String(scope)} appears twice`);
    scopes.add(scope);
  }
  // Listed in one order whatever the request's, so responses compare equal.
  return CREDENTIAL_SCOPES.filter((scope) => scopes.has(scope));
}

/** An instant after `now`. */
function parseExpiresAt(value: unknown, now: Date): string | undefined {
  if (value === undefined || value === null) return undefined;
  const instant = typeof value === "string" ? isoInstant(value) : undefined;
  if (instant === undefined) throw new InputError("ExpiresAt must be an ISO 8601 date and time with an offset, e.g. 2027-01-31T12:00:00Z");
  if (Date.parse(instant) <= now.getTime()) throw new InputError("ExpiresAt must be in the future");
  return instant;
}
