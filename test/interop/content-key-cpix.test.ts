/**
 * Content keys as CPIX, checked outside our code. The export document (src/cpix/content-key-export.ts) validates
 * against the CPIX 2.3 XSD with libxml2, plain and encrypted; openssl (`pkeyutl -decrypt` RSA-OAEP SHA-1/MGF1-SHA-1,
 * `dgst -sha512 -mac HMAC`, `enc -d -aes-256-cbc`) opens the encrypted one, read with @xmldom/xmldom, to the
 * exported keys. Documents made by other tools (Unified Streaming's pycpix and cpix-gen, Axinom.Cpix in the DASH-IF
 * vectors, GPAC's unit test) import (src/cpix/content-key-import.ts) to the KIDs and values xmldom reads in them,
 * and the DASH-IF encrypted vector to the keys its Readme publishes.
 */
import { readFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { contentKeyFromBytes, ivFromBytes } from "../../src/domain/content-key";
import { KeyId } from "../../src/domain/key-id";
import { CPIX_NS, PSKC_NS, XMLENC_NS } from "../../src/cpix/namespaces";
import { readCpixContentKeys, describeCpixKeyImportFailure } from "../../src/cpix/content-key-import";
import { writeContentKeyExport, type ExportedContentKey } from "../../src/cpix/content-key-export";
import { contentKeyExportProtection, parseContentKeyExport } from "../../src/management/content-key-export-input";
import { mustRun, opensslCertificate, opensslHmac, opensslUnwrap, requireTool, scratchFolder, type OpensslCertificate } from "./tools";
import { parseDom, type DomElement } from "./xml-dom";
import { validateCpixXml } from "./xsd";

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), "../fixtures/cpix");
const KEYS: ExportedContentKey[] = [
  {
    kid: KeyId.require("0b0c0d0e-1111-4222-8333-444455556666"),
    key: contentKeyFromBytes(randomBytes(16)),
    iv: ivFromBytes(randomBytes(16)),
  },
  { kid: KeyId.require("7a7b7c7d-8888-4999-aaaa-bbbbccccdddd"), key: contentKeyFromBytes(randomBytes(16)) },
  {
    kid: KeyId.require("1c2d3e4f-5a6b-4c7d-8e9f-a0b1c2d3e4f5"),
    key: contentKeyFromBytes(randomBytes(16)),
    iv: ivFromBytes(randomBytes(16)),
  },
];

let scratch: ReturnType<typeof scratchFolder>;
let recipient: OpensslCertificate;

beforeAll(async () => {
  await requireTool("openssl", ["version"], "install the openssl package (Debian: apt-get install -y openssl)");
  scratch = scratchFolder();
  recipient = await opensslCertificate(scratch.dir, "license-service", "rsa:3072");
});
afterAll(() => scratch?.remove());

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");
const base64Of = (element: DomElement | undefined) => new Uint8Array(Buffer.from(element?.textContent ?? "", "base64"));
const first = (element: DomElement, namespace: string, name: string) => element.getElementsByTagNameNS(namespace, name)[0];

async function encryptedExport(): Promise<string> {
  const chosen = await contentKeyExportProtection(parseContentKeyExport({ Certificate: recipient.certPem }), false, new Date());
  if (!chosen.ok) throw new Error(await chosen.response.text());
  return writeContentKeyExport(KEYS, chosen.protection);
}

describe("the export document against the CPIX 2.3 XSD (libxml2)", () => {
  it("plain export validates", async () => {
    const xml = await writeContentKeyExport(KEYS, { kind: "plain" });
    expect(await validateCpixXml(xml, "2.3")).toEqual({ valid: true, errors: [] });
  });

  it("encrypted export validates", async () => {
    expect(await validateCpixXml(await encryptedExport(), "2.3")).toEqual({ valid: true, errors: [] });
  });
});

