/**
 * The floor Worker's cryptography (bench/floor-worker.ts), each step a WebCrypto call as in the service: the PlayReady
 * key-seed derivation with the service's derived IV, and CPIX DeliveryData encryption.
 */

const IV_LABEL = new TextEncoder().encode("edge-key-service/iv/v1");

/** The key-seed derivation's three digests and the IV's one, as the service computes them (4 WebCrypto calls). */
export async function keyAndIv(seed: Uint8Array, kid: Uint8Array, ivLength = 16): Promise<{ key: Uint8Array; iv: Uint8Array }> {
  const s = seed;
  const kl = 2 * (s.length + 16);
  const input = new Uint8Array(kl + IV_LABEL.length + s.length + 16);
  input.set(s, 0);
  input.set(kid, s.length);
  input.copyWithin(s.length + 16, 0, s.length + 16);
  input.set(IV_LABEL, kl);
  input.set(s, kl + IV_LABEL.length);
  input.set(kid, kl + IV_LABEL.length + s.length);
  const [a, b, c, iv] = (
    await Promise.all([
      crypto.subtle.digest("SHA-256", input.subarray(0, s.length + 16)),
      crypto.subtle.digest("SHA-256", input.subarray(0, 2 * s.length + 16)),
      crypto.subtle.digest("SHA-256", input.subarray(0, kl)),
      crypto.subtle.digest("SHA-256", input.subarray(kl)),
    ])
  ).map((digest) => new Uint8Array(digest)) as [Uint8Array, Uint8Array, Uint8Array, Uint8Array];
  const key = new Uint8Array(16);
  for (let i = 0; i < 16; i++) key[i] = a[i]! ^ a[i + 16]! ^ b[i]! ^ b[i + 16]! ^ c[i]! ^ c[i + 16]!;
  return { key, iv: iv.subarray(0, ivLength) };
}

/**
 * DeliveryData (CPIX 2.3 §4.2): a fresh document key and MAC key, each RSA-OAEP-encrypted for the recipient and
 * MACed; each content key AES-256-CBC-encrypted under the document key with a random IV, then MACed (HMAC-SHA512).
 * In the answer's order: document key, MAC key, then explicitIV, ciphertext and MAC per content key.
 */
export async function deliveryValues(materials: readonly { key: Uint8Array; iv: Uint8Array }[], recipient: CryptoKey): Promise<string[]> {
  const documentKeyBytes = crypto.getRandomValues(new Uint8Array(32));
  const macKeyBytes = crypto.getRandomValues(new Uint8Array(64));
  const [documentKey, macKey, wrappedDocumentKey, wrappedMacKey] = await Promise.all([
    crypto.subtle.importKey("raw", documentKeyBytes, "AES-CBC", false, ["encrypt"]),
    crypto.subtle.importKey("raw", macKeyBytes, { name: "HMAC", hash: "SHA-512" }, false, ["sign"]),
    crypto.subtle.encrypt({ name: "RSA-OAEP" }, recipient, documentKeyBytes),
    crypto.subtle.encrypt({ name: "RSA-OAEP" }, recipient, macKeyBytes),
  ]);
  const mac = async (bytes: ArrayBuffer | Uint8Array) => new Uint8Array(await crypto.subtle.sign("HMAC", macKey, bytes)).toBase64();
  const encrypted = await Promise.all(
    materials.map(async ({ key }) => {
      const iv = crypto.getRandomValues(new Uint8Array(16));
      const cipher = new Uint8Array(await crypto.subtle.encrypt({ name: "AES-CBC", iv }, documentKey, key));
      const value = new Uint8Array(16 + cipher.length);
      value.set(iv);
      value.set(cipher, 16);
      return { value, mac: await mac(value) };
    }),
  );
  const values = [
    new Uint8Array(wrappedDocumentKey).toBase64(),
    await mac(wrappedDocumentKey),
    new Uint8Array(wrappedMacKey).toBase64(),
    await mac(wrappedMacKey),
  ];
  materials.forEach(({ iv }, index) => values.push(iv.toBase64(), encrypted[index]!.value.toBase64(), encrypted[index]!.mac));
  return values;
}
