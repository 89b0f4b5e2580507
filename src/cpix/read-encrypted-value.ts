import { definedOnly, type ReadNode } from "./read-node";
import type { CpixEncryptedValue } from "./model-delivery";
import { XMLENC_NS } from "./namespaces";

/**
 * Reads `xenc:EncryptionMethod` + `xenc:CipherData/xenc:CipherValue` from the element holding them
 * (`pskc:EncryptedValue`, `pskc:MACKey` or the DASH-IF shape's `cpix:Key`), XMLENC §3.1–§3.3; `mac` is the
 * sibling `pskc:ValueMAC` when there is one (RFC 6030 §6.1.1).
 */
export function readEncryptedValue(holder: ReadNode, mac?: ReadNode): CpixEncryptedValue {
  const cipherValue = holder.requiredChild(XMLENC_NS, "CipherData").requiredChild(XMLENC_NS, "CipherValue");
  return definedOnly({
    encryptionMethod: holder.child(XMLENC_NS, "EncryptionMethod")?.attribute("Algorithm"),
    cipherValue: cipherValue.base64Text(),
    valueMac: mac?.base64Text(),
  });
}
