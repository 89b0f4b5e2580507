/**
 * Content keys we encrypt, checked outside our code: openssl (`pkeyutl -decrypt` with RSA-OAEP SHA-1/MGF1-SHA-1,
 * `enc -d -aes-256-cbc`, `dgst -sha512 -mac HMAC`) recovers every key from the written XML, read with
 * @xmldom/xmldom rather than our reader, and every ValueMAC matches. The answers validate against the XSD of their
 * CPIX version. Certificates made by openssl that break the policy (1024-bit, EC, expired) are refused by name.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import { contentKeyFromBytes } from "../../src/domain/content-key";
import { KeyId } from "../../src/domain/key-id";
import { CPIX_NS, PSKC_NS, XMLENC_NS } from "../../src/cpix/namespaces";
import { writeCpix } from "../../src/cpix/writer";
import { acceptRecipients, encryptContentKeys, type MacKeyShape } from "../../src/cpix/security/delivery-encryption";
import { mustRun, opensslCertificate, opensslHmac, opensslUnwrap, requireTool, scratchFolder, type OpensslCertificate } from "./tools";
import { parseDom, type DomElement } from "./xml-dom";
import { validateCpixXml, type CpixSchemaVersion } from "./xsd";

const KEYS = [
  { kid: KeyId.require("0b0c0d0e-1111-4222-8333-444455556666"), value: contentKeyFromBytes(new Uint8Array(randomBytes(16))) },
  { kid: KeyId.require("7a7b7c7d-8888-4999-aaaa-bbbbccccdddd"), value: contentKeyFromBytes(new Uint8Array(randomBytes(16))) },
];

let scratch: ReturnType<typeof scratchFolder>;
let alice: OpensslCertificate;
let bob: OpensslCertificate;

beforeAll(async () => {
  await requireTool("openssl", ["version"], "install the openssl package (Debian: apt-get install -y openssl)");
  scratch = scratchFolder();
  [alice, bob] = await Promise.all([
    opensslCertificate(scratch.dir, "alice", "rsa:2048"),
    opensslCertificate(scratch.dir, "bob", "rsa:3072"),
  ]);
});
afterAll(() => scratch?.remove());

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");
const base64Of = (element: DomElement | undefined) => new Uint8Array(Buffer.from(element?.textContent ?? "", "base64"));

async function encryptedXml(shape: MacKeyShape, version: string): Promise<string> {
  const accepted = await acceptRecipients(
    [alice, bob].map((r, i) => ({ id: `r${i + 1}`, deliveryKey: { x509Certificates: [r.certDer] }, documentKeys: [] })),
    new Date(),
  );
  if (!accepted.ok) throw new Error(JSON.stringify(accepted.failure));
  const encrypted = await encryptContentKeys(accepted.recipients, KEYS, { macKeyShape: shape, version });
  return writeCpix({
    contentId: "interop",
    ...(version === "2.3" || version === "2.4" ? { version } : {}),
    deliveryDataList: { items: encrypted.deliveryData },
    contentKeyList: { items: encrypted.contentKeys },
  });
}

describe.each<[MacKeyShape, CpixSchemaVersion]>([
  ["aws", "2.3"],
  ["xmlenc", "2.3"],
  ["aws", "2.4"],
  ["xmlenc", "2.2"],
])("MACMethod shape %s, CPIX %s", (shape, version) => {
  it("validates against the XSD of its version and holds no plain value", async () => {
    const xml = await encryptedXml(shape, version);
    expect(await validateCpixXml(xml, version)).toEqual({ valid: true, errors: [] });
    expect(xml).not.toContain("PlainValue");
  });

  it("openssl unwraps each recipient's document and MAC keys, checks every ValueMAC and decrypts every content key", async () => {
    const xml = await encryptedXml(shape, version);
    const doc = parseDom(xml);
    const deliveries = Array.from(doc.getElementsByTagNameNS(CPIX_NS, "DeliveryData"));
    expect(deliveries).toHaveLength(2);
    for (const [i, recipient] of [alice, bob].entries()) {
      const delivery = deliveries[i]!;
      const documentKeyValue = base64Of(
        delivery.getElementsByTagNameNS(CPIX_NS, "DocumentKey")[0]!.getElementsByTagNameNS(XMLENC_NS, "CipherValue")[0],
      );
      const macKeyHolder = delivery.getElementsByTagNameNS(CPIX_NS, "MACMethod")[0]!.getElementsByTagNameNS(CPIX_NS, "Key")[0]!;
      const macKeyValue = base64Of(macKeyHolder.getElementsByTagNameNS(XMLENC_NS, "CipherValue")[0]);
      const documentKey = new Uint8Array(await opensslUnwrap(recipient, documentKeyValue));
      const macKey = new Uint8Array(await opensslUnwrap(recipient, macKeyValue));
      expect([documentKey.length, macKey.length]).toEqual([32, 64]);
      if (shape === "aws") {
        // The wrapped keys carry their own ValueMAC in the AWS shape.
        const documentKeyMac = base64Of(
          delivery.getElementsByTagNameNS(CPIX_NS, "DocumentKey")[0]!.getElementsByTagNameNS(PSKC_NS, "ValueMAC")[0],
        );
        expect(new Uint8Array(await opensslHmac(macKey, documentKeyValue))).toEqual(documentKeyMac);
        expect(new Uint8Array(await opensslHmac(macKey, macKeyValue))).toEqual(
          base64Of(macKeyHolder.getElementsByTagNameNS(PSKC_NS, "ValueMAC")[0]),
        );
      } else {
        expect(macKeyHolder.getElementsByTagNameNS(PSKC_NS, "EncryptedValue")).toHaveLength(0);
      }
      for (const contentKey of Array.from(doc.getElementsByTagNameNS(CPIX_NS, "ContentKey"))) {
        const cipherValue = base64Of(contentKey.getElementsByTagNameNS(XMLENC_NS, "CipherValue")[0]);
        const valueMac = base64Of(contentKey.getElementsByTagNameNS(PSKC_NS, "ValueMAC")[0]);
        expect(new Uint8Array(await opensslHmac(macKey, cipherValue))).toEqual(valueMac);
        const plain = await mustRun(
          "openssl",
          ["enc", "-d", "-aes-256-cbc", "-K", hex(documentKey), "-iv", hex(cipherValue.subarray(0, 16))],
          {
            input: cipherValue.subarray(16),
          },
        );
        const expected = KEYS.find((k) => k.kid.toString() === contentKey.getAttribute("kid"))!.value.bytes;
        expect(new Uint8Array(plain)).toEqual(expected);
      }
    }
  });
});

describe("certificates made by openssl that the policy refuses", () => {
  it.each([
    ["a 1024-bit RSA key", "rsa:1024", 30, { reason: "weak-key", bits: 1024, minimum: 2048 }],
    ["an EC key", "ec", 30, { reason: "unsupported-key-algorithm", algorithm: "EC (id-ecPublicKey)" }],
    ["an expired certificate", "rsa:2048", 1, { reason: "expired" }],
  ] as const)("%s", async (name, key, days, problem) => {
    const made = await opensslCertificate(scratch.dir, name.replace(/\W+/g, "-"), key, days);
    const now = new Date(Date.now() + 3 * 86_400_000); // three days on: the one-day certificate has expired
    const result = await acceptRecipients([{ deliveryKey: { x509Certificates: [made.certDer] }, documentKeys: [] }], now);
    expect(result).toMatchObject({ ok: false, failure: { reason: "certificate-refused", index: 1, problem } });
  });

  it("a 2048-bit openssl certificate is accepted", async () => {
    expect((await acceptRecipients([{ deliveryKey: { x509Certificates: [alice.certDer] }, documentKeys: [] }], new Date())).ok).toBe(true);
  });
});
