/**
 * Opens a PSKC document's encryption key from `pskc:EncryptionKey`: derived from a password (RFC 6030 §6.2,
 * `xenc11:DerivedKey` with PBKDF2) or sent to the reader's RSA key (§6.3, `xenc:EncryptedKey` with RSA-OAEP).
 */
import { attributeValue, type XmlElement } from "../xml/tree";
import { PskcReadError, type PskcProtection } from "./model";
import { derivePasswordKey, importAesCbcKey, unwrapTransportKey } from "./pskc-crypto";
import {
  HMAC_HASHES,
  HMAC_SHA1,
  MAX_READ_PBKDF2_ITERATIONS,
  PBKDF2_ALGORITHM,
  PKCS5_NS,
  RSA_OAEP_MGF1P,
  SHA1_DIGEST,
  XMLDSIG_NS,
  XMLENC11_NS,
  XMLENC_NS,
} from "./pskc-uris";
import { base64Text, childElement, integerText, quoted, requireAttribute, requireChild } from "./read-elements";

/** What opens a document: the password of §6.2, or the private key (RSA-OAEP, SHA-1) of the §6.3 recipient. */
export type PskcOpener = { readonly password: string } | { readonly privateKey: CryptoKey };

/** The document's AES-CBC key and its length in bytes (16 or 32), which every EncryptionMethod must match. */
export interface DocumentKey {
  readonly key: CryptoKey;
  readonly length: number;
}

/** XML Encryption 1.1 §5.4.2 names PBKDF2 in its own namespace too; python-pskc reads both spellings. */
const PBKDF2_ALGORITHMS = new Set([PBKDF2_ALGORITHM, `${XMLENC11_NS}pbkdf2`]);
const AES_KEY_LENGTHS = new Set([16, 32]);

/** The key every encrypted value of the document is under, opened with what the caller holds. */
export async function openDocumentKey(encryptionKey: XmlElement | undefined, opener: PskcOpener): Promise<DocumentKey> {
  const given: PskcProtection = "password" in opener ? "password" : "certificate";
  const derived = encryptionKey && childElement(encryptionKey, XMLENC11_NS, "DerivedKey");
  const transported = encryptionKey && childElement(encryptionKey, XMLENC_NS, "EncryptedKey");
  const document: PskcProtection | "none" = derived ? "password" : transported ? "certificate" : "none";
  if (!encryptionKey) throw new PskcReadError({ reason: "protection-mismatch", document, given });
  if (document === "none")
    throw new PskcReadError({ reason: "missing", what: "xenc11:DerivedKey or xenc:EncryptedKey in pskc:EncryptionKey" });
  if (document !== given) throw new PskcReadError({ reason: "protection-mismatch", document, given });
  if ("password" in opener) return openDerivedKey(derived!, opener.password);
  return openTransportedKey(transported!, opener.privateKey);
}

/** RFC 6030 §6.2: PBKDF2 (RFC 8018 §5.2) with the document's salt, iteration count, key length and PRF. */
async function openDerivedKey(derivedKey: XmlElement, password: string): Promise<DocumentKey> {
  const method = requireChild(derivedKey, XMLENC11_NS, "KeyDerivationMethod", "xenc11:KeyDerivationMethod");
  const algorithm = requireAttribute(method, "Algorithm", "xenc11:KeyDerivationMethod/@Algorithm");
  if (!PBKDF2_ALGORITHMS.has(algorithm)) {
    throw new PskcReadError({ reason: "unsupported-algorithm", what: "KeyDerivationMethod", algorithm: quoted(algorithm) });
  }
  const parameters =
    childElement(method, PKCS5_NS, "PBKDF2-params") ?? requireChild(method, XMLENC11_NS, "PBKDF2-params", "pkcs5:PBKDF2-params");
  const salt = base64Text(requireChild(requireChild(parameters, "", "Salt", "Salt"), "", "Specified", "Salt/Specified"), "Salt/Specified");
  const iterations = integerText(
    requireChild(parameters, "", "IterationCount", "IterationCount"),
    "IterationCount",
    MAX_READ_PBKDF2_ITERATIONS,
  );
  // KeyLength is the AES key's: 32 bytes (AES-256) at most.
  const keyLength = integerText(requireChild(parameters, "", "KeyLength", "KeyLength"), "KeyLength", 32);
  if (!AES_KEY_LENGTHS.has(keyLength)) throw new PskcReadError({ reason: "invalid", what: "KeyLength", rule: "must be 16 or 32" });
  // RFC 8018 Appendix A.2: an absent PRF (RFC 6030 Figure 7's empty <PRF/>) means HMAC-SHA-1.
  const prf = attributeOf(childElement(parameters, "", "PRF"), "Algorithm")?.trim() || HMAC_SHA1;
  const hash = HMAC_HASHES.get(prf);
  if (!hash) throw new PskcReadError({ reason: "unsupported-algorithm", what: "PBKDF2 PRF", algorithm: quoted(prf) });
  return { key: await derivePasswordKey(password, { salt, iterations, keyLength, hash }), length: keyLength };
}

/** RFC 6030 §6.3 with XML Encryption §3.5.1: the AES key, RSA-OAEP-MGF1P (SHA-1, no OAEPparams) to our key. */
async function openTransportedKey(encryptedKey: XmlElement, privateKey: CryptoKey): Promise<DocumentKey> {
  const method = requireChild(encryptedKey, XMLENC_NS, "EncryptionMethod", "xenc:EncryptedKey/xenc:EncryptionMethod");
  const algorithm = requireAttribute(method, "Algorithm", "xenc:EncryptedKey/xenc:EncryptionMethod/@Algorithm");
  if (algorithm !== RSA_OAEP_MGF1P)
    throw new PskcReadError({ reason: "unsupported-algorithm", what: "EncryptedKey", algorithm: quoted(algorithm) });
  const digest = attributeOf(childElement(method, XMLDSIG_NS, "DigestMethod"), "Algorithm")?.trim();
  if (digest !== undefined && digest !== SHA1_DIGEST) {
    throw new PskcReadError({ reason: "unsupported-algorithm", what: "EncryptedKey DigestMethod", algorithm: quoted(digest) });
  }
  if (childElement(method, XMLENC_NS, "OAEPparams")) {
    throw new PskcReadError({ reason: "unsupported-algorithm", what: "EncryptedKey", algorithm: "rsa-oaep-mgf1p with OAEPparams" });
  }
  const cipherData = requireChild(encryptedKey, XMLENC_NS, "CipherData", "xenc:EncryptedKey/xenc:CipherData");
  const wrapped = base64Text(
    requireChild(cipherData, XMLENC_NS, "CipherValue", "xenc:EncryptedKey//xenc:CipherValue"),
    "EncryptedKey CipherValue",
  );
  const raw = await unwrapTransportKey(privateKey, wrapped);
  if (!raw) throw new PskcReadError({ reason: "key-transport-failed" });
  try {
    if (!AES_KEY_LENGTHS.has(raw.length)) {
      throw new PskcReadError({ reason: "invalid", what: "The transported key", rule: "must be 16 or 32 bytes (AES-128 or AES-256)" });
    }
    return { key: await importAesCbcKey(raw), length: raw.length };
  } finally {
    raw.fill(0);
  }
}

function attributeOf(element: XmlElement | undefined, name: string): string | undefined {
  return element && attributeValue(element, name);
}
