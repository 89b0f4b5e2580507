import { fromBase64Url, timingSafeEqual, toBase64Url, utf8 } from "../domain/bytes";
import { randomBytes } from "../runtime/random";

/** What a credential may do (DESIGN.md §Security: scoped `acquire`, `manage`). */
export type CredentialScope = "acquire" | "manage";

/** 256-bit random secret (DESIGN.md §Security), base64url so it has no ':' for Basic auth. */
const SECRET_LENGTH = 32;

/** A fresh management key: shown once to its owner, stored only as a keyed hash. */
export function generateSecret(): string {
  return toBase64Url(randomBytes(SECRET_LENGTH));
}

/** Keyed hash of a secret (HMAC-SHA256 under the tenant's credential-hash key), base64url. */
export async function hashSecret(secret: string, credentialHashKey: CryptoKey): Promise<string> {
  const mac = await crypto.subtle.sign("HMAC", credentialHashKey, utf8(secret));
  return toBase64Url(new Uint8Array(mac));
}

/** Compares a presented secret with a stored hash in constant time. */
export async function secretMatches(secret: string, storedHash: string, credentialHashKey: CryptoKey): Promise<boolean> {
  const expected = fromBase64Url(storedHash);
  const presented = fromBase64Url(await hashSecret(secret, credentialHashKey));
  return expected !== undefined && presented !== undefined && timingSafeEqual(expected, presented);
}
