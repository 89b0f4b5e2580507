import { fromBase64, toBase64, toHex } from "../domain/bytes";
import { rsaKeyProblem } from "../domain/rsa-key-policy";
import { randomBytes } from "../runtime/random";
import { routeGroup } from "../http/route-group";
import type { AppEnv } from "../http/app-env";
import { AES_SIGNING_IV_LENGTH, AES_SIGNING_KEY_LENGTH } from "../domain/signer-credential";
import { jsonError } from "../http/errors";
import { managementFailureResponse } from "../http/management-errors";
import { requestActor } from "../http/request-actor";
import { isProviderName } from "../tenancy/provider-name";
import { tenantObject } from "../tenancy/tenant-client";
import { TenantStore } from "../tenancy/tenant-store";
import type { NewWidevineCredential, WidevineCredentialView } from "../tenancy/tenant-types";
import { InputError, asObject, optionalString, optionalUuid, requiredString } from "./json-fields";
import { parseBody, respond } from "./responses";

/**
 * `/api/WidevineProtectionInfoCredentials` (Axinom Key Service API help): signers of the Widevine CENC API. The secrets
 * are shown once, in the 201 of the POST; lists and reads never carry them.
 */
export const widevineCredentialRoutes = routeGroup({ kind: "tenant", scope: "manage" });
const routes = widevineCredentialRoutes.routes;

routes.post("/widevineprotectioninfocredentials", async (c) => {
  const input = await parseBody(c.req.raw, parseNewCredential);
  if (input instanceof Response) return input;
  const credential = await input;
  if (credential instanceof Response) return credential;
  const tenantId = c.var.tenant.tenantId;
  const now = new Date().toISOString();
  // The tenant object checks the seed and its own names, claims the name across the service, then stores the signer.
  const added = await tenantObject(c.env, tenantId).addWidevineCredential(credential, now, requestActor(c, now));
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

routes.get("/widevineprotectioninfocredentials", async (c) => {
  const result = await tenantObject(c.env, c.var.tenant.tenantId).listWidevineCredentials();
  return result.ok ? c.json(result.value.map(credentialJson)) : managementFailureResponse(result.failure);
});

routes.get("/widevineprotectioninfocredentials/:id", async (c) => {
  const result = await tenantObject(c.env, c.var.tenant.tenantId).listWidevineCredentials();
  if (!result.ok) return managementFailureResponse(result.failure);
  const found = result.value.find((view) => view.id === c.req.param("id").toLowerCase());
  return found ? c.json(credentialJson(found)) : jsonError(404, `No Widevine credential with Id ${c.req.param("id").slice(0, 64)}`);
});

routes.delete("/widevineprotectioninfocredentials/:id", async (c) => {
  const tenantId = c.var.tenant.tenantId;
  // The tenant object deletes the signer, then releases its name across the service.
  const result = await tenantObject(c.env, tenantId).deleteWidevineCredential(
    c.req.param("id").toLowerCase(),
    requestActor(c, new Date().toISOString()),
  );
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

/** `{ProviderName, SigningKey?, SigningIv?, RsaPublicKey?, KeySeedId?, Id?}`; AES material is generated when absent. */
function parseNewCredential(value: unknown): Promise<NewWidevineCredential | Response> {
  const body = asObject(value);
  const providerName = requiredString(body, "ProviderName", 128);
  if (!isProviderName(providerName)) throw new InputError("ProviderName must be 1 to 128 characters of A-Z a-z 0-9 . _ ~ -");
  const id = optionalUuid(body, "Id") ?? crypto.randomUUID();
  const keySeedId = optionalUuid(body, "KeySeedId");
  const rsaText = optionalString(body, "RsaPublicKey", 8192);
  const keyText = optionalString(body, "SigningKey", 256);
  const ivText = optionalString(body, "SigningIv", 256);
  const common = { id, providerName, ...(keySeedId && { keySeedId }) };
  if (rsaText !== undefined) {
    if (keyText !== undefined || ivText !== undefined) throw new InputError("Send either RsaPublicKey or SigningKey/SigningIv, not both");
    return readRsaPublicKey(rsaText).then((read) =>
      "spki" in read ? { ...common, rsaPublicKeySpki: read.spki } : jsonError(400, read.problem),
    );
  }
  const signingKey = keyText === undefined ? randomBytes(AES_SIGNING_KEY_LENGTH) : fromBase64(keyText);
  const signingIv = ivText === undefined ? randomBytes(AES_SIGNING_IV_LENGTH) : fromBase64(ivText);
  if (signingKey?.length !== AES_SIGNING_KEY_LENGTH)
    throw new InputError(`SigningKey must be base64 of exactly ${AES_SIGNING_KEY_LENGTH} bytes`);
  if (signingIv?.length !== AES_SIGNING_IV_LENGTH)
    throw new InputError(`SigningIv must be base64 of exactly ${AES_SIGNING_IV_LENGTH} bytes`);
  return Promise.resolve({ ...common, aes: { signingKey, signingIv } });
}

/** Accepts PEM or base64 DER SPKI that WebCrypto can use for RSASSA-PSS, of at least 2048 bits. */
async function readRsaPublicKey(text: string): Promise<{ spki: Uint8Array } | { problem: string }> {
  const unreadable = { problem: "RsaPublicKey must be an RSA public key: PEM 'BEGIN PUBLIC KEY' or base64 of DER SubjectPublicKeyInfo" };
  const der = fromBase64(text.replace(/-----(BEGIN|END) PUBLIC KEY-----/g, ""));
  if (!der) return unreadable;
  let key: CryptoKey;
  try {
    key = await crypto.subtle.importKey("spki", der, { name: "RSA-PSS", hash: "SHA-1" }, false, ["verify"]);
  } catch {
    return unreadable;
  }
  const problem = rsaKeyProblem(key, "RsaPublicKey");
  return problem ? { problem } : { spki: der };
}
