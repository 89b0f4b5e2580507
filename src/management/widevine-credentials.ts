import * as v from "valibot";
import { fromBase64, toBase64, toHex } from "../domain/bytes";
import { rsaKeyProblem } from "../domain/rsa-key-policy";
import { randomBytes } from "../runtime/random";
import { routeGroup } from "../http/route-group";
import type { AppEnv } from "../http/app-env";
import { AES_SIGNING_IV_LENGTH, AES_SIGNING_KEY_LENGTH } from "../domain/signer-credential";
import { managementFailureResponse } from "../http/management-errors";
import { requestActor } from "../http/request-actor";
import { isProviderName } from "../tenancy/provider-name";
import { tenantObject } from "../tenancy/tenant-client";
import { TenantStore } from "../tenancy/tenant-store";
import type { NewWidevineCredential, WidevineCredentialView } from "../tenancy/tenant-types";
import { jsonObject, optional, parseJson, requiredText, text, uuid } from "../http/json-fields";
import { managementRequestFailureResponse, type ManagementRequestFailure } from "./management-request-failure";
import { parseBody, respond } from "./responses";
import { crudRouteDocs } from "./crud-route-docs";
import { responseShapes } from "./response-shapes";
import { openApiDescription, openApiMetadata } from "../http/schema-doc";

/**
 * `/api/WidevineProtectionInfoCredentials` (Axinom Key Service API help): signers of the Widevine CENC API. The secrets
 * are shown once, in the 201 of the POST; lists and reads never carry them.
 */
export const widevineCredentialRoutes = routeGroup({ kind: "tenant", scope: "manage" });
const routes = widevineCredentialRoutes;

/** These routes' documentation, for `GET /api/openapi.json` only (dead code in the Worker). */
const DOCS =
  __OPENAPI__ &&
  crudRouteDocs("Widevine signers", "Widevine CENC API signer", () => ({
    create: {
      schema: NEW_WIDEVINE_CREDENTIAL,
      created: responseShapes().issuedWidevineCredential,
      description: "AES signing material is generated when neither it nor RsaPublicKey is sent, and shown once, in this answer.",
    },
    listed: responseShapes().widevineCredential,
  }));

routes.declare("post", "/api/WidevineProtectionInfoCredentials", DOCS && DOCS.add, async (c) => {
  const input = await parseBody(c.req.raw, parseNewCredential);
  if (input instanceof Response) return input;
  const credential = await input;
  if (credential instanceof Response) return credential;
  const tenantId = c.var.tenant.tenantId;
  // The tenant object checks the seed and its own names, claims the name across the service, then stores the signer.
  const added = await tenantObject(c.env, tenantId).widevineSigners().create(credential, requestActor(c, new Date()));
  if (added.ok) TenantStore.rememberSigner(credential.providerName, tenantId);
  return respond(c.env, c.var.store, tenantId, added, (view) =>
    c.json(
      {
        ...credentialJson(view),
        ...(credential.aes && {
          SigningKey: toBase64(credential.aes.signingKey),
          SigningIv: toBase64(credential.aes.signingIv),
          // The hex forms Shaka's --aes_signing_key/--aes_signing_iv and the seed script take.
          SigningKeyHex: toHex(credential.aes.signingKey),
          SigningIvHex: toHex(credential.aes.signingIv),
        }),
      },
      201,
    ),
  );
});

routes.declare("get", "/api/WidevineProtectionInfoCredentials", DOCS && DOCS.list, async (c) => {
  const result = await tenantObject(c.env, c.var.tenant.tenantId).widevineSigners().list();
  return result.ok ? c.json(result.value.map(credentialJson)) : managementFailureResponse(result.failure);
});

routes.declare("get", "/api/WidevineProtectionInfoCredentials/{id}", DOCS && DOCS.read, async (c) => {
  const result = await tenantObject(c.env, c.var.tenant.tenantId).widevineSigners().list();
  if (!result.ok) return managementFailureResponse(result.failure);
  const found = result.value.find((view) => view.id === c.req.param("id").toLowerCase());
  return found
    ? c.json(credentialJson(found))
    : managementFailureResponse({ reason: "not-found", what: "Widevine credential", id: c.req.param("id").slice(0, 64) });
});

