import { fromBase64Url, timingSafeEqual, toBase64Url, utf8 } from "../domain/bytes";
import { randomBytes } from "../runtime/random";

/** What a credential may do: `acquire` keys (acquisition endpoints), `manage` the tenant (Management API). */
export type CredentialScope = "acquire" | "manage";

/** Every scope, in the order responses list them. */
export const CREDENTIAL_SCOPES: readonly CredentialScope[] = ["acquire", "manage"];

/**
 * The acquisition protocols a credential can be limited to, one per route family (README, Key Acquisition API):
 * `SpekeV2` /api/SpekeV2, `Speke` /api/Speke, `Cpix` POST /api/Cpix, `CpixGet` GET /api/Cpix/{contentId},
 * `Harmonic` /api/Harmonic/v2, `Anevia` /api/Anevia, `Broadpeak` /api/Broadpeak. The Widevine CENC API is not one:
 * its requests are signed by its own signers (/api/WidevineProtectionInfoCredentials), not Basic credentials.
 */
export type AcquisitionProtocol = "SpekeV2" | "Speke" | "Cpix" | "CpixGet" | "Harmonic" | "Anevia" | "Broadpeak";

/** Every acquisition protocol, in the order responses list them. */
export const ACQUISITION_PROTOCOLS: readonly AcquisitionProtocol[] = [
  "SpekeV2",
  "Speke",
  "Cpix",
  "CpixGet",
  "Harmonic",
  "Anevia",
  "Broadpeak",
];

/** Whether a credential limited to `protocols` (undefined: not limited) may acquire keys over `protocol`. */
export function allowsProtocol(protocols: readonly AcquisitionProtocol[] | undefined, protocol: AcquisitionProtocol): boolean {
  return protocols === undefined || protocols.includes(protocol);
}

/**
 * Most credentials one tenant holds at once (revoked ones do not count): enough for a packager fleet's
 * rotation, few enough that authentication compares a bounded list.
 */
export const MAX_CREDENTIALS_PER_TENANT = 50;

/** 256-bit random secret (NIST SP 800-131A: ≥ 112 bits; 256 leaves no doubt), base64url so it has no ':' for Basic auth. */
const SECRET_LENGTH = 32;

/** A fresh credential secret: shown once to its owner, stored only as a keyed hash. */
export function generateSecret(): string {
  return toBase64Url(randomBytes(SECRET_LENGTH));
}

/** Keyed hash of a secret (HMAC-SHA256 under the tenant's credential-hash key), base64url. */
export async function hashSecret(secret: string, credentialHashKey: CryptoKey): Promise<string> {
  const mac = await crypto.subtle.sign("HMAC", credentialHashKey, utf8(secret));
  return toBase64Url(new Uint8Array(mac));
}

/** Compares the keyed hash of a presented secret with a stored one in constant time. */
export function hashMatches(presentedHash: string, storedHash: string): boolean {
  const expected = fromBase64Url(storedHash);
  const presented = fromBase64Url(presentedHash);
  return expected !== undefined && presented !== undefined && timingSafeEqual(expected, presented);
}

/** Whether a credential with this expiry is refused at `now` (from its `expiresAt` instant on). */
export function isExpired(expiresAt: string | null | undefined, now: Date): boolean {
  return expiresAt !== null && expiresAt !== undefined && now.getTime() >= Date.parse(expiresAt);
}
