import { toBase64Url, utf8 } from "../domain/bytes";
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

/** Keyed hash of a secret (HMAC-SHA256 under the tenant's credential-hash key): its bytes, as authentication compares them. */
export async function secretDigest(secret: string, credentialHashKey: CryptoKey): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.sign("HMAC", credentialHashKey, utf8(secret)));
}

/** The keyed hash of a secret as credentials store it: `secretDigest`, base64url. */
export async function hashSecret(secret: string, credentialHashKey: CryptoKey): Promise<string> {
  return toBase64Url(await secretDigest(secret, credentialHashKey));
}

/** Whether a credential with this expiry is refused at `now` (from its `expiresAt` instant on). */
export function isExpired(expiresAt: string | null | undefined, now: Date): boolean {
  return expiresAt !== null && expiresAt !== undefined && now.getTime() >= Date.parse(expiresAt);
}
