import * as v from "valibot";
import { PAGING_QUERY } from "../http/paging";
import { NEW_CPIX_URL } from "../management/cpix-urls";
import { NEW_CREDENTIAL } from "../management/credential-input";
import { KEY_SEED_EXPORT } from "../management/export-key-seeds";
import { HARMONIC_CONFIGURATION } from "../management/harmonic-configuration";
import { KEY_SEED_CHANGE, KEY_SEED_IMPORTS, NEW_KEY_SEED } from "../management/key-seed-input";
import { LOG_FILTER_QUERY } from "../management/logs";
import { TENANT_SETTINGS } from "../management/settings-input";
import { NEW_SIGNING_KEY } from "../management/signing-keys";
import { NEW_TRUSTED_REQUESTER } from "../management/trusted-requesters";
import { NEW_WIDEVINE_CREDENTIAL } from "../management/widevine-credentials";
import { contentKeyRouteDocs } from "./content-key-route-docs";
import type { ResponseShapes } from "./response-shapes";
import { DELETED, ID_PATH, MANAGE, error, json } from "./route-doc-parts";
import type { ResponseDoc, RouteDoc } from "./route-doc";

/** A list, get-one, create and delete over one kind of object (credentials, signers, certificates). */
function crudRoutes(
  path: string,
  tag: string,
  what: string,
  create: { readonly schema: v.GenericSchema; readonly created: v.GenericSchema; readonly description?: string },
  listed: v.GenericSchema,
): RouteDoc[] {
  return [
    {
      method: "post",
      path,
      tag,
      access: MANAGE,
      summary: `Add a ${what}`,
      ...(create.description && { description: create.description }),
      body: { kind: "json", schema: create.schema },
      responses: {
        201: json(`The ${what}`, create.created),
        404: error("A named object does not exist"),
        409: error("The Id or name is taken, or a limit is reached"),
      },
    },
    { method: "get", path, tag, access: MANAGE, summary: `List the ${what}s`, responses: { 200: json(`Every ${what}`, v.array(listed)) } },
    {
      method: "get",
      path: `${path}/{id}`,
      tag,
      access: MANAGE,
      summary: `Read a ${what}`,
      pathParameters: ID_PATH,
      responses: { 200: json(`The ${what}`, listed), 404: error(`No ${what} with this Id`) },
    },
    {
      method: "delete",
      path: `${path}/{id}`,
      tag,
      access: MANAGE,
      summary: `Delete a ${what}`,
      pathParameters: ID_PATH,
      responses: { 204: DELETED, 404: error(`No ${what} with this Id`), 409: error("The object is in use") },
    },
  ];
}

