/**
 * The CPIX 2.3 document of `POST /api/Export/ContentKeys`: every selected key as a `ContentKey` (kid, `explicitIV`
 * when an IV is stored), its value in `Data/pskc:Secret/pskc:PlainValue`, or encrypted for one recipient
 * certificate exactly as an encrypted acquisition answer is (CPIX 2.3 §Key Management: DeliveryData with
 * DeliveryKey, DocumentKey and MACMethod; `pskc:EncryptedValue` + `pskc:ValueMAC` per key). The MACMethod key is
 * written in the DASH-IF/Axinom shape (`MACMethod/Key` with xenc children), the one the DASH-IF test vectors use.
 * `readCpixContentKeys` reads it back.
 */
import type { ContentKey, Iv } from "../domain/content-key";
import type { KeyId } from "../domain/key-id";
import { MAX_CONTENT_KEY_TRANSFER } from "../domain/request-limits";
import type { CpixContentKey, CpixDocument } from "./model";
import { encryptContentKeys, type DeliveryRecipient } from "./security/delivery-encryption";
import { writeCpix } from "./writer";

/** The CPIX version of every export: the one SPEKE v2.0 and Axinom's Key Service speak (CPIX 2.3 §CPIX Element @version). */
export const CONTENT_KEY_EXPORT_CPIX_VERSION = "2.3";

/** A stored key as the export writes it. */
export interface ExportedContentKey {
  readonly kid: KeyId;
  readonly key: ContentKey;
  readonly iv?: Iv;
}

/**
 * How the keys leave: `plain` only when the tenant allows plain export (the caller decides); `encrypted` for a
 * recipient accepted by `recipientForCertificate` (RSA key policy and validity checked).
 */
export type ContentKeyExportProtection = { readonly kind: "plain" } | { readonly kind: "encrypted"; readonly recipient: DeliveryRecipient };

/**
 * Renders the export document (UTF-8 XML text). Throws a RangeError for no keys or more than
 * MAX_CONTENT_KEY_TRANSFER: the caller bounds the selection first, so that every export can be imported back.
 * @example
 * const xml = await writeContentKeyExport(keys, { kind: "encrypted", recipient });
 */
export async function writeContentKeyExport(keys: readonly ExportedContentKey[], protection: ContentKeyExportProtection): Promise<string> {
  if (keys.length === 0 || keys.length > MAX_CONTENT_KEY_TRANSFER) {
    throw new RangeError(`an export holds 1 to ${MAX_CONTENT_KEY_TRANSFER} content keys, got ${keys.length}`);
  }
  const contentKeys = keys.map((key): CpixContentKey =>
    key.iv ? { kid: key.kid, explicitIV: key.iv, value: key.key } : { kid: key.kid, value: key.key },
  );
  const document: CpixDocument = { version: CONTENT_KEY_EXPORT_CPIX_VERSION, contentKeyList: { items: contentKeys } };
  if (protection.kind === "plain") return writeCpix(document);
  const encrypted = await encryptContentKeys([protection.recipient], contentKeys, {
    macKeyShape: "xmlenc",
    version: CONTENT_KEY_EXPORT_CPIX_VERSION,
  });
  return writeCpix({
    ...document,
    deliveryDataList: { items: encrypted.deliveryData },
    contentKeyList: { items: encrypted.contentKeys },
  });
}
