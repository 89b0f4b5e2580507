/** Fresh cryptographically random bytes from the platform's CSPRNG (Web Crypto `getRandomValues`). */
export function randomBytes(length: number): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(length));
}
