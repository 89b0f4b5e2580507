import { concatBytes } from "../domain/bytes";
import { KEY_SEED_LENGTH, isAllZero, keySeedFromBytes, type KeySeedValue } from "../domain/content-key";
import { randomBytes } from "../runtime/random";
import { DATA_KEY_LENGTH, open, rewrapDataKey, seal, sealedKeyVersion, unwrapDataKey, wrapDataKey, type TenantDataKey } from "./envelope";
import {
  importKeyEncryptionKeys,
  keyEncryptionKeyConfigurationText,
  type KeyEncryptionKeyBindings,
  type KeyEncryptionKeys,
} from "./key-encryption-keys";
import type { TenantRecord } from "./stores/tenant-record-store";
import type { KeySeedImport, ManagementResult, NewSigningKey, NewWidevineCredential } from "./tenant-types";

/** The data-key version a new tenant starts at (docs/storage.md §Keys and sealing). */
export const FIRST_DATA_KEY_VERSION = 1;

/**
 * The tenant object's keys: the key-encryption keys from the Worker secret and the tenant's data key, unwrapped once
 * per wrapped form. Sealing happens here, before a write's transaction, since WebCrypto is asynchronous and a
 * transaction is not. The bindings are read on each use (imports are cached per configuration), so the keyring always
 * follows the bindings of the object it serves.
 */
export class TenantKeyring {
  readonly #bindings: () => KeyEncryptionKeyBindings;
  #keys: { readonly configuration: string; readonly keys: Promise<KeyEncryptionKeys> } | undefined;
  #dataKey: { readonly configuration: string; readonly wrapped: string; readonly key: Promise<TenantDataKey> } | undefined;

  constructor(bindings: () => KeyEncryptionKeyBindings) {
    this.#bindings = bindings;
  }

  /** A fresh random data key for a new tenant, and its form wrapped under the current KEK. */
  async newDataKey(tenantId: string): Promise<{ readonly wrapped: string; readonly dataKey: TenantDataKey }> {
    const kek = (await this.keyEncryptionKeys()).current;
    const wrapped = await wrapDataKey(randomBytes(DATA_KEY_LENGTH), kek, tenantId);
    return { wrapped, dataKey: await unwrapDataKey(wrapped, kek, tenantId, FIRST_DATA_KEY_VERSION) };
  }

  /** Keeps the data key of the tenant this object just created, so it is not unwrapped again. */
  remember(wrapped: string, dataKey: TenantDataKey): void {
    this.#dataKey = { configuration: this.#configuration(), wrapped, key: Promise.resolve(dataKey) };
  }

  /** The tenant's data key opened to its bytes, for a backup (docs/storage.md §Backup and restore); the caller zeroes them. */
  async openedDataKey(tenant: TenantRecord): Promise<Uint8Array> {
    const keys = await this.keyEncryptionKeys();
    return open(tenant.wrappedDataKey, keys.forWrapped(tenant.wrappedDataKey), { purpose: "data-key", tenantId: tenant.id });
  }

  /** A restored tenant's data key wrapped under this deployment's current KEK, and the keys it gives. */
  async wrapRestoredDataKey(
    tenantId: string,
    raw: Uint8Array,
    dataKeyVersion: number,
  ): Promise<{ readonly wrapped: string; readonly dataKey: TenantDataKey }> {
    const kek = (await this.keyEncryptionKeys()).current;
    const wrapped = await wrapDataKey(raw, kek, tenantId);
    return { wrapped, dataKey: await unwrapDataKey(wrapped, kek, tenantId, dataKeyVersion) };
  }

