import { contentKeyOf, ivFromBytes, type ContentKey, type Iv, type KeySeedValue } from "./content-key";
import type { KeyId } from "./key-id";

/**
 * The PlayReady key-seed algorithm (MicrosoftDocs/PlayReady, playready-key-seed.md): with s = seed[0..30)
 * and k = the KID as little-endian GUID bytes, A = SHA256(s‖k), B = SHA256(s‖k‖s), C = SHA256(s‖k‖s‖k),
 * key[i] = A[i]^A[i+16]^B[i]^B[i+16]^C[i]^C[i+16]. A license service holding the seed re-creates the key.
 */
export async function deriveContentKey(seed: KeySeedValue, kid: KeyId): Promise<ContentKey> {
  const input = new Uint8Array(keySeedInputLength(seed));
  const [a, b, c] = await Promise.all(keySeedDigests(writeKeySeedInput(input, seed, kid)));
  return foldKeySeedDigests(a!, b!, c!);
}

/** Domain-separation label for IV derivation; changing it changes every IV ever issued. */
const IV_DERIVATION_LABEL = new TextEncoder().encode("edge-key-service/iv/v1");

/**
 * A deterministic IV for (seed, KID): the first `length` bytes of SHA-256(label‖seed‖kid), so a retried
 * request gets the same IV (README, Key model). The label keeps it unrelated to the content key.
 */
export async function deriveIv(seed: KeySeedValue, kid: KeyId, length: 8 | 16 = 16): Promise<Iv> {
  const input = new Uint8Array(ivInputLength(seed));
  return ivOfDigest(await crypto.subtle.digest("SHA-256", writeIvInput(input, seed, kid)), length);
}

/**
 * `deriveContentKey` and `deriveIv` for one KID at once, the same key and IV: both inputs are written into one
 * buffer and the four digests awaited together, which saves an allocation, a promise chain and an await per KID on
 * the acquisition hot path (bench/RESULTS.md).
 */
export async function deriveContentKeyAndIv(
  seed: KeySeedValue,
  kid: KeyId,
  ivLength: 8 | 16,
): Promise<{ readonly key: ContentKey; readonly iv: Iv }> {
  const keyInputLength = keySeedInputLength(seed);
  const buffer = new Uint8Array(keyInputLength + ivInputLength(seed));
  const keyInput = writeKeySeedInput(buffer.subarray(0, keyInputLength), seed, kid);
  const ivInput = writeIvInput(buffer.subarray(keyInputLength), seed, kid);
  const [a, b, c, ivDigest] = await Promise.all([...keySeedDigests(keyInput), crypto.subtle.digest("SHA-256", ivInput)]);
  return { key: foldKeySeedDigests(a!, b!, c!), iv: ivOfDigest(ivDigest!, ivLength) };
}

/** s‖k‖s‖k: A, B and C hash its prefixes, so one buffer serves all three digests. */
function keySeedInputLength(seed: KeySeedValue): number {
  return 2 * (seed.bytes.length + 16);
}

function writeKeySeedInput(input: Uint8Array, seed: KeySeedValue, kid: KeyId): Uint8Array {
  const sl = seed.bytes.length;
  input.set(seed.bytes, 0);
  kid.writeGuidBytes(input, sl);
  input.copyWithin(sl + 16, 0, sl + 16);
  return input;
}

/** SHA-256 of s‖k, s‖k‖s and s‖k‖s‖k, started together (the only work besides hashing is the copy and the fold). */
function keySeedDigests(input: Uint8Array): Promise<ArrayBuffer>[] {
  const sl = input.length / 2 - 16;
  return [
    crypto.subtle.digest("SHA-256", input.subarray(0, sl + 16)),
    crypto.subtle.digest("SHA-256", input.subarray(0, 2 * sl + 16)),
    crypto.subtle.digest("SHA-256", input),
  ];
}

function foldKeySeedDigests(aBuffer: ArrayBuffer, bBuffer: ArrayBuffer, cBuffer: ArrayBuffer): ContentKey {
  const a = new Uint8Array(aBuffer);
  const b = new Uint8Array(bBuffer);
  const c = new Uint8Array(cBuffer);
  const key = new Uint8Array(16);
  for (let i = 0; i < 16; i++) key[i] = a[i]! ^ a[i + 16]! ^ b[i]! ^ b[i + 16]! ^ c[i]! ^ c[i + 16]!;
  return contentKeyOf(key);
}

/** label‖seed‖kid, the KID in its big-endian (UUID) byte order. */
function ivInputLength(seed: KeySeedValue): number {
  return IV_DERIVATION_LABEL.length + seed.bytes.length + 16;
}

function writeIvInput(input: Uint8Array, seed: KeySeedValue, kid: KeyId): Uint8Array {
  input.set(IV_DERIVATION_LABEL, 0);
  input.set(seed.bytes, IV_DERIVATION_LABEL.length);
  input.set(kid.bytes, IV_DERIVATION_LABEL.length + seed.bytes.length);
  return input;
}

function ivOfDigest(digest: ArrayBuffer, length: 8 | 16): Iv {
  return ivFromBytes(new Uint8Array(digest, 0, length));
}
