import * as v from "valibot";
import { ACQUISITION_PROTOCOLS } from "../tenancy/credentials";
import { SETTINGS_FIELDS } from "../tenancy/settings";

/**
 * The JSON shapes the Management and Operator APIs answer with, for the document only (responses are rendered by
 * the routes' own `…Json` functions; test/workers/openapi-responses.test.ts checks real answers against these).
 * Built on first use, so an acquisition never builds them.
 */
function buildResponseShapes() {
  const instant = v.pipe(v.string(), v.metadata({ format: "date-time" }));
  const id = v.pipe(v.string(), v.metadata({ format: "uuid" }));
  const certificate = v.strictObject({ Id: id, Subject: v.string(), Fingerprint: v.string(), NotAfter: instant, Created: instant });
  const credential = {
    Id: id,
    Name: v.string(),
    Scopes: v.array(v.picklist(["acquire", "manage"])),
    Protocols: v.pipe(
      v.nullable(v.array(v.picklist(ACQUISITION_PROTOCOLS))),
      v.description("The acquisition protocols the credential may speak; null: every one"),
    ),
    Created: instant,
    ExpiresAt: v.nullable(instant),
  };
  const widevineCredential = {
    Id: id,
    ProviderName: v.string(),
    Kind: v.picklist(["Aes", "Rsa"]),
    KeySeedId: v.nullable(id),
    Created: instant,
  };
  const nullableText = v.nullable(v.string());
  return {
    error: v.strictObject({
      error: v.pipe(v.string(), v.description("What was wrong, naming the field or rule; the same text as X-AxDRM-ErrorMessage")),
    }),
    keySeed: v.strictObject({
      Id: id,
      Name: v.string(),
      Created: instant,
      Updated: instant,
      Generated: v.pipe(v.boolean(), v.description("true when the service generated the seed, false when it was imported")),
      MadeDefault: v.nullable(instant),
      IsDefault: v.boolean(),
      DefaultEffectiveAt: v.optional(v.pipe(instant, v.description("When a scheduled switch makes this seed the default"))),
    }),
    credential: v.strictObject(credential),
    issuedCredential: v.strictObject({ ...credential, Secret: v.pipe(v.string(), v.description("Shown once, in this answer only")) }),
    widevineCredential: v.strictObject(widevineCredential),
    issuedWidevineCredential: v.strictObject({
      ...widevineCredential,
      SigningKey: v.optional(v.string()),
      SigningIv: v.optional(v.string()),
      SigningKeyHex: v.optional(v.string()),
      SigningIvHex: v.optional(v.string()),
    }),
    certificate,
    settings: v.strictObject({
      ...Object.fromEntries(Object.keys(SETTINGS_FIELDS).map((wire) => [wire, nullableText])),
      AllowedOrigins: v.array(v.string()),
      LogRetentionDays: v.number(),
      RequireEncryption: v.boolean(),
      RecipientCertificates: v.nullable(v.array(v.string())),
      SignResponses: v.boolean(),
      SigningKeyId: v.nullable(id),
      RequireSignedRequests: v.boolean(),
      AllowPlainContentKeyExport: v.boolean(),
    }),
    contentKey: v.strictObject({
      Id: v.pipe(id, v.description("The KID")),
      Name: v.string(),
      Created: instant,
      Updated: instant,
      CreationMethod: v.pipe(v.picklist([0, 1, 2]), v.description("0 Random, 1 KeySeed, 2 Import (Axinom's values)")),
    }),
    harmonicConfiguration: v.strictObject({ EncryptContentKeys: v.boolean(), RequireSignatures: v.boolean() }),
    logEntry: v.union([
      v.strictObject({
        Id: v.string(),
        Category: v.literal(100),
        Timestamp: instant,
        Protocol: v.string(),
        ContentId: v.nullable(v.string()),
        KeyIds: v.array(id),
        StoredKeyIds: v.pipe(
          v.array(id),
          v.description("The KeyIds answered with a stored content key (POST /api/Export/ContentKeys), not derived from KeySeedId"),
        ),
        KeySeedId: id,
        AuthenticationCredentialId: v.string(),
      }),
      v.strictObject({
        Id: v.string(),
        Category: v.number(),
        Timestamp: instant,
        Action: v.string(),
        ObjectId: v.nullable(v.string()),
        RequestPath: v.string(),
        AuthenticationCredentialId: v.string(),
      }),
    ]),
    cpixUrl: v.strictObject({ Url: v.pipe(v.string(), v.metadata({ format: "uri" })), ExpiresAt: instant }),
    cpixUrlSecret: v.strictObject({ SecretId: v.string() }),
    newTenant: v.strictObject({ tenantId: id, managementKey: v.string(), keySeedId: id }),
    tenantMetadata: v.strictObject({
      tenantId: id,
      name: v.string(),
      created: instant,
      suspended: v.boolean(),
      deleteAt: v.optional(v.pipe(instant, v.description("When the tenant is erased; present while a deletion is pending"))),
      keySeedCount: v.number(),
      defaultKeySeedId: v.optional(id),
      snapshotVersion: v.number(),
    }),
    tenantPage: v.strictObject({
      items: v.array(v.strictObject({ tenantId: id, name: v.string(), created: instant, suspended: v.boolean() })),
      cursor: v.optional(v.pipe(id, v.description("Present when more tenants follow: pass it as cursor for the next page"))),
    }),
    tenantLifecycle: v.strictObject({
      tenantId: id,
      name: v.string(),
      created: instant,
      suspended: v.boolean(),
      deleteAt: v.optional(v.pipe(instant, v.description("When the tenant is erased; present while a deletion is pending"))),
    }),
    deletionScheduled: v.strictObject({ deleteAt: instant }),
    rotationProgress: v.strictObject({
      keyVersion: v.number(),
      rewrapped: v.number(),
      alreadyCurrent: v.number(),
      absent: v.number(),
      remaining: v.number(),
      cursor: v.nullable(v.string()),
      done: v.boolean(),
      indexing: v.optional(v.literal(true)),
    }),
    banner: v.strictObject({ service: v.string(), status: v.string() }),
  };
}

export type ResponseShapes = ReturnType<typeof buildResponseShapes>;

let built: ResponseShapes | undefined;

/** The response shapes, built once where the document is built (the route declarations name them). */
export function responseShapes(): ResponseShapes {
  return (built ??= buildResponseShapes());
}