  /** The tenant's data key, opened under the KEK of the version its wrapped form names. */
  dataKey(tenant: TenantRecord): Promise<TenantDataKey> {
    const configuration = this.#configuration();
    const cached = this.#dataKey;
    if (cached && cached.configuration === configuration && cached.wrapped === tenant.wrappedDataKey) return cached.key;
    const key = this.keyEncryptionKeys().then((keys) =>
      unwrapDataKey(tenant.wrappedDataKey, keys.forWrapped(tenant.wrappedDataKey), tenant.id, tenant.dataKeyVersion),
    );
    const entry = { configuration, wrapped: tenant.wrappedDataKey, key };
    this.#dataKey = entry;
    // A failed unwrap (e.g. a wrong KEY_ENCRYPTION_KEY) is not kept, so fixing the secret fixes the object.
    key.catch(() => {
      if (this.#dataKey === entry) this.#dataKey = undefined;
    });
    return key;
  }

  /**
   * The tenant's data key wrapped under the current KEK, or undefined when it already is. Throws `SealedValueError`
   * when the version it is wrapped under is not configured or does not open it.
   */
  async rewrappedDataKey(tenant: TenantRecord): Promise<string | undefined> {
    const keys = await this.keyEncryptionKeys();
    if (sealedKeyVersion(tenant.wrappedDataKey) === keys.current.version) return undefined;
    return rewrapDataKey(tenant.wrappedDataKey, keys.forWrapped(tenant.wrappedDataKey), keys.current, tenant.id);
  }

  /** The configured key-encryption keys, imported once per configuration. */
  keyEncryptionKeys(): Promise<KeyEncryptionKeys> {
    const configuration = this.#configuration();
    if (this.#keys?.configuration === configuration) return this.#keys.keys;
    const keys = importKeyEncryptionKeys(this.#bindings());
    this.#keys = { configuration, keys };
    keys.catch(() => {
      if (this.#keys?.keys === keys) this.#keys = undefined;
    });
    return keys;
  }

  /** A new random seed value, sealed for this tenant and seed id. */
  async sealGeneratedSeed(tenant: TenantRecord, seedId: string): Promise<string> {
    return sealGeneratedSeed(await this.dataKey(tenant), tenant.id, seedId);
  }

  /** Checks each imported seed is exactly 30 bytes and seals it; ids left out are generated. */
  async sealImportedSeeds(
    tenant: TenantRecord,
    items: readonly KeySeedImport[],
  ): Promise<ManagementResult<{ id: string; sealed: string }[]>> {
    const dataKey = await this.dataKey(tenant);
    const sealed: { id: string; sealed: string }[] = [];
    for (const [index, item] of items.entries()) {
      const id = item.id ?? crypto.randomUUID();
      if (item.data.length !== KEY_SEED_LENGTH) {
        return { ok: false, failure: { reason: "seed-length", length: item.data.length } };
      }
      if (isAllZero(item.data)) {
        return { ok: false, failure: { reason: "zero-seed", index } };
      }
      sealed.push({ id, sealed: await sealKeySeed(item.data, dataKey, tenant.id, id) });
    }
    return { ok: true, value: sealed };
  }

  /** A Widevine signer's AES key ‖ IV sealed for this tenant and credential id; null for an RSA signer. */
  async sealSigningMaterial(tenant: TenantRecord, credential: NewWidevineCredential): Promise<string | null> {
    if (!credential.aes) return null;
    const material = concatBytes(credential.aes.signingKey, credential.aes.signingIv);
    return seal(material, (await this.dataKey(tenant)).sealing, {
      purpose: "widevine-signing",
      tenantId: tenant.id,
      credentialId: credential.id,
    });
  }

  /** A CPIX signing key's PKCS #8 private key sealed for this tenant and signing key id. */
  async sealCpixSigningKey(tenant: TenantRecord, signingKey: NewSigningKey): Promise<string> {
    return seal(signingKey.privateKeyPkcs8, (await this.dataKey(tenant)).sealing, {
      purpose: "cpix-signing",
      tenantId: tenant.id,
      signingKeyId: signingKey.id,
    });
  }

  /** A content key value (16 bytes) sealed for this tenant and KID (docs/storage.md §Stored content keys). */
  async sealContentKey(tenant: TenantRecord, keyId: string, value: Uint8Array): Promise<string> {
    return seal(value, (await this.dataKey(tenant)).sealing, { purpose: "content-key", tenantId: tenant.id, keyId });
  }

  /** Opens one of the tenant's seeds (a content key made from a named seed is derived here, in the object). */
  async openSeed(tenant: TenantRecord, seedId: string, sealedValue: string): Promise<KeySeedValue> {
    const value = await open(sealedValue, (await this.dataKey(tenant)).sealing, { purpose: "key-seed", tenantId: tenant.id, seedId });
    try {
      return keySeedFromBytes(value);
    } finally {
      value.fill(0);
    }
  }

  /** Seals a CPIX URL secret (HMAC-SHA256 key) under the tenant data key. */
  async sealCpixUrlSecret(tenant: TenantRecord, secretId: string, secret: Uint8Array): Promise<string> {
    return seal(secret, (await this.dataKey(tenant)).sealing, { purpose: "cpix-url-secret", tenantId: tenant.id, secretId });
  }

  #configuration(): string {
    return keyEncryptionKeyConfigurationText(this.#bindings());
  }
}

function sealKeySeed(value: Uint8Array, dataKey: TenantDataKey, tenantId: string, seedId: string): Promise<string> {
  return seal(value, dataKey.sealing, { purpose: "key-seed", tenantId, seedId });
}

/** A new random seed value sealed under a data key; a new tenant's first seed uses it before its key is kept. */
export function sealGeneratedSeed(dataKey: TenantDataKey, tenantId: string, seedId: string): Promise<string> {
  return sealKeySeed(randomBytes(KEY_SEED_LENGTH), dataKey, tenantId, seedId);
}
