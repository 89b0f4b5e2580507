/**
 * Writes the key-carrying parts of a CPIX document: ContentKey and DeliveryData, with their PSKC / XML-Encryption
 * values. Element order follows the CPIX XSD sequences (xsd/2.3/cpix.xsd, pskc.xsd binaryDataType).
 */
import { toBase64 } from "../domain/bytes";
import type { CpixContentKey } from "./model";
import type { CpixDeliveryData, CpixEncryptedValue, CpixMacMethod } from "./model-delivery";
import { CPIX_NS, PSKC_NS, XMLDSIG_NS, XMLENC_NS } from "./namespaces";
import type { XmlBuilder } from "./xml-builder";

/** `ContentKey`: attributes, then `HDCPData` (2.4) and `Data/pskc:Secret/(PlainValue | EncryptedValue + ValueMAC)`. */
export function writeContentKey(xml: XmlBuilder, key: CpixContentKey): void {
  const attributes = [
    ["id", key.id],
    ["Algorithm", key.algorithm],
    ["kid", key.kid.toString()],
    ["explicitIV", key.explicitIV && toBase64(key.explicitIV.bytes)],
    ["dependsOnKey", key.dependsOnKey?.toString()],
    ["commonEncryptionScheme", key.commonEncryptionScheme],
    ["contentId", key.contentId],
  ] as const;
  if (!key.hdcpData && !key.value && !key.encryptedValue) return xml.leaf(CPIX_NS, "ContentKey", attributes);
  xml.open(CPIX_NS, "ContentKey", attributes);
  if (key.hdcpData) {
    const { hlsHdcpLevel, outputProtectionData } = key.hdcpData;
    if (!outputProtectionData) xml.leaf(CPIX_NS, "HDCPData", [["HLSHDCPLevel", hlsHdcpLevel]]);
    else {
      xml.open(CPIX_NS, "HDCPData", [["HLSHDCPLevel", hlsHdcpLevel]]);
      xml.binaryLeaf(CPIX_NS, "HDCPOutputProtectionData", [], outputProtectionData);
      xml.close(CPIX_NS, "HDCPData");
    }
  }
  if (key.value || key.encryptedValue) {
    xml.open(CPIX_NS, "Data");
    xml.open(PSKC_NS, "Secret");
    if (key.encryptedValue) writeEncryptedValue(xml, PSKC_NS, "EncryptedValue", key.encryptedValue);
    else xml.binaryLeaf(PSKC_NS, "PlainValue", [], key.value!.bytes);
    xml.close(PSKC_NS, "Secret");
    xml.close(CPIX_NS, "Data");
  }
  xml.close(CPIX_NS, "ContentKey");
}

/** `DeliveryData`: DeliveryKey, DocumentKey*, MACMethod?, then the four descriptive strings. */
export function writeDeliveryData(xml: XmlBuilder, delivery: CpixDeliveryData): void {
  xml.open(CPIX_NS, "DeliveryData", [
    ["id", delivery.id],
    ["updateVersion", delivery.updateVersion],
    ["name", delivery.name],
  ]);
  xml.open(CPIX_NS, "DeliveryKey");
  if (delivery.deliveryKey.x509Certificates.length > 0) {
    xml.open(XMLDSIG_NS, "X509Data");
    for (const certificate of delivery.deliveryKey.x509Certificates) xml.binaryLeaf(XMLDSIG_NS, "X509Certificate", [], certificate);
    xml.close(XMLDSIG_NS, "X509Data");
  }
  xml.close(CPIX_NS, "DeliveryKey");
  for (const documentKey of delivery.documentKeys) {
    const attributes = [
      ["id", documentKey.id],
      ["Algorithm", documentKey.algorithm],
      ["encryptsKey", documentKey.encryptsKey?.toString()],
    ] as const;
    if (!documentKey.value) {
      xml.leaf(CPIX_NS, "DocumentKey", attributes);
      continue;
    }
    xml.open(CPIX_NS, "DocumentKey", attributes);
    xml.open(CPIX_NS, "Data");
    xml.open(PSKC_NS, "Secret");
    writeEncryptedValue(xml, PSKC_NS, "EncryptedValue", documentKey.value);
    xml.close(PSKC_NS, "Secret");
    xml.close(CPIX_NS, "Data");
    xml.close(CPIX_NS, "DocumentKey");
  }
  if (delivery.macMethod) writeMacMethod(xml, delivery.macMethod);
  const descriptions = [
    ["Description", delivery.description],
    ["SendingEntity", delivery.sendingEntity],
    ["SenderPointOfContact", delivery.senderPointOfContact],
    ["ReceivingEntity", delivery.receivingEntity],
  ] as const;
  for (const [name, text] of descriptions) if (text !== undefined) xml.leaf(CPIX_NS, name, [], text);
  xml.close(CPIX_NS, "DeliveryData");
}

/**
 * `MACMethod` in the shape it was read in (CpixMacMethod.keyShape; AWS SPEKE docs, DASH-IF cpix-test-vectors,
 * RFC 6030).
 */
function writeMacMethod(xml: XmlBuilder, mac: CpixMacMethod): void {
  const attributes = [["Algorithm", mac.algorithm]] as const;
  if (!mac.key) return xml.leaf(CPIX_NS, "MACMethod", attributes);
  xml.open(CPIX_NS, "MACMethod", attributes);
  if (mac.keyShape === "pskc") writeEncryptedValue(xml, PSKC_NS, "MACKey", { ...mac.key, valueMac: undefined });
  else if (mac.keyShape === "xmlenc") writeEncryptedValue(xml, CPIX_NS, "Key", { ...mac.key, valueMac: undefined });
  else {
    xml.open(CPIX_NS, "Key");
    writeEncryptedValue(xml, PSKC_NS, "EncryptedValue", mac.key);
    xml.close(CPIX_NS, "Key");
  }
  xml.close(CPIX_NS, "MACMethod");
}

/** `<holder><xenc:EncryptionMethod/><xenc:CipherData><xenc:CipherValue/></xenc:CipherData></holder>` + `pskc:ValueMAC`. */
function writeEncryptedValue(xml: XmlBuilder, namespace: string, localName: string, value: CpixEncryptedValue): void {
  xml.open(namespace, localName);
  if (value.encryptionMethod !== undefined) xml.leaf(XMLENC_NS, "EncryptionMethod", [["Algorithm", value.encryptionMethod]]);
  xml.open(XMLENC_NS, "CipherData");
  xml.binaryLeaf(XMLENC_NS, "CipherValue", [], value.cipherValue);
  xml.close(XMLENC_NS, "CipherData");
  xml.close(namespace, localName);
  if (value.valueMac) xml.binaryLeaf(PSKC_NS, "ValueMAC", [], value.valueMac);
}
