/**
 * Content keys encrypted for the requester (CPIX 2.3 §Key Management, §DeliveryData Element; AWS SPEKE "Content
 * key encryption"): one fresh 256-bit document key and one 512-bit MAC key per document, each wrapped with
 * RSA-OAEP-MGF1P for every recipient's certificate; every content key written as base64(IV ‖ AES-256-CBC) with
 * `pskc:ValueMAC` = HMAC-SHA512 over that value. Recipients are checked first (`acceptRecipients`), so a refused
 * certificate stops the request before anything is issued.
 */
import { concatBytes } from "../../domain/bytes";
import { randomBytes } from "../../runtime/random";
import type { ContentKey } from "../../domain/content-key";
import type { CpixContentKey } from "../model";
import type { CpixDeliveryData, CpixDocumentKey, CpixEncryptedValue, CpixMacMethod } from "../model-delivery";
import { AES256_CBC, HMAC_SHA512, RSA_OAEP_MGF1P } from "./algorithms";
import type { X509Certificate } from "../../x509/certificate";
import { parseCertificateCached } from "../../x509/certificate-cache";
import { describeCertificateProblem } from "../../x509/certificate-failure";
import { rsaOaepKey } from "../../x509/certificate-keys";
import { certificateProblem } from "../../x509/certificate-policy";
import type { CertificateProblem } from "../../x509/certificate-problem";
import { endEntityCertificate } from "../../x509/end-entity";

/** CPIX 2.3 §Key Management: "a 256-bit AES key" for the document key. */
const DOCUMENT_KEY_BYTES = 32;
/** HMAC-SHA512 key of the hash's block size, 64 bytes (RFC 2104 §2; Axinom.Cpix and the AWS reference server). */
const MAC_KEY_BYTES = 64;
/** AES block size, the CBC IV length (FIPS 197; XML Encryption §5.2.2 prepends it to the ciphertext). */
const IV_BYTES = 16;

/** A DeliveryData whose certificate passed the policy, ready to receive wrapped keys. */
export interface DeliveryRecipient {
  /** The DeliveryData as requested: id, name and descriptions are echoed in the answer. */
  readonly deliveryData: CpixDeliveryData;
  /** The end-entity certificate among the `ds:X509Certificate`s (endEntityCertificate). */
  readonly certificate: X509Certificate;
  /** Its RSA public key for RSA-OAEP (SHA-1, MGF1-SHA-1), xmlenc#rsa-oaep-mgf1p. */
  readonly wrappingKey: CryptoKey;
}

/** Why a DeliveryData cannot receive keys; `index` is its 1-based position in DeliveryDataList. */
export type RecipientFailure =
  | { readonly reason: "missing-certificate"; readonly index: number }
  | { readonly reason: "certificate-refused"; readonly index: number; readonly problem: CertificateProblem };

export type AcceptRecipientsResult =
  { readonly ok: true; readonly recipients: readonly DeliveryRecipient[] } | { readonly ok: false; readonly failure: RecipientFailure };

/** Which `MACMethod/Key` shape to write: `aws` for the SPEKE endpoints, `xmlenc` (DASH-IF, Axinom) for plain CPIX. */
export type MacKeyShape = "aws" | "xmlenc";

export interface EncryptContentKeysOptions {
  readonly macKeyShape: MacKeyShape;
  /** The answer's CPIX version: from "2.4" on, DocumentKey has no `@Algorithm` (CPIX 2.4 §DocumentKey Element). */
  readonly version?: string;
}

/** The encrypted parts of an answer: DeliveryData items and ContentKeys carrying no plain value. */
export interface EncryptedKeyDelivery {
  readonly deliveryData: readonly CpixDeliveryData[];
  readonly contentKeys: readonly CpixContentKey[];
}

/**
 * Checks every requested recipient against the `recipient` certificate policy (src/x509/certificate-policy.ts) and
 * imports its key; the first refusal is returned, naming the DeliveryData.
 * @example
 * const accepted = await acceptRecipients(request.deliveryDataList?.items ?? [], now);
 * if (!accepted.ok) return refuse(accepted.failure); // before any key is issued
 */
