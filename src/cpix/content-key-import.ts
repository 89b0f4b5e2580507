/**
 * Content keys imported from a CPIX document (`POST /api/Import/ContentKeys` with an XML body): every `ContentKey`
 * with its value, plain (`pskc:PlainValue`, RFC 6030 §4.3.1) or encrypted for one of the tenant's certificates
 * (CPIX 2.3 §Key Management). Reading is `readCpix`; decryption is `decryptContentKeys`, given only the DeliveryData
 * whose `DeliveryKey` holds a certificate the tenant has the private key of. All or nothing: the first problem is
 * returned, naming the ContentKey (position and kid) or DeliveryData, never a key or MAC value.
 * Not imported: usage rules, DRM signalling, `@commonEncryptionScheme`, `@dependsOnKey`; signatures are not checked.
 */
import { timingSafeEqual } from "../domain/bytes";
import { STORED_IV_LENGTH, type ContentKey, type Iv } from "../domain/content-key";
import type { KeyId } from "../domain/key-id";
import type { CpixKeyImportFailure } from "./content-key-import-failure";
import type { CpixContentKey, CpixDocument } from "./model";
import type { CpixDeliveryData } from "./model-delivery";
import { readCpix } from "./reader";
import { decryptContentKeys } from "./security/delivery-decryption";

// The failure and its sentence live in their own module; exported here too, beside the reader that returns them.
export { describeCpixKeyImportFailure, type CpixKeyImportFailure } from "./content-key-import-failure";

/** One imported key: the KID, its 16-byte value and its IV when the document gave one. */
export interface CpixImportedKey {
  readonly kid: KeyId;
  readonly key: ContentKey;
  readonly iv?: Iv;
}

/**
 * A certificate of the tenant with access to its private key (a CPIX signing key, `/api/SigningKeys`). The key is
 * opened only for the certificate a DeliveryData names, and only when the document has encrypted keys.
 */
export interface CpixImportRecipient {
  /** The certificate, DER, compared byte for byte with each `DeliveryKey/ds:X509Data/ds:X509Certificate`. */
  readonly certificateDer: Uint8Array;
  /** Its RSA private key as PKCS #8 DER (RFC 5208); the bytes are zeroed once imported. */
  readonly openPrivateKey: () => Promise<Uint8Array>;
}

export type CpixKeyImportResult =
  { readonly ok: true; readonly keys: readonly CpixImportedKey[] } | { readonly ok: false; readonly failure: CpixKeyImportFailure };

/**
 * Reads every content key of a CPIX document (raw body bytes), decrypting encrypted ones with the private key of
 * the recipient certificate a DeliveryData names.
 * @example
 * const read = await readCpixContentKeys(bodyBytes, signingKeys.map((k) => ({ certificateDer: k.der, openPrivateKey: () => openPkcs8(k) })));
 * if (!read.ok) return managementRequestFailureResponse({ reason: "cpix-import", failure: read.failure });
 */
export async function readCpixContentKeys(body: Uint8Array, recipients: readonly CpixImportRecipient[]): Promise<CpixKeyImportResult> {
  const read = readCpix(body);
  if (!read.ok) return refuse({ reason: "unreadable", failure: read.failure });
  const document = read.document;
  const contentKeys = document.contentKeyList?.items ?? [];
  const problem = contentKeyProblem(contentKeys);
  if (problem) return refuse(problem);
  if (contentKeys.every((key) => key.value)) return { ok: true, keys: contentKeys.map((key) => imported(key, key.value!)) };
  const deliveries = document.deliveryDataList?.items ?? [];
  const match = matchRecipient(deliveries, recipients);
  if (!match) return refuse({ reason: "unknown-recipient", deliveryDataCount: deliveries.length });
  const decrypted = await decryptFor(document, match.deliveryData, match.recipient);
  if (!decrypted.ok) return refuse({ reason: "undecryptable", deliveryData: match.index, failure: decrypted.failure });
  const values = new Map(decrypted.keys.map((key) => [key.kid.toString(), key.value]));
  return { ok: true, keys: contentKeys.map((key) => imported(key, values.get(key.kid.toString())!)) };
}

/**
 * The first ContentKey that cannot be imported: none at all, one without a value, a repeated kid, an 8-byte IV. The
 * count is bounded by readCpix already (MAX_CONTENT_KEYS, which is MAX_CONTENT_KEY_TRANSFER).
 */
function contentKeyProblem(contentKeys: readonly CpixContentKey[]): CpixKeyImportFailure | undefined {
  if (contentKeys.length === 0) return { reason: "no-content-keys" };
  const seen = new Map<string, number>();
  for (const [i, key] of contentKeys.entries()) {
    const contentKey = i + 1;
    const kid = key.kid.toString();
    if (!key.value && !key.encryptedValue) return { reason: "missing-key-value", contentKey, kid };
    const first = seen.get(kid);
    if (first !== undefined) return { reason: "duplicate-kid", contentKey, first, kid };
    seen.set(kid, contentKey);
    const ivLength = key.explicitIV?.bytes.length;
    if (ivLength !== undefined && ivLength !== STORED_IV_LENGTH) return { reason: "iv-length", contentKey, kid, length: ivLength };
  }
  return undefined;
}

/** The first DeliveryData (1-based `index`) whose DeliveryKey holds one of the recipients' certificates. */
function matchRecipient(
  deliveries: readonly CpixDeliveryData[],
  recipients: readonly CpixImportRecipient[],
): { index: number; deliveryData: CpixDeliveryData; recipient: CpixImportRecipient } | undefined {
  for (const [i, deliveryData] of deliveries.entries()) {
    for (const der of deliveryData.deliveryKey.x509Certificates) {
      const recipient = recipients.find((candidate) => sameBytes(candidate.certificateDer, der));
      if (recipient) return { index: i + 1, deliveryData, recipient };
    }
  }
  return undefined;
}

/** Decrypts with the recipient's private key (RSA-OAEP, SHA-1: xmlenc#rsa-oaep-mgf1p), trying only its DeliveryData. */
async function decryptFor(document: CpixDocument, deliveryData: CpixDeliveryData, recipient: CpixImportRecipient) {
  const pkcs8 = await recipient.openPrivateKey();
  let privateKey: CryptoKey;
  try {
    privateKey = await crypto.subtle.importKey("pkcs8", pkcs8, { name: "RSA-OAEP", hash: "SHA-1" }, false, ["decrypt"]);
  } finally {
    pkcs8.fill(0);
  }
  return decryptContentKeys({ ...document, deliveryDataList: { items: [deliveryData] } }, privateKey);
}

function imported(key: CpixContentKey, value: ContentKey): CpixImportedKey {
  return key.explicitIV ? { kid: key.kid, key: value, iv: key.explicitIV } : { kid: key.kid, key: value };
}

/** Certificates are public: a plain comparison would do, the constant-time one is already at hand. */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

function refuse(failure: CpixKeyImportFailure): { ok: false; failure: CpixKeyImportFailure } {
  return { ok: false, failure };
}
