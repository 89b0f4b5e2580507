import type { CpixDeliveryData, CpixDocumentKey, CpixMacMethod } from "./model-delivery";
import { CPIX_NS, PSKC_NS, XMLDSIG_NS } from "./namespaces";
import { readEncryptedValue } from "./read-encrypted-value";
import { definedOnly, type ReadNode } from "./read-node";

/**
 * Reads one `DeliveryData` (CPIX 2.3 §DeliveryData Element): the recipient certificate and, in responses, the
 * wrapped document and MAC keys. SPEKE requests send only `DeliveryKey` (AWS SPEKE docs, "Content key
 * encryption"), so DocumentKey, mandatory in the 2.3 XSD, is optional here.
 */
export function readDeliveryData(node: ReadNode): CpixDeliveryData {
  const deliveryKey = node.requiredChild(CPIX_NS, "DeliveryKey");
  const macMethod = node.child(CPIX_NS, "MACMethod");
  return definedOnly({
    id: node.attribute("id"),
    updateVersion: node.integerAttribute("updateVersion"),
    name: node.attribute("name"),
    deliveryKey: {
      x509Certificates: deliveryKey
        .children(XMLDSIG_NS, "X509Data")
        .flatMap((data) => data.children(XMLDSIG_NS, "X509Certificate").map((certificate) => certificate.base64Text())),
    },
    documentKeys: node.children(CPIX_NS, "DocumentKey").map(readDocumentKey),
    macMethod: macMethod && readMacMethod(macMethod),
    description: node.child(CPIX_NS, "Description")?.text(),
    sendingEntity: node.child(CPIX_NS, "SendingEntity")?.text(),
    senderPointOfContact: node.child(CPIX_NS, "SenderPointOfContact")?.text(),
    receivingEntity: node.child(CPIX_NS, "ReceivingEntity")?.text(),
  });
}

/** `DocumentKey`: `Data/pskc:Secret/pskc:EncryptedValue` (+ ValueMAC), CPIX 2.3 §Key Management. */
function readDocumentKey(node: ReadNode): CpixDocumentKey {
  const secret = node.child(CPIX_NS, "Data")?.child(PSKC_NS, "Secret");
  const encrypted = secret?.child(PSKC_NS, "EncryptedValue");
  return definedOnly({
    id: node.attribute("id"),
    algorithm: node.attribute("Algorithm"),
    encryptsKey: node.uuidAttribute("encryptsKey"),
    value: encrypted && readEncryptedValue(encrypted, secret?.child(PSKC_NS, "ValueMAC")),
  });
}

/** `MACMethod` in any of the three key shapes (see CpixMacMethod); a MACMethod without a key reads as shape `aws`. */
function readMacMethod(node: ReadNode): CpixMacMethod {
  const algorithm = node.requiredAttribute("Algorithm");
  const macKey = node.child(PSKC_NS, "MACKey");
  if (macKey) return { algorithm, key: readEncryptedValue(macKey), keyShape: "pskc" };
  const key = node.child(CPIX_NS, "Key");
  const encrypted = key?.child(PSKC_NS, "EncryptedValue");
  if (key && encrypted) return { algorithm, key: readEncryptedValue(encrypted, key.child(PSKC_NS, "ValueMAC")), keyShape: "aws" };
  if (key) return { algorithm, key: readEncryptedValue(key), keyShape: "xmlenc" };
  return { algorithm, keyShape: "aws" };
}
