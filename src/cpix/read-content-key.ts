import { fromBase64 } from "../domain/bytes";
import { CONTENT_KEY_LENGTH, contentKeyFromBytes, ivFromBytes, type ContentKey, type Iv } from "../domain/content-key";
import { KeyId } from "../domain/key-id";
import { parseSchemeName, SCHEME_NAMES, type SchemeName } from "../domain/protection-scheme";
import type { CpixContentKey } from "./model";
import type { CpixEncryptedValue } from "./model-delivery";
import { CPIX_NS, PSKC_NS } from "./namespaces";
import { readEncryptedValue } from "./read-encrypted-value";
import { definedOnly, UUID_PATTERN, type ReadNode } from "./read-node";

/** The rule a bad `@commonEncryptionScheme` breaks, built once. */
const SCHEME_RULE = `must be one of ${SCHEME_NAMES.join(", ")}`;

/** Reads one `ContentKey`, CPIX 2.3 §ContentKey Element (2.4 adds @contentId and HDCPData). */
export function readContentKey(node: ReadNode): CpixContentKey {
  const hdcp = node.child(CPIX_NS, "HDCPData");
  const data = node.child(CPIX_NS, "Data");
  return definedOnly({
    kid: node.requiredUuidAttribute("kid"),
    id: node.attribute("id"),
    algorithm: node.attribute("Algorithm"),
    explicitIV: readExplicitIv(node),
    dependsOnKey: node.uuidAttribute("dependsOnKey"),
    commonEncryptionScheme: readScheme(node),
    contentId: node.attribute("contentId"),
    hdcpData:
      hdcp &&
      definedOnly({
        hlsHdcpLevel: hdcp.attribute("HLSHDCPLevel"),
        outputProtectionData: hdcp.child(CPIX_NS, "HDCPOutputProtectionData")?.base64Text(),
      }),
    ...(data ? readKeyData(data) : {}),
  });
}

/**
 * `@explicitIV`: base64 of 16 bytes (CPIX 2.3 §ContentKey Element) or 8 (ISO/IEC 23001-7 §9.1 allows 8-byte IVs).
 * Quirk: the 2020 DASH-IF KeyRotationMultiKey* vectors write a UUID here; it is read as the UUID's 16 bytes.
 */
function readExplicitIv(node: ReadNode): Iv | undefined {
  const text = node.attribute("explicitIV")?.trim();
  if (text === undefined) return undefined;
  const bytes = UUID_PATTERN.test(text) ? KeyId.require(text).bytes : fromBase64(text);
  if (!bytes) return node.invalidAttribute("explicitIV", "must be base64");
  if (bytes.length !== 8 && bytes.length !== 16) {
    return node.invalidAttribute("explicitIV", `must be 8 or 16 bytes, got ${bytes.length}`);
  }
  return ivFromBytes(bytes);
}

/**
 * `@commonEncryptionScheme`, compared case-insensitively: the ISO/IEC 23001-7 §4.2 scheme 4CCs and the HLS METHOD
 * names CPIX 2.3.1/2.4 §ContentKey Element also allows (RFC 8216bis §4.4.4.4; NONE names no key and is refused).
 */
function readScheme(node: ReadNode): SchemeName | undefined {
  const text = node.attribute("commonEncryptionScheme");
  if (text === undefined) return undefined;
  return parseSchemeName(text) ?? node.invalidAttribute("commonEncryptionScheme", SCHEME_RULE);
}

/**
 * `Data/pskc:Secret`: `PlainValue` (base64 of the 16-byte key) or `EncryptedValue` + `ValueMAC` (RFC 6030 §4.3.1,
 * §6.1). An empty PlainValue is a placeholder and counts as no value.
 */
function readKeyData(data: ReadNode): { value?: ContentKey; encryptedValue?: CpixEncryptedValue } {
  const secret = data.child(PSKC_NS, "Secret");
  if (!secret) return {};
  const plain = secret.child(PSKC_NS, "PlainValue");
  const encrypted = secret.child(PSKC_NS, "EncryptedValue");
  if (plain && encrypted) secret.invalidElement("Secret", "must hold a PlainValue or an EncryptedValue, not both");
  if (encrypted) return { encryptedValue: readEncryptedValue(encrypted, secret.child(PSKC_NS, "ValueMAC")) };
  if (!plain) return {};
  const bytes = plain.base64Text();
  if (bytes.length === 0) return {};
  if (bytes.length !== CONTENT_KEY_LENGTH) {
    plain.invalidElement("PlainValue", `must be base64 of ${CONTENT_KEY_LENGTH} bytes, got ${bytes.length}`);
  }
  return { value: contentKeyFromBytes(bytes) };
}
