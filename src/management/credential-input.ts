import * as v from "valibot";
import { ACQUISITION_PROTOCOLS, CREDENTIAL_SCOPES, type AcquisitionProtocol, type CredentialScope } from "../tenancy/credentials";
import type { NewTenantCredential } from "../tenancy/tenant-types";
import { ITEM_INDEX, InputError, distinctItems, instant, jsonObject, optional, parseJson, requiredText } from "../http/json-fields";
import { openApiDescription } from "../http/schema-doc";

/** Axinom's Name bounds for management resources (Axinom Key Service API help, POST api/ContentKeys: Name 1..256). */
const MAX_NAME_LENGTH = 256;
const FIELDS = ["Name", "Scopes", "Protocols", "ExpiresAt"];
const SCOPES_RULE = `Scopes must be a non-empty array of distinct scopes from ${CREDENTIAL_SCOPES.join(", ")}`;
const PROTOCOLS_RULE = `Protocols must be a non-empty array of distinct protocols from ${ACQUISITION_PROTOCOLS.join(", ")}`;

/** `POST /api/Credentials` body `{Name, Scopes, Protocols?, ExpiresAt?}`; each problem named by its field. */
export const NEW_CREDENTIAL = jsonObject(
  {
    Name: requiredText("Name", MAX_NAME_LENGTH),
    Scopes: v.pipe(
      v.array(v.picklist(CREDENTIAL_SCOPES, `${SCOPES_RULE}; Scopes[${ITEM_INDEX}] is not one of them`), SCOPES_RULE),
      v.minLength(1, SCOPES_RULE),
      distinctItems(
        (scope) => scope,
        (scope) => `${SCOPES_RULE}; ${scope} appears twice`,
      ),
    ),
    Protocols: optional(
      v.pipe(
        v.array(v.picklist(ACQUISITION_PROTOCOLS, `${PROTOCOLS_RULE}; Protocols[${ITEM_INDEX}] is not one of them`), PROTOCOLS_RULE),
        v.minLength(1, PROTOCOLS_RULE),
        distinctItems(
          (protocol) => protocol,
          (protocol) => `${PROTOCOLS_RULE}; ${protocol} appears twice`,
        ),
        openApiDescription(
          __OPENAPI__ && "The acquisition routes the credential may use; left out, every one. The Widevine CENC API is not among them",
        ),
      ),
    ),
    ExpiresAt: optional(
      v.pipe(
        instant("ExpiresAt must be an ISO 8601 date and time with an offset, e.g. 2027-01-31T12:00:00Z"),
        openApiDescription(__OPENAPI__ && "When the credential stops working; must be in the future"),
      ),
    ),
  },
  { unknownField: (name) => `Unknown field ${name}; allowed: ${FIELDS.join(", ")}` },
);

/** The typed `POST /api/Credentials` request; `ExpiresAt` must lie after `now`. */
export function parseNewCredential(value: unknown, now: Date): NewTenantCredential {
  const body = parseJson(NEW_CREDENTIAL, value);
  if (body.ExpiresAt !== undefined && Date.parse(body.ExpiresAt) <= now.getTime()) throw new InputError("ExpiresAt must be in the future");
  // Listed in one order whatever the request's, so responses compare equal.
  const scopes: CredentialScope[] = CREDENTIAL_SCOPES.filter((scope) => body.Scopes.includes(scope));
  const protocols: AcquisitionProtocol[] | undefined = body.Protocols && ACQUISITION_PROTOCOLS.filter((p) => body.Protocols!.includes(p));
  return {
    name: body.Name,
    scopes,
    ...(protocols !== undefined && { protocols }),
    ...(body.ExpiresAt !== undefined && { expiresAt: body.ExpiresAt }),
  };
}
