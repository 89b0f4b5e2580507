/**
 * The key-delivery part of the CPIX model (`DeliveryData` and XML-Encryption values), CPIX 2.3 §Key Management,
 * as plain typed data beside `model.ts`, with the same conventions (binary values hold decoded bytes).
 */
import type { KeyId } from "../domain/key-id";

/** An XML-Encryption value: `xenc:EncryptionMethod@Algorithm` + `xenc:CipherData/xenc:CipherValue` (+ PSKC ValueMAC). */
export interface CpixEncryptedValue {
  /** `xenc:EncryptionMethod@Algorithm`, e.g. `http://www.w3.org/2001/04/xmlenc#aes256-cbc`. */
  readonly encryptionMethod?: string;
  /** `xenc:CipherValue`: for content keys, IV(16) ‖ AES-256-CBC ciphertext (CPIX 2.3 §Key Management). */
  readonly cipherValue: Uint8Array;
  /** `pskc:ValueMAC`: HMAC over the CipherValue, RFC 6030 §6.1.1. */
  readonly valueMac?: Uint8Array;
}

/** `DeliveryData`: one recipient of encrypted keys, CPIX 2.3 §DeliveryData Element. Kept, not acted on yet. */
export interface CpixDeliveryData {
  /** `@id` (xs:ID). */
  readonly id?: string;
  /** `@updateVersion`. */
  readonly updateVersion?: number;
  /** `@name`. */
  readonly name?: string;
  /** `DeliveryKey/ds:X509Data/ds:X509Certificate` (DER bytes), the recipient's certificates. */
  readonly deliveryKey: { readonly x509Certificates: readonly Uint8Array[] };
  /** `DocumentKey` (one up to 2.3, one or more in 2.4); absent in SPEKE requests, which send only the certificate. */
  readonly documentKeys: readonly CpixDocumentKey[];
  /** `MACMethod`, RFC 6030 §6.1.1 MACMethodType. */
  readonly macMethod?: CpixMacMethod;
  /** `Description`. */
  readonly description?: string;
  /** `SendingEntity`. */
  readonly sendingEntity?: string;
  /** `SenderPointOfContact`. */
  readonly senderPointOfContact?: string;
  /** `ReceivingEntity`. */
  readonly receivingEntity?: string;
}

/** `DocumentKey`, CPIX 2.3 §DeliveryData Element / CPIX 2.4 §DocumentKey Element. */
export interface CpixDocumentKey {
  /** `@id`. */
  readonly id?: string;
  /** `@Algorithm` (CPIX ≤ 2.3), e.g. `http://www.w3.org/2001/04/xmlenc#aes256-cbc`. */
  readonly algorithm?: string;
  /** `@encryptsKey` (CPIX 2.4): the content key this document key protects. */
  readonly encryptsKey?: KeyId;
  /** `Data/pskc:Secret/pskc:EncryptedValue`: the document key wrapped for the DeliveryKey's public key. */
  readonly value?: CpixEncryptedValue;
}

/**
 * `MACMethod`. Three shapes of its key exist in the wild (all valid: `pskc:MACMethodType` ends in `xs:any ##other lax`); `keyShape` records
 * which one was read so the writer can answer in the same shape:
 * `aws` = `cpix:Key/pskc:EncryptedValue` + `pskc:ValueMAC` (AWS SPEKE docs, reference server),
 * `xmlenc` = `cpix:Key/xenc:EncryptionMethod + xenc:CipherData` (DASH-IF test vectors, Axinom, pycpix),
 * `pskc` = `pskc:MACKey` (RFC 6030 §6.1.1).
 */
export interface CpixMacMethod {
  /** `@Algorithm`, e.g. `http://www.w3.org/2001/04/xmldsig-more#hmac-sha512`. */
  readonly algorithm: string;
  readonly key?: CpixEncryptedValue;
  readonly keyShape: "aws" | "xmlenc" | "pskc";
}
