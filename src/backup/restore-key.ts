/**
 * The deployment's restore key (docs/backup.md §Restore certificate): an RSA 3072 key pair made on first use, its
 * self-signed certificate handed to whoever makes a backup for this deployment, its private key kept only sealed under
 * the key-encryption key in the tenant directory object, and sealed again under each new KEK version by the rotation.
 */
import { open, seal, sealedKeyVersion } from "../tenancy/envelope";
import { importKeyEncryptionKeys } from "../tenancy/key-encryption-keys";
import { tenantDirectory, type StoredRestoreKey } from "../tenancy/tenant-directory";
import { certificatePem } from "../x509/self-signed-certificate";
import type { RestoreKey } from "./backup-document";
import { RSA_OAEP_SHA256, newRestoreKey, restoreKeySealContext } from "./restore-key-pair";

/** The deployment's restore key, made on first use (one per deployment, kept by the tenant directory object). */
export async function restoreKey(env: Env): Promise<RestoreKey> {
  const stored = await storedRestoreKey(env);
  const keys = await importKeyEncryptionKeys(env);
  const context = await restoreKeySealContext(stored.certificateDer);
  const pkcs8 = await open(stored.sealedPrivateKey, keys.forWrapped(stored.sealedPrivateKey), context);
  try {
    const privateKey = await crypto.subtle.importKey("pkcs8", pkcs8, RSA_OAEP_SHA256, false, ["decrypt"]);
    return { certificateDer: stored.certificateDer, privateKey };
  } finally {
    pkcs8.fill(0);
  }
}

/** The deployment's restore certificate as PEM (RFC 7468 §5.1), made on first use. */
export async function restoreCertificatePem(env: Env): Promise<string> {
  return certificatePem((await storedRestoreKey(env)).certificateDer);
}

/** What `resealRestoreKey` found: no key yet, a key already under the current KEK, or one it sealed again. */
export type RestoreKeyReseal = "absent" | "current" | "resealed";

/**
 * Seals the restore private key again under the current key-encryption key (docs/storage.md §Rotating the
 * key-encryption key): the certificate stays, so backups made for it still open. Throws SealedValueError when no
 * configured key opens it.
 */
export async function resealRestoreKey(env: Env): Promise<RestoreKeyReseal> {
  const directory = tenantDirectory(env);
  const stored = await directory.restoreKey();
  if (!stored) return "absent";
  const keys = await importKeyEncryptionKeys(env);
  if (sealedKeyVersion(stored.sealedPrivateKey) === keys.current.version) return "current";
  const context = await restoreKeySealContext(stored.certificateDer);
  const pkcs8 = await open(stored.sealedPrivateKey, keys.forWrapped(stored.sealedPrivateKey), context);
  try {
    // Compare-and-set: a call that lost the race finds the key resealed by the other, under the same version.
    await directory.resealRestoreKey(stored.sealedPrivateKey, await seal(pkcs8, keys.current, context));
    return "resealed";
  } finally {
    pkcs8.fill(0);
  }
}

/** The kept restore key, or a new one kept now; two first calls at once both answer the one the directory kept. */
async function storedRestoreKey(env: Env): Promise<StoredRestoreKey> {
  const directory = tenantDirectory(env);
  const stored = await directory.restoreKey();
  if (stored) return stored;
  const keys = await importKeyEncryptionKeys(env);
  return directory.keepRestoreKey(await newRestoreKey(keys.current, new Date()));
}