routes.declare("delete", "/api/WidevineProtectionInfoCredentials/{id}", DOCS && DOCS.remove, async (c) => {
  const tenantId = c.var.tenant.tenantId;
  // The tenant object deletes the signer, then releases its name across the service.
  const result = await tenantObject(c.env, tenantId).widevineSigners().delete(c.req.param("id").toLowerCase(), requestActor(c, new Date()));
  if (result.ok) TenantStore.rememberSigner(result.value.providerName, null);
  return respond(c.env, c.var.store, tenantId, result, () => c.body(null, 204));
});

function credentialJson(view: WidevineCredentialView) {
  return {
    Id: view.id,
    ProviderName: view.providerName,
    Kind: view.kind === "aes" ? "Aes" : "Rsa",
    KeySeedId: view.keySeedId,
    Created: view.created,
  };
}

/** Base64 of exactly `length` bytes (an AES signing key or IV, Widevine Common Encryption API). */
function base64Bytes(field: string, length: number) {
  const rule = `${field} must be base64 of exactly ${length} bytes`;
  return v.pipe(
    text(field, 256),
    v.rawTransform(({ dataset, addIssue, NEVER }) => {
      const bytes = fromBase64(dataset.value);
      if (bytes?.length !== length) addIssue({ message: rule });
      return bytes?.length === length ? bytes : NEVER;
    }),
    openApiMetadata(__OPENAPI__ && { contentEncoding: "base64", description: `${length} bytes; generated when left out` }),
  );
}

/** `POST /api/WidevineProtectionInfoCredentials` body; AES material is generated when neither it nor an RSA key is sent. */
export const NEW_WIDEVINE_CREDENTIAL = v.pipe(
  jsonObject({
    Id: optional(uuid("Id")),
    ProviderName: v.pipe(
      requiredText("ProviderName", 128),
      v.check(isProviderName, "ProviderName must be 1 to 128 characters of A-Z a-z 0-9 . _ ~ -"),
      openApiMetadata(__OPENAPI__ && { pattern: "^[A-Za-z0-9._~-]{1,128}$" }),
    ),
    KeySeedId: optional(uuid("KeySeedId")),
    RsaPublicKey: optional(
      v.pipe(
        text("RsaPublicKey", 8192),
        openApiDescription(__OPENAPI__ && "RSA public key of at least 2048 bits: PEM 'BEGIN PUBLIC KEY' or base64 DER SPKI"),
      ),
    ),
    SigningKey: optional(base64Bytes("SigningKey", AES_SIGNING_KEY_LENGTH)),
    SigningIv: optional(base64Bytes("SigningIv", AES_SIGNING_IV_LENGTH)),
  }),
  v.check(
    (body) => body.RsaPublicKey === undefined || (body.SigningKey === undefined && body.SigningIv === undefined),
    "Send either RsaPublicKey or SigningKey/SigningIv, not both",
  ),
);

/** The typed request: the RSA key read (asynchronously), or the AES material sent or generated. */
function parseNewCredential(value: unknown): Promise<NewWidevineCredential | Response> {
  const body = parseJson(NEW_WIDEVINE_CREDENTIAL, value);
  const common = {
    id: body.Id ?? crypto.randomUUID(),
    providerName: body.ProviderName,
    ...(body.KeySeedId && { keySeedId: body.KeySeedId }),
  };
  if (body.RsaPublicKey !== undefined) {
    return readRsaPublicKey(body.RsaPublicKey).then((read) =>
      "spki" in read ? { ...common, rsaPublicKeySpki: read.spki } : managementRequestFailureResponse(read),
    );
  }
  const signingKey = body.SigningKey ?? randomBytes(AES_SIGNING_KEY_LENGTH);
  const signingIv = body.SigningIv ?? randomBytes(AES_SIGNING_IV_LENGTH);
  return Promise.resolve({ ...common, aes: { signingKey, signingIv } });
}

/** Accepts PEM or base64 DER SPKI that WebCrypto can use for RSASSA-PSS, of at least 2048 bits. */
async function readRsaPublicKey(text: string): Promise<{ spki: Uint8Array } | ManagementRequestFailure> {
  const unreadable = { reason: "unreadable-rsa-public-key" } as const;
  const der = fromBase64(text.replace(/-----(BEGIN|END) PUBLIC KEY-----/g, ""));
  if (!der) return unreadable;
  let key: CryptoKey;
  try {
    key = await crypto.subtle.importKey("spki", der, { name: "RSA-PSS", hash: "SHA-1" }, false, ["verify"]);
  } catch {
    return unreadable;
  }
  const problem = rsaKeyProblem(key, "RsaPublicKey");
  return problem ? { reason: "invalid-input", message: problem } : { spki: der };
}