export async function acceptRecipients(items: readonly CpixDeliveryData[], now: Date): Promise<AcceptRecipientsResult> {
  const recipients: DeliveryRecipient[] = [];
  for (const [i, deliveryData] of items.entries()) {
    const index = i + 1;
    const certificates: X509Certificate[] = [];
    for (const der of deliveryData.deliveryKey.x509Certificates.filter((bytes) => bytes.length > 0)) {
      const parsed = parseCertificateCached(der);
      if (!parsed.ok) return { ok: false, failure: { reason: "certificate-refused", index, problem: parsed.problem } };
      certificates.push(parsed.certificate);
    }
    const certificate = endEntityCertificate(certificates);
    if (!certificate) return { ok: false, failure: { reason: "missing-certificate", index } };
    const problem = await certificateProblem(certificate, "recipient", now);
    if (problem) return { ok: false, failure: { reason: "certificate-refused", index, problem } };
    const wrappingKey = await rsaOaepKey(certificate);
    recipients.push({ deliveryData, certificate, wrappingKey });
  }
  return { ok: true, recipients };
}

/**
 * A recipient for a certificate the request did not list in DeliveryDataList (Harmonic's `EncryptContentKeys`: the
 * request signer's certificate), checked against the same policy as `acceptRecipients`; the answer's DeliveryData
 * gets `deliveryData` and the certificate.
 */
export async function recipientForCertificate(
  certificate: X509Certificate,
  deliveryData: Omit<CpixDeliveryData, "deliveryKey" | "documentKeys">,
  now: Date,
): Promise<{ readonly ok: true; readonly recipient: DeliveryRecipient } | { readonly ok: false; readonly problem: CertificateProblem }> {
  const problem = await certificateProblem(certificate, "recipient", now);
  if (problem) return { ok: false, problem };
  const wrappingKey = await rsaOaepKey(certificate);
  return {
    ok: true,
    recipient: {
      deliveryData: { ...deliveryData, deliveryKey: { x509Certificates: [certificate.der] }, documentKeys: [] },
      certificate,
      wrappingKey,
    },
  };
}

/** One sentence naming the DeliveryData and the rule, for an error body or log line. */
export function describeRecipientFailure(failure: RecipientFailure): string {
  if (failure.reason === "missing-certificate") {
    return `DeliveryData[${failure.index}]/DeliveryKey must hold an X.509 certificate (ds:X509Data/ds:X509Certificate)`;
  }
  return describeCertificateProblem(failure.problem, `the certificate of DeliveryData[${failure.index}]`);
}

/**
 * Encrypts every content key that has a value for all recipients. Keys come back with `encryptedValue` and
 * without `value`; each DeliveryData gets its DocumentKey and MACMethod. Fresh document and MAC keys per call.
 */
export async function encryptContentKeys(
  recipients: readonly DeliveryRecipient[],
  contentKeys: readonly CpixContentKey[],
  options: EncryptContentKeysOptions,
): Promise<EncryptedKeyDelivery> {
  if (recipients.length === 0) throw new RangeError("encryptContentKeys needs at least one recipient");
  const documentKeyBytes = randomBytes(DOCUMENT_KEY_BYTES);
  const macKeyBytes = randomBytes(MAC_KEY_BYTES);
  try {
    const documentKey = await crypto.subtle.importKey("raw", documentKeyBytes, { name: "AES-CBC" }, false, ["encrypt"]);
    const macKey = await importMacKey(macKeyBytes, ["sign"]);
    const encryptedKeys = await Promise.all(
      contentKeys.map(async (key): Promise<CpixContentKey> => {
        if (!key.value) return key;
        const { value: _plain, ...rest } = key;
        return { ...rest, encryptedValue: await encryptContentKey(documentKey, macKey, key.value) };
      }),
    );
    const deliveryData = await Promise.all(
      recipients.map((recipient) => deliveryDataFor(recipient, documentKeyBytes, macKeyBytes, macKey, options)),
    );
    return { deliveryData, contentKeys: encryptedKeys };
  } finally {
    documentKeyBytes.fill(0);
    macKeyBytes.fill(0);
  }
}

