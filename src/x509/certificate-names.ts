import { toHex } from "../domain/bytes";
import { decodeOid, DER_TAG, DerReader, type DerElement } from "./der";

/** Short names of RFC 4514 §3 (plus emailAddress, PKCS #9), for the string form of names. */
const ATTRIBUTE_NAMES: Readonly<Record<string, string>> = {
  "2.5.4.3": "CN",
  "2.5.4.6": "C",
  "2.5.4.7": "L",
  "2.5.4.8": "ST",
  "2.5.4.9": "STREET",
  "2.5.4.10": "O",
  "2.5.4.11": "OU",
  "0.9.2342.19200300.100.1.25": "DC",
  "0.9.2342.19200300.100.1.1": "UID",
  "1.2.840.113549.1.9.1": "emailAddress",
};

/**
 * Name ::= SEQUENCE OF RelativeDistinguishedName (§4.1.2.4) → RFC 4514 §2.1 string: last RDN first, `,` between.
 * The RDNs are collected in order and reversed once: a name may hold tens of thousands of them (a request's body
 * is up to 1 MiB), and putting each in front would move all the others every time.
 */
export function readName(name: DerElement): string {
  const rdns: string[] = [];
  const sequence = new DerReader(name.content);
  while (!sequence.done) {
    const set = sequence.enter(DER_TAG.SET, "RelativeDistinguishedName");
    const values: string[] = [];
    while (!set.done) {
      const pair = set.enter(DER_TAG.SEQUENCE, "AttributeTypeAndValue");
      const type = decodeOid(pair.read(DER_TAG.OBJECT_IDENTIFIER, "AttributeType").content);
      const value = pair.read(undefined, "AttributeValue");
      values.push(`${ATTRIBUTE_NAMES[type] ?? type}=${attributeValue(value)}`);
    }
    rdns.push(values.join("+"));
  }
  return rdns.reverse().join(",");
}

/** RFC 4514 §2.4: string values escaped; values of other types as `#` + hex of their encoding. */
function attributeValue(value: DerElement): string {
  let text: string;
  switch (value.tag) {
    case DER_TAG.UTF8_STRING:
    case DER_TAG.PRINTABLE_STRING:
    case DER_TAG.IA5_STRING:
      text = new TextDecoder("utf-8").decode(value.content);
      break;
    case DER_TAG.TELETEX_STRING:
      text = new TextDecoder("latin1").decode(value.content);
      break;
    case DER_TAG.BMP_STRING:
      text = new TextDecoder("utf-16be").decode(value.content);
      break;
    default:
      return `#${toHex(value.encoded)}`;
  }
  return text
    .replace(/[,+"\\<>;]/g, "\\$&")
    .replace(/^[ #]/, "\\$&")
    .replace(/ $/, "\\ ");
}
