/**
 * Writes key seeds as a PSKC document (RFC 6030) a license service imports: encrypted with a key derived from a
 * password (§6.2) or with a random key sent to a certificate's RSA key (§6.3), every value MACed (§6.1.1).
 * One KeyPackage per seed; nothing is ever written in the clear.
 */
import { toBase64 } from "../domain/bytes";
import { KEY_SEED_LENGTH } from "../domain/content-key";
import { randomBytes } from "../runtime/random";
import type { PskcSeed } from "./model";
import {
  derivePasswordKey,
  encryptValue,
  importAesCbcKey,
  importMacKey,
  valueMac,
  wrapTransportKey,
  type Pbkdf2Parameters,
} from "./pskc-crypto";
import {
  MAC_ALGORITHM,
  MAC_KEY_LENGTH,
  PBKDF2_ALGORITHM,
  PBKDF2_ITERATIONS,
  PBKDF2_PRF,
  PBKDF2_SALT_LENGTH,
  PKCS5_NS,
  PLAYREADY_KEY_SEED_ALGORITHM,
  PSKC_NS,
  PSKC_VERSION,
  RSA_OAEP_MGF1P,
  SHA1_DIGEST,
  VALUE_ENCRYPTION,
  VALUE_KEY_LENGTH,
  XMLDSIG_NS,
  XMLENC11_NS,
  XMLENC_NS,
} from "./pskc-uris";
import type { CertificateProblem } from "../x509/certificate-problem";
import { readRecipientCertificate, type RecipientCertificate } from "./recipient-certificate";
import { renderXmlDocument, xmlElement, type XmlNode } from "./xml-render";

export interface PskcWriteOptions {
  /** `pskc:Issuer` of every key (RFC 6030 §4.3.2), e.g. the service's name; left out when absent. */
  readonly issuer?: string;
}

export interface PskcCertificateWriteOptions extends PskcWriteOptions {
  /** The instant the certificate's validity is checked at (domain code takes no clock). */
  readonly now: Date;
}

export type PskcCertificateWriteResult =
  | { readonly ok: true; readonly xml: string; readonly recipient: RecipientCertificate }
  | { readonly ok: false; readonly problem: CertificateProblem };

/** The PBKDF2 the writer runs (pskc-uris.ts says why these numbers). */
const WRITER_PBKDF2 = { iterations: PBKDF2_ITERATIONS, keyLength: VALUE_KEY_LENGTH, hash: "SHA-512" } as const;

/**
 * A PSKC document protected by a password (RFC 6030 §6.2): PBKDF2-HMAC-SHA-512 with a fresh 16-byte salt derives
 * the AES-256-CBC key of every value and of the MAC key.
 * @example const xml = await writePskcPasswordPackage([{ id, name: "Main", value: seed }], password);
 */
export async function writePskcPasswordPackage(
  seeds: readonly PskcSeed[],
  password: string,
  options: PskcWriteOptions = {},
): Promise<string> {
  checkSeeds(seeds);
  if (password.length === 0) throw new RangeError("the export password must not be empty");
  const parameters: Pbkdf2Parameters = { ...WRITER_PBKDF2, salt: randomBytes(PBKDF2_SALT_LENGTH) };
  const key = await derivePasswordKey(password, parameters);
  const namespaces: [string, string][] = [
    ["xmlns:xenc11", XMLENC11_NS],
    ["xmlns:pkcs5", PKCS5_NS],
  ];
  return renderContainer(namespaces, derivedKeyElement(parameters), key, seeds, options);
}

/**
 * A PSKC document for the holder of a certificate's private key (RFC 6030 §6.3): a random AES-256 key, sent with
 * RSA-OAEP-MGF1P (SHA-1) to the certificate's key in `xenc:EncryptedKey`, encrypts every value and the MAC key.
 * The certificate is refused (with the reason) unless it is RSA ≥ 2048 bits and valid at `options.now`.
 */
export async function writePskcCertificatePackage(
  seeds: readonly PskcSeed[],
  recipientCertificateDer: Uint8Array,
  options: PskcCertificateWriteOptions,
): Promise<PskcCertificateWriteResult> {
  checkSeeds(seeds);
  const read = await readRecipientCertificate(recipientCertificateDer, options.now);
  if (!read.ok) return read;
  const transportKey = randomBytes(VALUE_KEY_LENGTH);
  const wrapped = await wrapTransportKey(read.certificate.publicKey, transportKey);
  const key = await importAesCbcKey(transportKey);
  transportKey.fill(0);
  const namespaces: [string, string][] = [["xmlns:ds", XMLDSIG_NS]];
  const xml = await renderContainer(namespaces, encryptedKeyElement(wrapped, read.certificate.der), key, seeds, options);
  return { ok: true, xml, recipient: read.certificate };
}

/** Seeds are 30 bytes (PlayReady key seed) with unique, non-empty ids; at least one (pskc.xsd: KeyPackage minOccurs 1). */
function checkSeeds(seeds: readonly PskcSeed[]): void {
  if (seeds.length === 0) throw new RangeError("a PSKC document needs at least one key seed");
  const ids = new Set<string>();
  for (const seed of seeds) {
    if (seed.value.length !== KEY_SEED_LENGTH) {
      throw new RangeError(`a key seed must be ${KEY_SEED_LENGTH} bytes, got ${seed.value.length} (seed ${seed.id})`);
    }
    if (seed.id === "" || ids.has(seed.id)) throw new RangeError(`key seed ids must be unique and non-empty (seed "${seed.id}")`);
    ids.add(seed.id);
  }
}

