/**
 * Reads a PSKC document (RFC 6030) with a password (§6.2) or a private key (§6.3): every ValueMAC is checked before
 * its value is decrypted (§6.1.1), and the document is taken whole or not at all.
 */
import { parseXml } from "../xml/parse";
import { attributeValue, type XmlElement } from "../xml/tree";
import { PskcReadError, type PskcKey, type PskcReadResult } from "./model";
import { decryptValue, importMacKey, valueMacMatches } from "./pskc-crypto";
import { AES_CBC_KEY_LENGTHS, HMAC_HASHES, PSKC_NS, PSKC_VERSION, XMLENC_NS } from "./pskc-uris";
import { openDocumentKey, type DocumentKey, type PskcOpener } from "./read-encryption-key";
import { base64Text, childElement, childElements, quoted, requireAttribute, requireChild, trimmedText } from "./read-elements";

export type { PskcOpener } from "./read-encryption-key";

/**
 * Every key of a PSKC document, decrypted, or the one typed reason the document is refused (a wrong password is a
 * `mac-mismatch`). Only encrypted values are accepted, and only with a MAC.
 * @example const read = await readPskcPackage(xml, { password }); if (read.ok) for (const key of read.keys) …
 */
export async function readPskcPackage(xml: string | Uint8Array, opener: PskcOpener): Promise<PskcReadResult> {
  try {
    return { ok: true, keys: await readKeys(xml, opener) };
  } catch (error) {
    if (error instanceof PskcReadError) return { ok: false, failure: error.failure };
    throw error;
  }
}

async function readKeys(xml: string | Uint8Array, opener: PskcOpener): Promise<PskcKey[]> {
  const parsed = parseXml(xml);
  if (!parsed.ok) throw new PskcReadError({ reason: "malformed-xml", detail: parsed.failure.detail });
  const container = parsed.document.root;
  if (container.namespace !== PSKC_NS || container.localName !== "KeyContainer") {
    throw new PskcReadError({ reason: "missing", what: "pskc:KeyContainer (the root element)" });
  }
  const version = requireAttribute(container, "Version", "pskc:KeyContainer/@Version");
  if (version !== PSKC_VERSION) throw new PskcReadError({ reason: "invalid", what: "pskc:KeyContainer/@Version", rule: "must be 1.0" });
  const documentKey = await openDocumentKey(childElement(container, PSKC_NS, "EncryptionKey"), opener);
  const macKey = await openMacKey(container, documentKey);
  const packages = childElements(container, PSKC_NS, "KeyPackage");
  if (packages.length === 0) throw new PskcReadError({ reason: "missing", what: "pskc:KeyPackage" });
  const keys: PskcKey[] = [];
  const ids = new Set<string>();
  for (const keyPackage of packages) {
    const key = await readKey(requireChild(keyPackage, PSKC_NS, "Key", "pskc:Key in pskc:KeyPackage"), documentKey, macKey);
    if (ids.has(key.id)) throw new PskcReadError({ reason: "duplicate-key-id", keyId: quoted(key.id) });
    ids.add(key.id);
    keys.push(key);
  }
  return keys;
}

/**
 * RFC 6030 §6.1.1: with CBC, which has no integrity of its own, every value carries a ValueMAC and `MACMethod`
 * names the HMAC and holds its key, encrypted with the document key. A MAC key that does not decrypt is a MAC failure.
 */
async function openMacKey(container: XmlElement, documentKey: DocumentKey): Promise<CryptoKey> {
  const method = requireChild(container, PSKC_NS, "MACMethod", "pskc:MACMethod");
  const algorithm = requireAttribute(method, "Algorithm", "pskc:MACMethod/@Algorithm");
  const hash = HMAC_HASHES.get(algorithm);
  if (!hash) throw new PskcReadError({ reason: "unsupported-algorithm", what: "MACMethod", algorithm: quoted(algorithm) });
  if (!childElement(method, PSKC_NS, "MACKey") && childElement(method, PSKC_NS, "MACKeyReference")) {
    throw new PskcReadError({ reason: "unsupported-algorithm", what: "MACMethod", algorithm: "a pre-shared MACKeyReference" });
  }
  const encrypted = encryptedValue(requireChild(method, PSKC_NS, "MACKey", "pskc:MACKey"), documentKey, "pskc:MACKey");
  const raw = await decryptValue(documentKey.key, encrypted);
  if (!raw) throw new PskcReadError({ reason: "mac-mismatch" });
  try {
    return await importMacKey(raw, hash);
  } finally {
    raw.fill(0);
  }
}

/** One `pskc:Key`: its Id, FriendlyName and Algorithm, and its Secret, MAC checked, then decrypted. */
async function readKey(key: XmlElement, documentKey: DocumentKey, macKey: CryptoKey): Promise<PskcKey> {
  const id = requireAttribute(key, "Id", "pskc:Key/@Id");
  const keyId = quoted(id);
  const data = requireChild(key, PSKC_NS, "Data", `pskc:Data of key ${keyId}`);
  const secret = requireChild(data, PSKC_NS, "Secret", `pskc:Secret of key ${keyId}`);
  if (childElement(secret, PSKC_NS, "PlainValue")) {
    throw new PskcReadError({
      reason: "invalid",
      what: `pskc:Secret of key ${keyId}`,
      rule: "must be encrypted (plain values are not accepted)",
    });
  }
  const encryptedElement = requireChild(secret, PSKC_NS, "EncryptedValue", `pskc:EncryptedValue of key ${keyId}`);
  const cipherValue = encryptedValue(encryptedElement, documentKey, `pskc:EncryptedValue of key ${keyId}`);
  const mac = base64Text(requireChild(secret, PSKC_NS, "ValueMAC", `pskc:ValueMAC of key ${keyId}`), `pskc:ValueMAC of key ${keyId}`);
  if (!(await valueMacMatches(macKey, cipherValue, mac))) throw new PskcReadError({ reason: "mac-mismatch", keyId });
  const value = await decryptValue(documentKey.key, cipherValue);
  if (!value) throw new PskcReadError({ reason: "decryption-failed", keyId });
  const friendlyName = childElement(key, PSKC_NS, "FriendlyName");
  const name = friendlyName && trimmedText(friendlyName);
  const algorithm = attributeValue(key, "Algorithm");
  return { id, value, ...(name !== undefined && { name }), ...(algorithm !== undefined && { algorithm }) };
}

/** The CipherValue of an xenc:EncryptedDataType element, after checking its AES-CBC method fits the document key. */
function encryptedValue(element: XmlElement, documentKey: DocumentKey, what: string): Uint8Array {
  const method = requireChild(element, XMLENC_NS, "EncryptionMethod", `xenc:EncryptionMethod of ${what}`);
  const algorithm = requireAttribute(method, "Algorithm", `xenc:EncryptionMethod/@Algorithm of ${what}`);
  const keyLength = AES_CBC_KEY_LENGTHS.get(algorithm);
  if (keyLength === undefined) throw new PskcReadError({ reason: "unsupported-algorithm", what, algorithm: quoted(algorithm) });
  if (keyLength !== documentKey.length) {
    throw new PskcReadError({
      reason: "invalid",
      what,
      rule: `uses a ${keyLength * 8}-bit cipher but the document key is ${documentKey.length * 8} bits`,
    });
  }
  const cipherData = requireChild(element, XMLENC_NS, "CipherData", `xenc:CipherData of ${what}`);
  return base64Text(requireChild(cipherData, XMLENC_NS, "CipherValue", `xenc:CipherValue of ${what}`), `xenc:CipherValue of ${what}`);
}
