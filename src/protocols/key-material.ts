import type { ContentKey, Iv, KeySeedValue } from "../domain/content-key";
import { ivFromBytes } from "../domain/content-key";
import { deriveContentKey, deriveContentKeyAndIv, deriveIv } from "../domain/key-derivation";
import type { KeyId } from "../domain/key-id";
import type { StoredKeyLookup } from "../tenancy/stored-content-keys";

/** The key and IV an acquisition answers for one KID. */
export interface KeyMaterial {
  readonly key: ContentKey;
  readonly iv: Iv;
}

/**
 * The key for a KID: the tenant's stored key when it stores one (with its stored IV unless the request gave one), else
 * the PlayReady key-seed derivation from `seed` (docs/storage.md §Stored content keys). An IV nobody gave is derived
 * from seed and KID, so a retry gets the same. An 8-byte IV is the prefix of the stored 16-byte one, as the derived
 * 8-byte IV is the prefix of the derived 16-byte one (`deriveIv`).
 */
export async function keyMaterial(
  kid: KeyId,
  seed: KeySeedValue,
  stored: StoredKeyLookup | undefined,
  ivLength: 8 | 16,
  requestIv?: Iv,
): Promise<KeyMaterial> {
  const found = stored?.find(kid);
  const material = found && (await found);
  if (material) {
    const iv = requestIv ?? (material.iv && ivFromBytes(material.iv.bytes.subarray(0, ivLength))) ?? (await deriveIv(seed, kid, ivLength));
    return { key: material.key, iv };
  }
  if (requestIv) return { key: await deriveContentKey(seed, kid), iv: requestIv };
  return deriveContentKeyAndIv(seed, kid, ivLength);
}