describe("the encrypted export opened by openssl", () => {
  it("unwraps the document and MAC keys, checks every ValueMAC and decrypts every key to the exported one, with its explicitIV", async () => {
    const doc = parseDom(await encryptedExport());
    expect(doc.documentElement.getAttribute("version")).toBe("2.3");
    const deliveries = doc.getElementsByTagNameNS(CPIX_NS, "DeliveryData");
    expect(deliveries).toHaveLength(1);
    const delivery = deliveries[0]!;
    const certificate = base64Of(first(delivery, "http://www.w3.org/2000/09/xmldsig#", "X509Certificate"));
    expect(hex(certificate)).toBe(hex(recipient.certDer));
    const documentKey = new Uint8Array(
      await opensslUnwrap(recipient, base64Of(first(first(delivery, CPIX_NS, "DocumentKey")!, XMLENC_NS, "CipherValue"))),
    );
    const macKey = new Uint8Array(
      await opensslUnwrap(recipient, base64Of(first(first(delivery, CPIX_NS, "MACMethod")!, XMLENC_NS, "CipherValue"))),
    );
    expect([documentKey.length, macKey.length]).toEqual([32, 64]);
    const contentKeys = Array.from(doc.getElementsByTagNameNS(CPIX_NS, "ContentKey"));
    expect(contentKeys).toHaveLength(KEYS.length);
    expect(doc.getElementsByTagNameNS(PSKC_NS, "PlainValue")).toHaveLength(0);
    for (const contentKey of contentKeys) {
      const exported = KEYS.find((key) => key.kid.toString() === contentKey.getAttribute("kid"))!;
      const cipherValue = base64Of(first(contentKey, XMLENC_NS, "CipherValue"));
      expect(hex(new Uint8Array(await opensslHmac(macKey, cipherValue)))).toBe(hex(base64Of(first(contentKey, PSKC_NS, "ValueMAC"))));
      const plain = await mustRun(
        "openssl",
        ["enc", "-d", "-aes-256-cbc", "-K", hex(documentKey), "-iv", hex(cipherValue.subarray(0, 16))],
        {
          input: cipherValue.subarray(16),
        },
      );
      expect(hex(new Uint8Array(plain))).toBe(hex(exported.key.bytes));
      // xmldom answers "" (not null) for an absent attribute.
      const explicitIv = contentKey.getAttribute("explicitIV");
      expect(!explicitIv ? undefined : Buffer.from(explicitIv, "base64").toString("hex")).toBe(exported.iv && hex(exported.iv.bytes));
    }
  });
});

/** KID → base64 value of every ContentKey, as xmldom reads the file (not our reader). */
function keysInFile(xml: string): Record<string, string> {
  const doc = parseDom(xml);
  return Object.fromEntries(
    Array.from(doc.getElementsByTagNameNS(CPIX_NS, "ContentKey")).map((key) => [
      key.getAttribute("kid")!.toLowerCase(),
      Buffer.from(first(key, PSKC_NS, "PlainValue")!.textContent!.trim(), "base64").toString("base64"),
    ]),
  );
}

describe("documents made by other tools import to their keys", () => {
  it.each([
    ["Unified Streaming pycpix (README example)", "samples/unified-streaming/pycpix-readme-simple.xml", 1],
    ["Unified Streaming pycpix (test, CPIX 2.2)", "samples/unified-streaming/pycpix-test-full-document-v2.2.xml", 3],
    ["Unified Streaming cpix-gen", "samples/unified-streaming/cpix-gen-readme-example.xml", 3],
    ["Axinom.Cpix (DASH-IF ClearContentKeysOnly)", "samples/dashif-cpix-test-vectors/ClearContentKeysOnly.xml", 4],
    ["GPAC unit test", "samples/gpac/crypt-info-load-cpix-unittest.xml", 1],
  ])("%s", async (_, path, count) => {
    const bytes = readFileSync(join(FIXTURES, path));
    const result = await readCpixContentKeys(new Uint8Array(bytes), []);
    if (!result.ok) throw new Error(describeCpixKeyImportFailure(result.failure));
    const expected = keysInFile(bytes.toString("utf8").replace(/^\uFEFF/, ""));
    expect(Object.keys(expected)).toHaveLength(count);
    expect(Object.fromEntries(result.keys.map((key) => [key.kid.toString(), Buffer.from(key.key.bytes).toString("base64")]))).toEqual(
      expected,
    );
  });

  it("Axinom.Cpix EncryptedContentKeys.xml, with Cert1's private key, gives the four keys published in the vectors' Readme", async () => {
    const pem = readFileSync(join(FIXTURES, "keys/dashif-Cert1.pkcs8.pem"), "utf8");
    const pkcs8 = new Uint8Array(Buffer.from(pem.replace(/-----(BEGIN|END) PRIVATE KEY-----|\s+/g, ""), "base64"));
    const cert1 = new Uint8Array(readFileSync(join(FIXTURES, "samples/dashif-cpix-test-vectors/Cert1.cer")));
    const document = new Uint8Array(readFileSync(join(FIXTURES, "samples/dashif-cpix-test-vectors/EncryptedContentKeys.xml")));
    const result = await readCpixContentKeys(document, [{ certificateDer: cert1, openPrivateKey: async () => pkcs8 }]);
    if (!result.ok) throw new Error(describeCpixKeyImportFailure(result.failure));
    // test/fixtures/SOURCES.md, from the cpix-test-vectors Readme.
    expect(Object.fromEntries(result.keys.map((key) => [key.kid.toString(), Buffer.from(key.key.bytes).toString("base64")]))).toEqual({
      "bd5adf51-cf04-410f-aac3-ec63a69e929e": "3rWoHYasQubO6HbJGrGtLw==",
      "d2920429-87ab-41e6-a4c5-a8c836b6312e": "O5w9FdZiwmQK4uIXzAziaQ==",
      "e17ba4b8-faff-4d30-bcba-7485e3f2e884": "Cwu/3hSBBRQ7SurBdZD5ow==",
      "0ae6b9ad-92d2-4ebe-882b-1d07dee70715": "FB6/Eck9Y9SXy6bY8UU/Mw==",
    });
  });
});
