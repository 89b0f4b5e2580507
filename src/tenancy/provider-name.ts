/**
 * A Widevine CENC API provider (signer) name. Axinom allows 1..128 characters (Axinom Key Service API help,
 * POST api/WidevineProtectionInfoCredentials); ours also appear in `/cenc/getcontentkey/{signer}` and in a KV
 * key, so only URL-safe characters.
 */
export const PROVIDER_NAME_PATTERN = /^[A-Za-z0-9._~-]{1,128}$/;

export function isProviderName(text: string): boolean {
  return PROVIDER_NAME_PATTERN.test(text);
}
