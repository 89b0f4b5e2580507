/**
 * Reading encrypted content keys with a recipient's private key (CPIX 2.3 §Key Management), for tests and key
 * import: unwrap the document and MAC keys of the DeliveryData this key can open, check each ValueMAC, then decrypt.
 * Both MACMethod shapes (AWS and DASH-IF) and RFC 6030's `pskc:MACKey` are read (CpixMacMethod.keyShape).
 */
import { timingSafeEqual } from "../../domain/bytes";
import { CONTENT_KEY_LENGTH, contentKeyFromBytes, type ContentKey } from "../../domain/content-key";
import type { KeyId } from "../../domain/key-id";
import type { CpixDocument } from "../model";
import type { CpixDeliveryData, CpixEncryptedValue } from "../model-delivery";
import { AES256_CBC, HMAC_SHA512, RSA_OAEP_MGF1P } from "./algorithms";
import { computeValueMac, importMacKey } from "./delivery-encryption";

/** Why the keys could not be read. Failures name the key (kid) and rule, never a key or MAC value. */
export type DecryptionFailure =
  /** No DeliveryData holds a document key that this private key unwraps. */
  | { readonly reason: "not-a-recipient" }
  /** The recipient's DeliveryData has no MACMethod key (CPIX 2.3 §Key Management: MACs are mandatory). */
  | { readonly reason: "missing-mac-key"; readonly deliveryData: number }
  /** A ValueMAC on the wrapped document or MAC key (AWS shape) does not match. */
  | { readonly reason: "wrapped-key-mac-mismatch"; readonly deliveryData: number }
  | { readonly reason: "unsupported-algorithm"; readonly element: string; readonly algorithm: string }
  | { readonly reason: "missing-value-mac"; readonly kid: string }
  /** The ValueMAC does not match (checked before decrypting, CPIX 2.3 §Key Management). */
  | { readonly reason: "mac-mismatch"; readonly kid: string }
  | { readonly reason: "undecryptable-key"; readonly kid: string; readonly detail: string };

export interface DecryptedContentKey {
  readonly kid: KeyId;
  readonly value: ContentKey;
}

export type DecryptionResult =
  { readonly ok: true; readonly keys: readonly DecryptedContentKey[] } | { readonly ok: false; readonly failure: DecryptionFailure };

/** AES block size (FIPS 197). */
const BLOCK = 16;

/**
 * Decrypts every content key of a document for the holder of `privateKey` (RSA-OAEP, SHA-1). Plain keys are
 * returned as they are; keys with neither value are skipped.
 * @example
 * const key = await crypto.subtle.importKey("pkcs8", der, { name: "RSA-OAEP", hash: "SHA-1" }, false, ["decrypt"]);
 * const read = await decryptContentKeys(document, key);
 */
export async function decryptContentKeys(document: CpixDocument, privateKey: CryptoKey): Promise<DecryptionResult> {
  const opened = await openDeliveryData(document.deliveryDataList?.items ?? [], privateKey);
  const keys: DecryptedContentKey[] = [];
  for (const contentKey of document.contentKeyList?.items ?? []) {
    const kid = contentKey.kid.toString();
    if (contentKey.value) {
      keys.push({ kid: contentKey.kid, value: contentKey.value });
      continue;
    }
    const encrypted = contentKey.encryptedValue;
    if (!encrypted) continue;
    if (!opened.ok) return opened;
    const { documentKeys, macKey } = opened;
    if (encrypted.encryptionMethod !== undefined && encrypted.encryptionMethod !== AES256_CBC) {
      return unsupported("ContentKey EncryptionMethod", encrypted.encryptionMethod);
    }
    if (!encrypted.valueMac) return { ok: false, failure: { reason: "missing-value-mac", kid } };
    if (!timingSafeEqual(await computeValueMac(macKey, encrypted.cipherValue), encrypted.valueMac)) {
      return { ok: false, failure: { reason: "mac-mismatch", kid } };
    }
    // CPIX 2.4 §DocumentKey Element: a DocumentKey naming this kid in @encryptsKey, else the general one.
    const documentKey = documentKeys.find((k) => k.encryptsKey === kid) ?? documentKeys.find((k) => k.encryptsKey === undefined);
    const plain = documentKey && (await decryptAes256Cbc(documentKey.key, encrypted.cipherValue));
    if (!plain || plain.length !== CONTENT_KEY_LENGTH) {
      const detail = plain ? `a content key must be ${CONTENT_KEY_LENGTH} bytes, got ${plain.length}` : "AES-256-CBC decryption failed";
      return { ok: false, failure: { reason: "undecryptable-key", kid, detail } };
    }
    keys.push({ kid: contentKey.kid, value: contentKeyFromBytes(plain) });
  }
  return { ok: true, keys };
}

type OpenedDelivery =
  | { readonly ok: true; readonly documentKeys: { key: CryptoKey; encryptsKey?: string }[]; readonly macKey: CryptoKey }
  | { readonly ok: false; readonly failure: DecryptionFailure };