/** The Management API (tenant Basic credentials with the `manage` scope). */
export function managementRouteDocs(shapes: ResponseShapes): RouteDoc[] {
  const seeds = "Key Seeds";
  return [
    {
      method: "get",
      path: "/api/KeySeeds",
      tag: seeds,
      access: MANAGE,
      summary: "List the key seeds (never their values)",
      query: [PAGING_QUERY],
      responses: { 200: json("A page of key seeds", v.array(shapes.keySeed)) },
    },
    {
      method: "post",
      path: "/api/KeySeeds",
      tag: seeds,
      access: MANAGE,
      summary: "Generate a key seed (30 random bytes)",
      body: { kind: "json", schema: NEW_KEY_SEED },
      responses: { 201: json("The new seed", shapes.keySeed), 409: error("A key seed with this Id exists") },
    },
    {
      method: "get",
      path: "/api/KeySeeds/{id}",
      tag: seeds,
      access: MANAGE,
      summary: "Read a key seed",
      pathParameters: ID_PATH,
      responses: { 200: json("The seed", shapes.keySeed), 404: error("No key seed with this Id") },
    },
    {
      method: "put",
      path: "/api/KeySeeds/{id}",
      tag: seeds,
      access: MANAGE,
      summary: "Rename a key seed or make it the default",
      description: "Making a seed the default is scheduled: every location switches at the same instant (DefaultEffectiveAt).",
      pathParameters: ID_PATH,
      body: { kind: "json", schema: KEY_SEED_CHANGE },
      responses: { 200: json("The seed", shapes.keySeed), 404: error("No key seed with this Id") },
    },
    {
      method: "delete",
      path: "/api/KeySeeds/{id}",
      tag: seeds,
      access: MANAGE,
      summary: "Delete a key seed",
      pathParameters: ID_PATH,
      responses: {
        204: DELETED,
        404: error("No key seed with this Id"),
        409: error("The seed is the default, or was until recently and may still be in use"),
      },
    },
    {
      method: "post",
      path: "/api/Import/KeySeeds",
      tag: seeds,
      access: MANAGE,
      summary: "Import key seeds (all or nothing)",
      body: { kind: "json", schema: KEY_SEED_IMPORTS },
      responses: { 200: json("The imported seeds", v.array(shapes.keySeed)), 409: error("A seed with one of the Ids exists") },
    },
    {
      method: "post",
      path: "/api/Export/KeySeeds",
      tag: seeds,
      access: MANAGE,
      summary: "Export key seeds encrypted, as a PSKC document (RFC 6030)",
      description:
        "With Password: PBKDF2 + AES-128-CBC + HMAC-SHA256 (RFC 6030 §6.2); with Certificate: RSA-OAEP (§6.3). There is no plain export. Every export is recorded in the audit log (category 15).",
      body: { kind: "json", schema: KEY_SEED_EXPORT },
      responses: {
        200: {
          kind: "xml",
          mediaType: "application/pskc+xml",
          description: "The PSKC KeyContainer (RFC 6030), as an attachment key-seeds.pskcxml",
        },
        404: error("No key seed with one of the Ids, or no seed at all"),
      },
    },
    ...contentKeyRouteDocs(shapes),
    {
      method: "get",
      path: "/api/Settings",
      tag: "Settings",
      access: MANAGE,
      summary: "Read the tenant settings",
      responses: { 200: json("The settings", shapes.settings) },
    },
    {
      method: "put",
      path: "/api/Settings",
      tag: "Settings",
      access: MANAGE,
      summary: "Replace the tenant settings",
      description: "Every field is optional; a field left out is reset to its default.",
      body: { kind: "json", schema: TENANT_SETTINGS },
      responses: {
        200: json("The settings", shapes.settings),
        409: error("The Harmonic configuration's RequireSignatures needs SigningKeyId; turn it off first"),
      },
    },
    {
      method: "get",
      path: "/api/HarmonicConfiguration",
      tag: "Settings",
      access: MANAGE,
      summary: "Read the Harmonic configuration",
      responses: { 200: json("The configuration", shapes.harmonicConfiguration) },
    },
    ...(["put", "post"] as const).map((method): RouteDoc => ({
      method,
      path: "/api/HarmonicConfiguration",
      tag: "Settings",
      access: MANAGE,
      summary: "Set the Harmonic configuration (RequireSignatures, EncryptContentKeys)",
      body: { kind: "json", schema: HARMONIC_CONFIGURATION },
      responses: { 200: json("The configuration", shapes.harmonicConfiguration) },
    })),
    {
      method: "get",
      path: "/api/Logs",
      tag: "Logs",
      access: MANAGE,
      summary: "List issuance and audit records, newest first",
      query: [PAGING_QUERY, LOG_FILTER_QUERY],
      responses: { 200: json("A page of records; never a key value", v.array(shapes.logEntry)) },
    },
    {
      method: "post",
      path: "/api/CpixUrls",
      tag: "Signed CPIX URLs",
      access: MANAGE,
      summary: "Sign a GET /api/Cpix/{contentId} URL for a reader that sends no credentials",
      body: { kind: "json", schema: NEW_CPIX_URL },
      responses: { 201: json("The signed URL", shapes.cpixUrl), 409: error("The URL secret was rotated meanwhile; ask again") },
    },
    {
      method: "post",
      path: "/api/CpixUrls/rotate-secret",
      tag: "Signed CPIX URLs",
      access: MANAGE,
      summary: "Rotate the secret that signs CPIX URLs (every URL signed before stops working)",
      responses: { 200: json("The new secret's Id", shapes.cpixUrlSecret) },
    },
    ...crudRoutes(
      "/api/Credentials",
      "Credentials",
      "credential",
      { schema: NEW_CREDENTIAL, created: shapes.issuedCredential, description: "The secret is shown once, in this answer." },
      shapes.credential,
    ),
    ...crudRoutes(
      "/api/WidevineProtectionInfoCredentials",
      "Widevine signers",
      "Widevine CENC API signer",
      {
        schema: NEW_WIDEVINE_CREDENTIAL,
        created: shapes.issuedWidevineCredential,
        description: "AES signing material is generated when neither it nor RsaPublicKey is sent, and shown once, in this answer.",
      },
      shapes.widevineCredential,
    ),
    ...crudRoutes(
      "/api/SigningKeys",
      "Document security",
      "signing key",
      { schema: NEW_SIGNING_KEY, created: shapes.certificate, description: "The private key is sealed and never returned." },
      shapes.certificate,
    ),
    ...crudRoutes(
      "/api/TrustedRequesters",
      "Document security",
      "trusted requester",
      { schema: NEW_TRUSTED_REQUESTER, created: shapes.certificate },
      shapes.certificate,
    ),
  ];
}
