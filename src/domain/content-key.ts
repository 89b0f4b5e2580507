/** Domain value types for key material. Each wraps checked bytes so a wrong length cannot travel. */

/** A 128-bit content key (ISO/IEC 23001-7 uses AES-128 for every scheme). */
export interface ContentKey {
  readonly kind: "content-key";
  readonly bytes: Uint8Array;
}

/** An initialization vector: 8 or 16 bytes (ISO/IEC 23001-7 §9.1 allows 8 for cenc/cens). */
export interface Iv {
  readonly kind: "iv";
  readonly bytes: Uint8Array;
}

/** A tenant key seed value: exactly 30 bytes (PlayReady key seed spec: "truncated to 30 bytes"). */
export interface KeySeedValue {
  readonly kind: "key-seed";
  readonly bytes: Uint8Array;
}

export const CONTENT_KEY_LENGTH = 16;
/** The IV kept with a stored content key: CPIX 2.3 §ContentKey Element `@explicitIV` is a 128-bit value (Axinom: Iv byte[16]). */
export const STORED_IV_LENGTH = 16;
/** PlayReady key-seed specification: the algorithm uses exactly the first 30 bytes; Axinom imports exactly 30. */
export const KEY_SEED_LENGTH = 30;

export function contentKeyFromBytes(bytes: Uint8Array): ContentKey {
  if (bytes.length !== CONTENT_KEY_LENGTH) {
    throw new RangeError(`a content key must be ${CONTENT_KEY_LENGTH} bytes, got ${bytes.length}`);
  }
  return { kind: "content-key", bytes: Uint8Array.from(bytes) };
}

/** Wraps 16 fresh bytes the caller owns and will not touch again (no copy, for the derivation's hot path). */
export function contentKeyOf(ownedBytes: Uint8Array): ContentKey {
  if (ownedBytes.length !== CONTENT_KEY_LENGTH)
    throw new RangeError(`a content key must be ${CONTENT_KEY_LENGTH} bytes, got ${ownedBytes.length}`);
  return { kind: "content-key", bytes: ownedBytes };
}

export function ivFromBytes(bytes: Uint8Array): Iv {
  if (bytes.length !== 8 && bytes.length !== 16) {
    throw new RangeError(`an IV must be 8 or 16 bytes, got ${bytes.length}`);
  }
  return { kind: "iv", bytes: new Uint8Array(bytes) };
}

export function keySeedFromBytes(bytes: Uint8Array): KeySeedValue {
  if (bytes.length !== KEY_SEED_LENGTH) {
    throw new RangeError(`a key seed must be exactly ${KEY_SEED_LENGTH} bytes, got ${bytes.length}`);
  }
  return { kind: "key-seed", bytes: Uint8Array.from(bytes) };
}

/**
 * Whether every byte is zero. An all-zero seed or content key is a placeholder (an unfilled template, a zeroed
 * buffer), never a secret: every key served from it would be known to anyone, so imports refuse it.
 */
export function isAllZero(bytes: Uint8Array): boolean {
  return bytes.every((byte) => byte === 0);
}
