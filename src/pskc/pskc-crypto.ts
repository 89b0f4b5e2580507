/**
 * The WebCrypto steps of a PSKC document, one purpose each (RFC 6030 §6): derive a key from a password, encrypt and
 * decrypt a value with AES-CBC, MAC a value, transport a key with RSA-OAEP (the recipient's key is imported by
 * src/x509/certificate-keys.ts). All of them exist in workerd and Node.
 */
import { concatBytes, utf8 } from "../domain/bytes";
import { randomBytes } from "../runtime/random";

/** AES block size: the IV of CBC is one block (XML Encryption §5.2.2). */
const AES_BLOCK = 16;

/** PBKDF2 parameters as `pkcs5:PBKDF2-params` carries them (RFC 8018 §5.2, RFC 6030 §6.2). */
export interface Pbkdf2Parameters {
  readonly salt: Uint8Array;
  readonly iterations: number;
  /** Bytes of key to derive: 16 or 32, the AES key of the document's values. */
  readonly keyLength: number;
  readonly hash: "SHA-1" | "SHA-256" | "SHA-512";
}

/**
 * The document's encryption key from a password (RFC 6030 §6.2): PBKDF2 over the password's UTF-8 bytes, made
 * straight into a non-extractable AES-CBC key, so the derived bytes never sit in memory as an array.
 */
export async function derivePasswordKey(password: string, parameters: Pbkdf2Parameters): Promise<CryptoKey> {
  const base = await crypto.subtle.importKey("raw", utf8(password), "PBKDF2", false, ["deriveKey"]);
  return crypto.subtle.deriveKey(
    { name: "PBKDF2", salt: parameters.salt, iterations: parameters.iterations, hash: parameters.hash },
    base,
    { name: "AES-CBC", length: parameters.keyLength * 8 },
    false,
    ["encrypt", "decrypt"],
  );
}

/** Imports 16 or 32 raw bytes as a non-extractable AES-CBC key (a §6.3 transport key). */
export function importAesCbcKey(raw: Uint8Array): Promise<CryptoKey> {
  return crypto.subtle.importKey("raw", raw, { name: "AES-CBC" }, false, ["encrypt", "decrypt"]);
}

/**
 * Encrypts one value with AES-CBC under a fresh random IV and returns IV ‖ ciphertext, the CipherValue of RFC 6030
 * §6.2 ("the IV is prepended"). Padding is PKCS #7, which meets XML Encryption §5.2's rule (last byte = pad length).
 */
export async function encryptValue(key: CryptoKey, plaintext: Uint8Array): Promise<Uint8Array> {
  const iv = randomBytes(AES_BLOCK);
  const ciphertext = await crypto.subtle.encrypt({ name: "AES-CBC", iv }, key, plaintext);
  return concatBytes(iv, new Uint8Array(ciphertext));
}

/** Opens an IV ‖ ciphertext CipherValue; undefined when it is too short or its padding does not check. */
export async function decryptValue(key: CryptoKey, cipherValue: Uint8Array): Promise<Uint8Array | undefined> {
  if (cipherValue.length < 2 * AES_BLOCK || cipherValue.length % AES_BLOCK !== 0) return undefined;
  try {
    const iv = cipherValue.subarray(0, AES_BLOCK);
    return new Uint8Array(await crypto.subtle.decrypt({ name: "AES-CBC", iv }, key, cipherValue.subarray(AES_BLOCK)));
  } catch {
    return undefined;
  }
}

/** Imports a MAC key (RFC 6030 §6.1.1, `pskc:MACKey` once decrypted) for HMAC with the given hash. */
export function importMacKey(raw: Uint8Array, hash: Pbkdf2Parameters["hash"]): Promise<CryptoKey> {
  return crypto.subtle.importKey("raw", raw, { name: "HMAC", hash }, false, ["sign", "verify"]);
}

/**
 * `pskc:ValueMAC` of one encrypted value: the HMAC of the whole CipherValue, IV included (RFC 6030 §6.1.1, MAC
 * over the encrypted value; RFC 6030 Figure 7's ValueMAC is computed this way).
 */
export async function valueMac(macKey: CryptoKey, cipherValue: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.sign("HMAC", macKey, cipherValue));
}

/** Checks a ValueMAC in constant time (WebCrypto's HMAC verify). */
export function valueMacMatches(macKey: CryptoKey, cipherValue: Uint8Array, mac: Uint8Array): Promise<boolean> {
  return crypto.subtle.verify("HMAC", macKey, mac, cipherValue);
}

/** Encrypts a transport key to the recipient's RSA key (RFC 6030 §6.3; XML Encryption §5.4.2, empty OAEPparams). */
export async function wrapTransportKey(recipientKey: CryptoKey, transportKey: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.encrypt({ name: "RSA-OAEP" }, recipientKey, transportKey));
}

/** Opens a transport key with the recipient's RSA-OAEP private key; undefined when the key does not open it. */
export async function unwrapTransportKey(privateKey: CryptoKey, wrapped: Uint8Array): Promise<Uint8Array | undefined> {
  try {
    return new Uint8Array(await crypto.subtle.decrypt({ name: "RSA-OAEP" }, privateKey, wrapped));
  } catch {
    return undefined;
  }
}