/**
 * `pskc:KeyContainer`: EncryptionKey, then MACMethod with a fresh HMAC-SHA-256 key encrypted under the document key
 * (RFC 6030 §6.1.1: "encrypted with the same encryption key"), then one KeyPackage per seed (pskc.xsd order).
 */
async function renderContainer(
  namespaces: [string, string][],
  encryptionKey: XmlNode,
  key: CryptoKey,
  seeds: readonly PskcSeed[],
  options: PskcWriteOptions,
): Promise<string> {
  const macKeyBytes = randomBytes(MAC_KEY_LENGTH);
  const macKey = await importMacKey(macKeyBytes, "SHA-256");
  const encryptedMacKey = await encryptValue(key, macKeyBytes);
  macKeyBytes.fill(0);
  const packages: XmlNode[] = [];
  for (const seed of seeds) {
    const cipherValue = await encryptValue(key, seed.value);
    packages.push(keyPackageElement(seed, cipherValue, await valueMac(macKey, cipherValue), options));
  }
  const root = xmlElement(
    "pskc:KeyContainer",
    [["xmlns:pskc", PSKC_NS], ["xmlns:xenc", XMLENC_NS], ...namespaces, ["Version", PSKC_VERSION]],
    [
      xmlElement("pskc:EncryptionKey", [], [encryptionKey]),
      xmlElement("pskc:MACMethod", [["Algorithm", MAC_ALGORITHM]], [encryptedDataElement("pskc:MACKey", encryptedMacKey)]),
      ...packages,
    ],
  );
  return renderXmlDocument(root);
}

/** `xenc11:DerivedKey` with `pkcs5:PBKDF2-params`, laid out as RFC 6030 §6.2 Figure 7 (children unqualified). */
function derivedKeyElement(parameters: Pbkdf2Parameters): XmlNode {
  const pbkdf2Parameters = xmlElement(
    "pkcs5:PBKDF2-params",
    [],
    [
      xmlElement("Salt", [], [xmlElement("Specified", [], toBase64(parameters.salt))]),
      xmlElement("IterationCount", [], String(parameters.iterations)),
      xmlElement("KeyLength", [], String(parameters.keyLength)),
      xmlElement("PRF", [["Algorithm", PBKDF2_PRF]]),
    ],
  );
  const method = xmlElement("xenc11:KeyDerivationMethod", [["Algorithm", PBKDF2_ALGORITHM]], [pbkdf2Parameters]);
  return xmlElement("xenc11:DerivedKey", [], [method]);
}

/**
 * `xenc:EncryptedKey` (XML Encryption §3.5.1) inside `pskc:EncryptionKey`, whose type ds:KeyInfoType admits it:
 * the transport key under RSA-OAEP-MGF1P/SHA-1, addressed by the recipient's certificate in `ds:X509Data`.
 */
function encryptedKeyElement(wrapped: Uint8Array, certificateDer: Uint8Array): XmlNode {
  return xmlElement(
    "xenc:EncryptedKey",
    [],
    [
      xmlElement("xenc:EncryptionMethod", [["Algorithm", RSA_OAEP_MGF1P]], [xmlElement("ds:DigestMethod", [["Algorithm", SHA1_DIGEST]])]),
      xmlElement("ds:KeyInfo", [], [xmlElement("ds:X509Data", [], [xmlElement("ds:X509Certificate", [], toBase64(certificateDer))])]),
      xmlElement("xenc:CipherData", [], [xmlElement("xenc:CipherValue", [], toBase64(wrapped))]),
    ],
  );
}

/** An xenc:EncryptedDataType element: AES-256-CBC, CipherValue = IV ‖ ciphertext (RFC 6030 §6.2). */
function encryptedDataElement(name: string, cipherValue: Uint8Array): XmlNode {
  return xmlElement(
    name,
    [],
    [
      xmlElement("xenc:EncryptionMethod", [["Algorithm", VALUE_ENCRYPTION]]),
      xmlElement("xenc:CipherData", [], [xmlElement("xenc:CipherValue", [], toBase64(cipherValue))]),
    ],
  );
}

/** `pskc:KeyPackage/pskc:Key` (RFC 6030 §4.3): Id, Algorithm, Issuer?, FriendlyName, Data/Secret with its ValueMAC. */
function keyPackageElement(seed: PskcSeed, cipherValue: Uint8Array, mac: Uint8Array, options: PskcWriteOptions): XmlNode {
  const secret = xmlElement(
    "pskc:Secret",
    [],
    [encryptedDataElement("pskc:EncryptedValue", cipherValue), xmlElement("pskc:ValueMAC", [], toBase64(mac))],
  );
  const key = xmlElement(
    "pskc:Key",
    [
      ["Id", seed.id],
      ["Algorithm", PLAYREADY_KEY_SEED_ALGORITHM],
    ],
    [
      ...(options.issuer ? [xmlElement("pskc:Issuer", [], options.issuer)] : []),
      xmlElement("pskc:FriendlyName", [], seed.name),
      xmlElement("pskc:Data", [], [secret]),
    ],
  );
  return xmlElement("pskc:KeyPackage", [], [key]);
}
