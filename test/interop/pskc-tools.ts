/// <reference types="node" />
/**
 * Outside our code: the PSKC interop tests open the export with standard tools only. Python 3's standard library
 * parses the XML and runs PBKDF2 (hashlib); OpenSSL decrypts (AES-CBC, RSA-OAEP) and computes HMACs.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { validateXML } from "xmllint-wasm";

/** Fails (never skips) naming the tool that is missing and where CI gets it (.ci/run). */
export function requireTools(): void {
  for (const [tool, args] of [
    ["openssl", ["version"]],
    ["python3", ["--version"]],
  ] as const) {
    const probe = spawnSync(tool, args);
    if (probe.error || probe.status !== 0) {
      throw new Error(`${tool} is not installed: the PSKC interop tests open the export with it (Debian package ${tool}, see .ci/run)`);
    }
  }
}

/** Runs a tool with optional stdin bytes; its stdout, or an error carrying its stderr. */
export function tool(command: string, args: readonly string[], input?: Uint8Array): Buffer {
  try {
    return execFileSync(command, args, { input, stdio: ["pipe", "pipe", "pipe"], timeout: 60_000 });
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString() ?? "";
    throw new Error(`${command} ${args[0]} failed: ${stderr || String(error)}`);
  }
}

export interface PskcFields {
  readonly salt?: string;
  readonly iterations?: number;
  readonly keyLength?: number;
  readonly prf?: string;
  readonly encryptedKey?: string;
  readonly encryptedKeyMethod?: string;
  readonly macAlgorithm: string;
  readonly macKey: string;
  readonly keys: { id: string; name: string | null; algorithm: string; cipherValue: string; valueMac: string }[];
}

/** Python's xml.etree reading the fields a license service needs (not our reader). */
const EXTRACT_FIELDS = `
import json, sys, xml.etree.ElementTree as ET
ns = {"pskc": "urn:ietf:params:xml:ns:keyprov:pskc", "xenc": "http://www.w3.org/2001/04/xmlenc#",
      "xenc11": "http://www.w3.org/2009/xmlenc11#", "pkcs5": "http://www.rsasecurity.com/rsalabs/pkcs/schemas/pkcs-5v2-0#"}
root = ET.parse(sys.argv[1]).getroot()
out = {}
p = root.find("pskc:EncryptionKey/xenc11:DerivedKey/xenc11:KeyDerivationMethod/pkcs5:PBKDF2-params", ns)
if p is not None:
    out.update(salt=p.findtext("Salt/Specified"), iterations=int(p.findtext("IterationCount")),
               keyLength=int(p.findtext("KeyLength")), prf=p.find("PRF").get("Algorithm"))
ek = root.find("pskc:EncryptionKey/xenc:EncryptedKey", ns)
if ek is not None:
    out.update(encryptedKey=ek.findtext("xenc:CipherData/xenc:CipherValue", namespaces=ns).strip(),
               encryptedKeyMethod=ek.find("xenc:EncryptionMethod", ns).get("Algorithm"))
m = root.find("pskc:MACMethod", ns)
out.update(macAlgorithm=m.get("Algorithm"), macKey=m.findtext("pskc:MACKey/xenc:CipherData/xenc:CipherValue", namespaces=ns).strip())
out["keys"] = [dict(id=k.get("Id"), name=k.findtext("pskc:FriendlyName", namespaces=ns), algorithm=k.get("Algorithm"),
    cipherValue=k.findtext("pskc:Data/pskc:Secret/pskc:EncryptedValue/xenc:CipherData/xenc:CipherValue", namespaces=ns).strip(),
    valueMac=k.findtext("pskc:Data/pskc:Secret/pskc:ValueMAC", namespaces=ns).strip()) for k in root.iterfind("pskc:KeyPackage/pskc:Key", ns)]
print(json.dumps(out))
`;

export function extractFields(path: string): PskcFields {
  return JSON.parse(tool("python3", ["-c", EXTRACT_FIELDS, path]).toString()) as PskcFields;
}

/** AES-256-CBC decryption of an IV ‖ ciphertext CipherValue by \`openssl enc\` (PKCS #7 padding removed by openssl). */
export function opensslDecrypt(keyHex: string, cipherValueBase64: string): Buffer {
  const cipherValue = Buffer.from(cipherValueBase64, "base64");
  const iv = cipherValue.subarray(0, 16).toString("hex");
  return tool("openssl", ["enc", "-d", "-aes-256-cbc", "-K", keyHex, "-iv", iv], cipherValue.subarray(16));
}

/** HMAC-SHA-256 of the whole CipherValue (IV included) by \`openssl dgst\`, base64. */
export function opensslHmacSha256(keyHex: string, cipherValueBase64: string): string {
  const args = ["dgst", "-sha256", "-mac", "HMAC", "-macopt", `hexkey:${keyHex}`, "-binary"];
  return tool("openssl", args, Buffer.from(cipherValueBase64, "base64")).toString("base64");
}

const XSD_DIR = join(dirname(fileURLToPath(import.meta.url)), "../fixtures/cpix/xsd/2.3");
const xsd = (fileName: string) => ({ fileName, contents: readFileSync(join(XSD_DIR, fileName), "utf8") });

/** Validates a PSKC document against RFC 6030's XSD (with the XML Signature and Encryption schemas it imports). */
export async function validatePskcXml(xml: string): Promise<{ valid: boolean; errors: string[] }> {
  const result = await validateXML({
    xml: { fileName: "export.pskcxml", contents: xml },
    schema: xsd("pskc.xsd"),
    preload: [xsd("xmldsig-core-schema.xsd"), xsd("xenc-schema.xsd")],
  });
  return { valid: result.valid, errors: result.errors.map((error) => error.message) };
}
