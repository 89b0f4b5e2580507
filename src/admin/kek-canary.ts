import { concatBytes, fromBase64Url, toBase64Url, utf8 } from "../domain/bytes";
import { randomBytes } from "../runtime/random";
import type { VersionedKey } from "../tenancy/envelope";

/**
 * Key-encryption key canaries (docs/storage.md §KEK canaries): a known constant sealed under each configured KEK
 * version and kept in KV, so `GET /admin/health` notices a `KEY_ENCRYPTION_KEY` changed in place under the same
 * version (no data key wrapped before the change would open any more) before a tenant does. The canary is written the
 * first time a version is seen; it reveals nothing of the key (AES-GCM of a public constant under a random IV).
 */

/** Where the canary of one KEK version lives in KV (`SNAPSHOTS`). */
export function kekCanaryKey(version: number): string {
  return `kek-canary/${version}`;
}

/** The constant a canary seals: public on purpose, what matters is that the key of its version opens it. */
const CANARY_PLAINTEXT = "edge-key-service KEK canary";
/** Format tag of a sealed canary, as of every sealed value (docs/storage.md §Keys and sealing). */
const SEALED_FORMAT = "v1";
/** NIST SP 800-38D §8.2.2: a fresh random 96-bit IV per encryption under one key. */
const GCM_IV_LENGTH = 12;

/** AAD of its own purpose and version, so no wrapped data key or sealed seed ever opens as a canary (nor the reverse). */
function canaryAdditionalData(version: number): Uint8Array {
  return utf8(`edge-key-service/kek-canary/v1|${version}`);
}

/** Seals the canary under one KEK: `v1.<version>.<base64url(iv ‖ ciphertext ‖ tag)>`. */
export async function sealKekCanary(kek: VersionedKey): Promise<string> {
  const iv = randomBytes(GCM_IV_LENGTH);
  const ciphertext = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv, additionalData: canaryAdditionalData(kek.version) },
    kek.key,
    utf8(CANARY_PLAINTEXT),
  );
  return `${SEALED_FORMAT}.${kek.version}.${toBase64Url(concatBytes(iv, new Uint8Array(ciphertext)))}`;
}

/** Whether `sealed` is this KEK version's canary and the key opens it to the constant. */
export async function opensKekCanary(sealed: string, kek: VersionedKey): Promise<boolean> {
  const [format, version, payloadText] = sealed.split(".");
  const payload = payloadText === undefined ? undefined : fromBase64Url(payloadText);
  if (format !== SEALED_FORMAT || version !== String(kek.version) || !payload || payload.length <= GCM_IV_LENGTH) return false;
  try {
    const plaintext = await crypto.subtle.decrypt(
      { name: "AES-GCM", iv: payload.subarray(0, GCM_IV_LENGTH), additionalData: canaryAdditionalData(kek.version) },
      kek.key,
      payload.subarray(GCM_IV_LENGTH),
    );
    return new TextDecoder().decode(plaintext) === CANARY_PLAINTEXT;
  } catch {
    // AES-GCM's tag does not verify: another key under this version (or a tampered canary).
    return false;
  }
}