/** HMAC-SHA512 key for ValueMAC (RFC 6030 §6.1.1, CPIX 2.3 §Key Management), non-extractable. */
export function importMacKey(bytes: Uint8Array, usages: string[]): Promise<CryptoKey> {
  return crypto.subtle.importKey("raw", bytes, { name: "HMAC", hash: "SHA-512" }, false, usages);
}

/** `pskc:ValueMAC`: HMAC-SHA512 over the CipherValue bytes (IV ‖ ciphertext), CPIX 2.3 §Key Management. */
export async function computeValueMac(macKey: CryptoKey, cipherValue: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.sign("HMAC", macKey, cipherValue));
}

/** One content key: a random IV, AES-256-CBC with PKCS #7 padding (WebCrypto pads), IV ‖ ciphertext, its MAC. */
async function encryptContentKey(documentKey: CryptoKey, macKey: CryptoKey, value: ContentKey): Promise<CpixEncryptedValue> {
  const iv = randomBytes(IV_BYTES);
  const ciphertext = new Uint8Array(await crypto.subtle.encrypt({ name: "AES-CBC", iv }, documentKey, value.bytes));
  const cipherValue = concatBytes(iv, ciphertext);
  return { encryptionMethod: AES256_CBC, cipherValue, valueMac: await computeValueMac(macKey, cipherValue) };
}

/** RSA-OAEP-MGF1P (SHA-1, no label) of a secret for one recipient, XML Encryption §5.4.2. */
async function wrapForRecipient(wrappingKey: CryptoKey, secret: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.encrypt({ name: "RSA-OAEP" }, wrappingKey, secret));
}

/**
 * The recipient's DeliveryData: DocumentKey (Algorithm aes256-cbc up to CPIX 2.3) and MACMethod. The AWS shape also
 * MACs the two wrapped values, as the AWS SPEKE reference server does; the DASH-IF shape does not.
 */
async function deliveryDataFor(
  recipient: DeliveryRecipient,
  documentKeyBytes: Uint8Array,
  macKeyBytes: Uint8Array,
  macKey: CryptoKey,
  options: EncryptContentKeysOptions,
): Promise<CpixDeliveryData> {
  const aws = options.macKeyShape === "aws";
  const wrapped = async (secret: Uint8Array): Promise<CpixEncryptedValue> => {
    const cipherValue = await wrapForRecipient(recipient.wrappingKey, secret);
    return aws
      ? { encryptionMethod: RSA_OAEP_MGF1P, cipherValue, valueMac: await computeValueMac(macKey, cipherValue) }
      : { encryptionMethod: RSA_OAEP_MGF1P, cipherValue };
  };
  const documentKey: CpixDocumentKey = supportsDocumentKeyAlgorithm(options.version)
    ? { algorithm: AES256_CBC, value: await wrapped(documentKeyBytes) }
    : { value: await wrapped(documentKeyBytes) };
  const macMethod: CpixMacMethod = { algorithm: HMAC_SHA512, key: await wrapped(macKeyBytes), keyShape: options.macKeyShape };
  const { documentKeys: _requested, macMethod: _requestedMac, ...kept } = recipient.deliveryData;
  return { ...kept, documentKeys: [documentKey], macMethod };
}

/** DocumentKey@Algorithm exists up to CPIX 2.3.1 and is gone in 2.4 (CPIX 2.4 XSD DocumentKeyType). */
function supportsDocumentKeyAlgorithm(version: string | undefined): boolean {
  if (version === undefined) return true;
  const [major, minor] = version.split(".").map(Number);
  return !(major! > 2 || (major === 2 && minor! >= 4));
}