/** Finds the DeliveryData whose document key(s) this private key unwraps, and its MAC key. */
async function openDeliveryData(items: readonly CpixDeliveryData[], privateKey: CryptoKey): Promise<OpenedDelivery> {
  for (const [i, deliveryData] of items.entries()) {
    const documentKeys: { key: CryptoKey; encryptsKey?: string }[] = [];
    const wrappedValues: CpixEncryptedValue[] = [];
    for (const documentKey of deliveryData.documentKeys) {
      if (!documentKey.value) continue;
      const raw = await unwrap(privateKey, documentKey.value);
      if (raw === "unsupported") return unsupported("DocumentKey EncryptionMethod", documentKey.value.encryptionMethod!);
      if (!raw || raw.length !== 32) continue; // another recipient's key: OAEP decoding fails
      const key = await crypto.subtle.importKey("raw", raw, { name: "AES-CBC" }, false, ["encrypt", "decrypt"]);
      raw.fill(0);
      wrappedValues.push(documentKey.value);
      documentKeys.push(documentKey.encryptsKey ? { key, encryptsKey: documentKey.encryptsKey.toString() } : { key });
    }
    if (documentKeys.length === 0) continue;
    const mac = deliveryData.macMethod;
    if (mac && mac.algorithm !== HMAC_SHA512) return unsupported("MACMethod", mac.algorithm);
    const macBytes = mac?.key && (await unwrap(privateKey, mac.key));
    if (macBytes === "unsupported") return unsupported("MACMethod key EncryptionMethod", mac!.key!.encryptionMethod!);
    if (!macBytes) return { ok: false, failure: { reason: "missing-mac-key", deliveryData: i + 1 } };
    const macKey = await importMacKey(macBytes, ["sign"]);
    macBytes.fill(0);
    // The AWS shape also MACs the wrapped keys themselves (AWS SPEKE reference server); check them when present.
    for (const wrapped of [...wrappedValues, mac!.key!]) {
      if (wrapped.valueMac && !timingSafeEqual(await computeValueMac(macKey, wrapped.cipherValue), wrapped.valueMac)) {
        return { ok: false, failure: { reason: "wrapped-key-mac-mismatch", deliveryData: i + 1 } };
      }
    }
    return { ok: true, documentKeys, macKey };
  }
  return { ok: false, failure: { reason: "not-a-recipient" } };
}

/** RSA-OAEP-MGF1P decryption; undefined when this is not our key, "unsupported" for another algorithm. */
async function unwrap(privateKey: CryptoKey, value: CpixEncryptedValue): Promise<Uint8Array | undefined | "unsupported"> {
  if (value.encryptionMethod !== undefined && value.encryptionMethod !== RSA_OAEP_MGF1P) return "unsupported";
  try {
    return new Uint8Array(await crypto.subtle.decrypt({ name: "RSA-OAEP" }, privateKey, value.cipherValue));
  } catch {
    return undefined;
  }
}

/**
 * AES-256-CBC of IV ‖ ciphertext with XML Encryption §5.2 padding: the last byte counts the pad bytes, the others
 * are arbitrary (xmlsec1 writes random ones, which WebCrypto's PKCS #7 check refuses). Appending E(last block ⊕
 * 0x10…) — what encrypting nothing under IV = last block yields — adds one valid PKCS #7 block, so WebCrypto
 * returns the plaintext with its own XML-Enc padding, which is then removed here. PKCS #7 input works the same way.
 */
export async function decryptAes256Cbc(key: CryptoKey, cipherValue: Uint8Array): Promise<Uint8Array | undefined> {
  if (cipherValue.length < 2 * BLOCK || cipherValue.length % BLOCK !== 0) return undefined;
  const iv = cipherValue.subarray(0, BLOCK);
  const ciphertext = cipherValue.subarray(BLOCK);
  const lastBlock = ciphertext.subarray(ciphertext.length - BLOCK);
  const extra = new Uint8Array(await crypto.subtle.encrypt({ name: "AES-CBC", iv: lastBlock }, key, new Uint8Array(0)));
  const joined = new Uint8Array(ciphertext.length + BLOCK);
  joined.set(ciphertext);
  joined.set(extra, ciphertext.length);
  let padded: Uint8Array;
  try {
    padded = new Uint8Array(await crypto.subtle.decrypt({ name: "AES-CBC", iv }, key, joined));
  } catch {
    return undefined;
  }
  const padLength = padded[padded.length - 1]!;
  if (padLength < 1 || padLength > BLOCK) return undefined;
  return padded.slice(0, padded.length - padLength);
}

function unsupported(element: string, algorithm: string): { ok: false; failure: DecryptionFailure } {
  return { ok: false, failure: { reason: "unsupported-algorithm", element, algorithm: algorithm.slice(0, 120) } };
}
