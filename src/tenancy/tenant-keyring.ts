import { concatBytes } from "../domain/bytes";
import { KEY_SEED_LENGTH } from "../domain/content-key";
import { randomBytes } from "../runtime/random";
import {
  DATA_KEY_LENGTH,
  importKeyEncryptionKey,
  seal,
  unwrapDataKey,
  wrapDataKey,
  type TenantDataKey,
  type VersionedKey,
} from "./envelope";
import type { TenantRecord } from "./stores/tenant-record-store";
import type { KeySeedImport, ManagementResult, NewWidevineCredential } from "./tenant-types";

/** The data-key version a new tenant starts at (docs/storage.md §Keys and sealing). */
export const FIRST_DATA_KEY_VERSION = 1;

/**
 * The tenant object's keys: the KEK from the Worker secret and the tenant's data key, unwrapped once. Sealing
 * happens here, before a write's transaction, since WebCrypto is asynchronous and a transaction is not.
 */
export class TenantKeyring {
  readonly #kekSecret: string | undefined;
  readonly #kekVersion: string | undefined;
  #kek: Promise<VersionedKey> | undefined;
  #dataKey: Promise<TenantDataKey> | undefined;

  constructor(env: Pick<Env, "KEY_ENCRYPTION_KEY" | "KEY_ENCRYPTION_KEY_VERSION">) {
    this.#kekSecret = env.KEY_ENCRYPTION_KEY;
    this.#kekVersion = env.KEY_ENCRYPTION_KEY_VERSION;
  }

  /** A fresh random data key for a new tenant, and its form wrapped under the KEK. */
  async newDataKey(tenantId: string): Promise<{ readonly wrapped: string; readonly dataKey: TenantDataKey }> {
    const kek = await this.#keyEncryptionKey();
    const wrapped = await wrapDataKey(randomBytes(DATA_KEY_LENGTH), kek, tenantId);
    return { wrapped, dataKey: await unwrapDataKey(wrapped, kek, tenantId, FIRST_DATA_KEY_VERSION) };
  }

  /** Keeps the data key of the tenant this object just created, so it is not unwrapped again. */
  remember(dataKey: TenantDataKey): void {
    this.#dataKey = Promise.resolve(dataKey);
  }

  /** The tenant's data key, unwrapped once per object. */
  dataKey(tenant: TenantRecord): Promise<TenantDataKey> {
    this.#dataKey ??= this.#keyEncryptionKey().then((kek) => unwrapDataKey(tenant.wrappedDataKey, kek, tenant.id, tenant.dataKeyVersion));
    // A failed unwrap (e.g. a wrong KEY_ENCRYPTION_KEY) is not kept, so fixing the secret fixes the object.
    this.#dataKey.catch(() => (this.#dataKey = undefined));
    return this.#dataKey;
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
    for (const item of items) {
      const id = item.id ?? crypto.randomUUID();
      if (item.data.length !== KEY_SEED_LENGTH) {
        return {
          ok: false,
          failure: { reason: "invalid", message: `Data must be exactly ${KEY_SEED_LENGTH} bytes, got ${item.data.length}` },
        };
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

  #keyEncryptionKey(): Promise<VersionedKey> {
    this.#kek ??= importKeyEncryptionKey(this.#kekSecret, this.#kekVersion);
    return this.#kek;
  }
}

function sealKeySeed(value: Uint8Array, dataKey: TenantDataKey, tenantId: string, seedId: string): Promise<string> {
  return seal(value, dataKey.sealing, { purpose: "key-seed", tenantId, seedId });
}

/** A new random seed value sealed under a data key; a new tenant's first seed uses it before its key is kept. */
export function sealGeneratedSeed(dataKey: TenantDataKey, tenantId: string, seedId: string): Promise<string> {
  return sealKeySeed(randomBytes(KEY_SEED_LENGTH), dataKey, tenantId, seedId);
}
