import { concatBytes, fromBase64Url, toBase64Url, utf8 } from "../domain/bytes";
import { randomBytes } from "../runtime/random";

/**
 * Envelope encryption (docs/storage.md): seeds are sealed with AES-256-GCM under a per-tenant data key
 * (DEK); the DEK is sealed under the master key-encryption key (KEK). Every sealed value names the
 * version of the key that sealed it, so the KEK can be rotated by re-wrapping DEKs alone.
 */

const SEALED_FORMAT = "v1";
/** NIST SP 800-38D §8.2.2: a fresh random 96-bit IV per encryption under one key. */
const GCM_IV_LENGTH = 12;
export const DATA_KEY_LENGTH = 32;

/** A key usable for sealing, with the version tag written into what it seals. */
export interface VersionedKey {
  readonly version: number;
  readonly key: CryptoKey;
}

/** Sealing purposes; each binds its own AAD so a value cannot be opened as something else. */
export type SealContext =
  | { readonly purpose: "data-key"; readonly tenantId: string }
  | { readonly purpose: "key-seed"; readonly tenantId: string; readonly seedId: string }
  | { readonly purpose: "widevine-signing"; readonly tenantId: string; readonly credentialId: string }
  | { readonly purpose: "cpix-signing"; readonly tenantId: string; readonly signingKeyId: string }
  | { readonly purpose: "cpix-url-secret"; readonly tenantId: string; readonly secretId: string }
  | { readonly purpose: "content-key"; readonly tenantId: string; readonly keyId: string }
  /** The deployment's restore private key (docs/backup.md), bound to its certificate's SHA-256 fingerprint. */
  | { readonly purpose: "restore-key"; readonly certificateSha256: string };

function additionalData(context: SealContext): Uint8Array {
  switch (context.purpose) {
    case "data-key":
      return utf8(`edge-key-service/data-key/v1|${context.tenantId}`);
    case "key-seed":
      return utf8(`edge-key-service/key-seed/v1|${context.tenantId}|${context.seedId}`);
    case "widevine-signing":
      return utf8(`edge-key-service/widevine-signing/v1|${context.tenantId}|${context.credentialId}`);
    case "cpix-signing":
      return utf8(`edge-key-service/cpix-signing/v1|${context.tenantId}|${context.signingKeyId}`);
    case "cpix-url-secret":
      return utf8(`edge-key-service/cpix-url-secret/v1|${context.tenantId}|${context.secretId}`);
    case "content-key":
      return utf8(`edge-key-service/content-key/v1|${context.tenantId}|${context.keyId}`);
    case "restore-key":
      return utf8(`edge-key-service/restore-key/v1|${context.certificateSha256}`);
  }
}

/** Imports raw AES-256 bytes as a non-extractable AES-GCM key. */
export function importAesGcmKey(raw: Uint8Array): Promise<CryptoKey> {
  return crypto.subtle.importKey("raw", raw, { name: "AES-GCM" }, false, ["encrypt", "decrypt"]);
}

/** Seals bytes under a versioned key, binding the context as AAD. */
export async function seal(plaintext: Uint8Array, sealingKey: VersionedKey, context: SealContext): Promise<string> {
  const iv = randomBytes(GCM_IV_LENGTH);
  const ciphertext = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv, additionalData: additionalData(context) },
    sealingKey.key,
    plaintext,
  );
  return `${SEALED_FORMAT}.${sealingKey.version}.${toBase64Url(concatBytes(iv, new Uint8Array(ciphertext)))}`;
}

/** The key version a sealed value names, or undefined when it is not a sealed value. */
export function sealedKeyVersion(sealed: string): number | undefined {
  const [format, version] = sealed.split(".");
  return format === SEALED_FORMAT && version !== undefined && /^\d+$/.test(version) ? Number(version) : undefined;
}

/**
 * Opens a sealed value. Throws `SealedValueError` when it is malformed, names another key version, was
 * tampered with, or was sealed for another context (tenant or seed).
 */
export async function open(sealed: string, sealingKey: VersionedKey, context: SealContext): Promise<Uint8Array> {
  const parts = sealed.split(".");
  const payload = parts.length === 3 && parts[0] === SEALED_FORMAT ? fromBase64Url(parts[2]!) : undefined;
  if (!payload || payload.length < GCM_IV_LENGTH + 16) throw new SealedValueError("not a sealed value");
  if (sealedKeyVersion(sealed) !== sealingKey.version) {
    throw new SealedValueError(`sealed under key version ${parts[1]}, have version ${sealingKey.version}`);
  }
  try {
    const plaintext = await crypto.subtle.decrypt(
      { name: "AES-GCM", iv: payload.subarray(0, GCM_IV_LENGTH), additionalData: additionalData(context) },
      sealingKey.key,
      payload.subarray(GCM_IV_LENGTH),
    );
    return new Uint8Array(plaintext);
  } catch {
    throw new SealedValueError(`authentication failed for ${context.purpose}`);
  }
}

/** A sealed value that cannot be opened; the message never carries key material. */
export class SealedValueError extends Error {
  override readonly name = "SealedValueError";
}

/** Wraps a tenant data key under the KEK. */
export function wrapDataKey(dataKey: Uint8Array, kek: VersionedKey, tenantId: string): Promise<string> {
  return seal(dataKey, kek, { purpose: "data-key", tenantId });
}

/**
 * Re-wraps a tenant data key under another KEK (rotation, docs/storage.md §Rotating the key-encryption key): the data
 * key itself does not change, so nothing sealed under it needs touching.
 */
export async function rewrapDataKey(wrapped: string, from: VersionedKey, to: VersionedKey, tenantId: string): Promise<string> {
  const raw = await open(wrapped, from, { purpose: "data-key", tenantId });
  try {
    return await wrapDataKey(raw, to, tenantId);
  } finally {
    raw.fill(0);
  }
}

/** Unwraps a tenant data key and imports it for sealing, tagged with the tenant's data-key version. */
export async function unwrapDataKey(wrapped: string, kek: VersionedKey, tenantId: string, dataKeyVersion: number): Promise<TenantDataKey> {
  const raw = await open(wrapped, kek, { purpose: "data-key", tenantId });
  const [sealing, credentialHash] = await Promise.all([importAesGcmKey(raw), deriveCredentialHashKey(raw)]);
  return { sealing: { version: dataKeyVersion, key: sealing }, credentialHash };
}

/** The keys a tenant's data key gives: one to seal seeds, one to hash credentials. */
export interface TenantDataKey {
  readonly sealing: VersionedKey;
  readonly credentialHash: CryptoKey;
}

/** HKDF (RFC 5869) of the data key into the HMAC key for credential hashes, so one key has one purpose. */
async function deriveCredentialHashKey(dataKey: Uint8Array): Promise<CryptoKey> {
  const base = await crypto.subtle.importKey("raw", dataKey, "HKDF", false, ["deriveKey"]);
  return crypto.subtle.deriveKey(
    { name: "HKDF", hash: "SHA-256", salt: new Uint8Array(0), info: utf8("edge-key-service/credential-hash/v1") },
    base,
    { name: "HMAC", hash: "SHA-256", length: 256 },
    false,
    ["sign"],
  );
}
