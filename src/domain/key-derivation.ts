import { concatBytes } from "./bytes";
import { contentKeyOf, ivFromBytes, type ContentKey, type Iv, type KeySeedValue } from "./content-key";
import type { KeyId } from "./key-id";

async function sha256(data: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", data));
}

/**
 * The PlayReady key-seed algorithm (MicrosoftDocs/PlayReady, playready-key-seed.md): with s = seed[0..30)
 * and k = the KID as little-endian GUID bytes, A = SHA256(s‖k), B = SHA256(s‖k‖s), C = SHA256(s‖k‖s‖k),
 * key[i] = A[i]^A[i+16]^B[i]^B[i+16]^C[i]^C[i+16]. A license service holding the seed re-creates the key.
 */
export async function deriveContentKey(seed: KeySeedValue, kid: KeyId): Promise<ContentKey> {
  const sl = seed.bytes.length;
  // s‖k‖s‖k built once; A, B and C hash its prefixes, so one buffer serves all three digests and the only
  // work besides hashing is this copy and the fold (bench: derivation vs three raw SHA-256).
  const input = new Uint8Array(2 * (sl + 16));
  input.set(seed.bytes, 0);
  kid.writeGuidBytes(input, sl);
  input.copyWithin(sl + 16, 0, sl + 16);
  const digests = await Promise.all([
    crypto.subtle.digest("SHA-256", input.subarray(0, sl + 16)),
    crypto.subtle.digest("SHA-256", input.subarray(0, 2 * sl + 16)),
    crypto.subtle.digest("SHA-256", input),
  ]);
  const a = new Uint8Array(digests[0]);
  const b = new Uint8Array(digests[1]);
  const c = new Uint8Array(digests[2]);
  const key = new Uint8Array(16);
  for (let i = 0; i < 16; i++) key[i] = a[i]! ^ a[i + 16]! ^ b[i]! ^ b[i + 16]! ^ c[i]! ^ c[i + 16]!;
  return contentKeyOf(key);
}

/** Domain-separation label for IV derivation; changing it changes every IV ever issued. */
const IV_DERIVATION_LABEL = new TextEncoder().encode("edge-key-service/iv/v1");

/**
 * A deterministic IV for (seed, KID): the first `length` bytes of SHA-256(label‖seed‖kid), so a retried
 * request gets the same IV (README, Key model). The label keeps it unrelated to the content key.
 */
export async function deriveIv(seed: KeySeedValue, kid: KeyId, length: 8 | 16 = 16): Promise<Iv> {
  const digest = await sha256(concatBytes(IV_DERIVATION_LABEL, seed.bytes, kid.bytes));
  return ivFromBytes(digest.subarray(0, length));
}
