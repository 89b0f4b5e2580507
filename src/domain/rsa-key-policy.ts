/**
 * The smallest RSA key the service accepts, for Widevine signers and every certificate (recipients, signers,
 * trusted requesters): 2048 bits, the floor of NIST SP 800-131A Rev. 2 §3 (112-bit security) and of the CA/Browser
 * Forum Baseline Requirements §6.1.5.
 */
export const MIN_RSA_MODULUS_BITS = 2048;

/** Why an imported RSA key is refused, or undefined when it meets the policy. */
export function rsaKeyProblem(key: CryptoKey, what: string): string | undefined {
  const bits = (key.algorithm as Partial<CryptoKeyRsaKeyAlgorithm>).modulusLength;
  if (typeof bits !== "number") return `${what} must be an RSA key`;
  return bits < MIN_RSA_MODULUS_BITS ? `${what} must be at least ${MIN_RSA_MODULUS_BITS} bits, got ${bits}` : undefined;
}
