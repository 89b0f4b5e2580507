import { decodeOid, DER_TAG, DerError, DerReader } from "./der";

/** id-ce-keyUsage (RFC 5280 §4.2.1.3). */
const KEY_USAGE_OID = "2.5.29.15";

/**
 * The first byte of a certificate's keyUsage bits (digitalSignature 0x80, nonRepudiation 0x40, keyEncipherment 0x20,
 * …; RFC 5280 §4.2.1.3, X.690 §8.6.2), or undefined when it has no keyUsage extension. `tbs` is positioned after
 * subjectPublicKeyInfo: `[1] issuerUniqueID`, `[2] subjectUniqueID` and `[3] extensions` may follow (§4.1).
 */
export function readKeyUsage(tbs: DerReader): number | undefined {
  while (!tbs.done) {
    const field = tbs.read(undefined, "tbsCertificate field");
    if (field.tag !== 0xa3) continue;
    const extensions = new DerReader(field.content).enter(DER_TAG.SEQUENCE, "extensions");
    while (!extensions.done) {
      const extension = extensions.enter(DER_TAG.SEQUENCE, "Extension");
      const id = decodeOid(extension.read(DER_TAG.OBJECT_IDENTIFIER, "extnID").content);
      if (extension.peekTag() === DER_TAG.BOOLEAN) extension.read(DER_TAG.BOOLEAN, "critical");
      const value = extension.read(DER_TAG.OCTET_STRING, "extnValue");
      if (id !== KEY_USAGE_OID) continue;
      const bits = new DerReader(value.content).read(DER_TAG.BIT_STRING, "keyUsage");
      if (bits.content.length === 0) throw new DerError("keyUsage: an empty BIT STRING");
      return bits.content[1] ?? 0;
    }
  }
  return undefined;
}
