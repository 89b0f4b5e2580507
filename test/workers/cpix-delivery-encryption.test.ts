/**
 * Content keys encrypted for the requester (src/cpix/security/delivery-*.ts): the DASH-IF vectors decrypt to their
 * published keys with Cert1's private key, answers we encrypt round-trip through writeCpix/readCpix for several
 * recipients in both MACMethod shapes with no plain value left, and every broken MAC or refused recipient is named.
 * openssl's view of the same answers: test/interop/cpix-delivery-openssl.test.ts.
 */
import { describe, expect, it } from "vitest";
import { toBase64, utf8 } from "../../src/domain/bytes";
import { randomBytes } from "../../src/runtime/random";
import { contentKeyFromBytes } from "../../src/domain/content-key";
import { KeyId } from "../../src/domain/key-id";
import type { CpixContentKey, CpixDocument } from "../../src/cpix/model";
import type { CpixDeliveryData } from "../../src/cpix/model-delivery";
import { readCpix } from "../../src/cpix/reader";
import { writeCpix } from "../../src/cpix/writer";
import { AES256_CBC, HMAC_SHA512, RSA_OAEP_MGF1P } from "../../src/cpix/security/algorithms";
import { decryptAes256Cbc, decryptContentKeys } from "../../src/cpix/security/delivery-decryption";
import {
  acceptRecipients,
  describeRecipientFailure,
  encryptContentKeys,
  type DeliveryRecipient,
  type MacKeyShape,
} from "../../src/cpix/security/delivery-encryption";
import { dashifCert1DecryptionKey, dashifCertificate } from "./support/dashif-keys";
import { makeTestCertificate, type TestCertificate } from "./support/make-certificate";
import { sample } from "./support/samples";

/** test/fixtures/SOURCES.md, from the cpix-test-vectors Readme. */
const PUBLISHED_KEYS = {
  "bd5adf51-cf04-410f-aac3-ec63a69e929e": "3rWoHYasQubO6HbJGrGtLw==",
  "d2920429-87ab-41e6-a4c5-a8c836b6312e": "O5w9FdZiwmQK4uIXzAziaQ==",
  "e17ba4b8-faff-4d30-bcba-7485e3f2e884": "Cwu/3hSBBRQ7SurBdZD5ow==",
  "0ae6b9ad-92d2-4ebe-882b-1d07dee70715": "FB6/Eck9Y9SXy6bY8UU/Mw==",
};

function read(bytes: Uint8Array | string): CpixDocument {
  const result = readCpix(typeof bytes === "string" ? utf8(bytes) : bytes);
  if (!result.ok) throw new Error(JSON.stringify(result.failure));
  return result.document;
}

async function decryptedMap(document: CpixDocument, key: CryptoKey): Promise<Record<string, string>> {
  const result = await decryptContentKeys(document, key);
  if (!result.ok) throw new Error(JSON.stringify(result.failure));
  return Object.fromEntries(result.keys.map((k) => [k.kid.toString(), toBase64(k.value.bytes)]));
}

const recipientData = (certificate: TestCertificate | Uint8Array, id?: string): CpixDeliveryData => ({
  ...(id ? { id } : {}),
  deliveryKey: { x509Certificates: [certificate instanceof Uint8Array ? certificate : certificate.der] },
  documentKeys: [],
});

async function accepted(items: CpixDeliveryData[]): Promise<readonly DeliveryRecipient[]> {
  const result = await acceptRecipients(items, new Date());
  if (!result.ok) throw new Error(JSON.stringify(result.failure));
  return result.recipients;
}

const KEYS: CpixContentKey[] = [
  {
    kid: KeyId.require("11111111-2222-4333-8444-555555555555"),
    value: contentKeyFromBytes(randomBytes(16)),
    commonEncryptionScheme: "cenc",
  },
  { kid: KeyId.require("66666666-7777-4888-9999-aaaaaaaaaaaa"), value: contentKeyFromBytes(randomBytes(16)) },
];

describe("DASH-IF vectors decrypted with Cert1's private key", () => {
  it("EncryptedContentKeys.xml gives the four keys published in the vectors' Readme", async () => {
    const document = read(sample("dashif-cpix-test-vectors/EncryptedContentKeys.xml"));
    expect(await decryptedMap(document, await dashifCert1DecryptionKey())).toEqual(PUBLISHED_KEYS);
  });

  it("EncryptedContentKeysWithMultipleRecipients.xml: Cert1, one of four recipients, decrypts every key, MACs checked", async () => {
    const document = read(sample("dashif-cpix-test-vectors/EncryptedContentKeysWithMultipleRecipients.xml"));
    expect(document.deliveryDataList!.items).toHaveLength(4);
    const kids = document.contentKeyList!.items.map((k) => k.kid.toString());
    const decrypted = await decryptedMap(document, await dashifCert1DecryptionKey());
    expect(Object.keys(decrypted).sort()).toEqual(kids.sort());
  });

  it("Complex.xml: every ValueMAC checks and every key decrypts to 16 bytes", async () => {
    const document = read(sample("dashif-cpix-test-vectors/Complex.xml"));
    expect(Object.keys(await decryptedMap(document, await dashifCert1DecryptionKey()))).toHaveLength(4);
  });

  it("Invalid_WrongMac.xml fails on the MAC, naming the key", async () => {
    const document = read(sample("dashif-cpix-test-vectors/Invalid_WrongMac.xml"));
    const kid = document.contentKeyList!.items.find((k) => k.encryptedValue)!.kid.toString();
    expect(await decryptContentKeys(document, await dashifCert1DecryptionKey())).toEqual({
      ok: false,
      failure: { reason: "mac-mismatch", kid },
    });
  });

  it("a key that is not a recipient's is told so", async () => {
    const stranger = await (await makeTestCertificate()).decryptionKey();
    const document = read(sample("dashif-cpix-test-vectors/EncryptedContentKeys.xml"));
    expect(await decryptContentKeys(document, stranger)).toEqual({ ok: false, failure: { reason: "not-a-recipient" } });
  });
});

describe.each<MacKeyShape>(["aws", "xmlenc"])("encrypting for two recipients, MACMethod shape %s", (shape) => {
  it("readCpix(writeCpix(answer)) equals the answer, each recipient decrypts every key, and no plain value is written", async () => {
    const [alice, bob] = await Promise.all([makeTestCertificate(), makeTestCertificate({ key: 3072 })]);
    const recipients = await accepted([recipientData(alice!, "alice"), recipientData(bob!, "bob")]);
    const encrypted = await encryptContentKeys(recipients, KEYS, { macKeyShape: shape });
    const xml = writeCpix({
      version: "2.3",
      deliveryDataList: { items: encrypted.deliveryData },
      contentKeyList: { items: encrypted.contentKeys },
    });
    expect(xml).not.toContain("PlainValue");
    for (const key of KEYS) expect(xml).not.toContain(toBase64(key.value!.bytes));
    const document = read(xml);
    expect(document.deliveryDataList!.items).toEqual(encrypted.deliveryData);
    expect(document.contentKeyList!.items).toEqual(encrypted.contentKeys);
    const expected = Object.fromEntries(KEYS.map((k) => [k.kid.toString(), toBase64(k.value!.bytes)]));
    expect(await decryptedMap(document, await alice!.decryptionKey())).toEqual(expected);
    expect(await decryptedMap(document, await bob!.decryptionKey())).toEqual(expected);
    expect(document.contentKeyList!.items[0]).toMatchObject({ commonEncryptionScheme: "cenc" });
    expect(document.deliveryDataList!.items.map((d) => d.id)).toEqual(["alice", "bob"]);
  });

  it("writes the algorithms of CPIX 2.3 §Mandatory Algorithms and the MAC key in the requested shape", async () => {
    const recipients = await accepted([recipientData(await makeTestCertificate())]);
    const encrypted = await encryptContentKeys(recipients, KEYS, { macKeyShape: shape });
    const document = read(
      writeCpix({ deliveryDataList: { items: encrypted.deliveryData }, contentKeyList: { items: encrypted.contentKeys } }),
    );
    const [delivery] = document.deliveryDataList!.items;
    expect(delivery!.documentKeys).toHaveLength(1);
    expect(delivery!.documentKeys[0]).toMatchObject({ algorithm: AES256_CBC, value: { encryptionMethod: RSA_OAEP_MGF1P } });
    expect(delivery!.macMethod).toMatchObject({ algorithm: HMAC_SHA512, keyShape: shape, key: { encryptionMethod: RSA_OAEP_MGF1P } });
    // The AWS shape MACs the wrapped keys too (AWS SPEKE reference server); the DASH-IF shape does not.
    expect(delivery!.documentKeys[0]!.value!.valueMac !== undefined).toBe(shape === "aws");
    expect(delivery!.macMethod!.key!.valueMac !== undefined).toBe(shape === "aws");
    for (const key of document.contentKeyList!.items) {
      expect(key.value).toBeUndefined();
      expect(key.encryptedValue!.encryptionMethod).toBe(AES256_CBC);
      expect(key.encryptedValue!.cipherValue).toHaveLength(48); // IV 16 + one key block + one PKCS #7 block
      expect(key.encryptedValue!.valueMac).toHaveLength(64);
    }
  });
});

describe("encryptContentKeys", () => {
  it("makes a fresh document key and fresh IVs on every call", async () => {
    const recipients = await accepted([recipientData(await makeTestCertificate())]);
    const [first, second] = await Promise.all([1, 2].map(() => encryptContentKeys(recipients, KEYS, { macKeyShape: "aws" })));
    expect(first!.contentKeys[0]!.encryptedValue!.cipherValue).not.toEqual(second!.contentKeys[0]!.encryptedValue!.cipherValue);
    expect(first!.deliveryData[0]!.documentKeys[0]!.value!.cipherValue).not.toEqual(
      second!.deliveryData[0]!.documentKeys[0]!.value!.cipherValue,
    );
  });

  it("leaves DocumentKey@Algorithm out for CPIX 2.4 (removed from DocumentKeyType)", async () => {
    const recipients = await accepted([recipientData(await makeTestCertificate())]);
    const encrypted = await encryptContentKeys(recipients, KEYS, { macKeyShape: "aws", version: "2.4" });
    expect(encrypted.deliveryData[0]!.documentKeys[0]!.algorithm).toBeUndefined();
  });

  it("keeps the recipient's id, name and descriptions and replaces any DocumentKey the request carried", async () => {
    const certificate = await makeTestCertificate();
    const requested: CpixDeliveryData = {
      ...recipientData(certificate, "origin-1"),
      name: "origin",
      description: "packager",
      documentKeys: [{ algorithm: AES256_CBC }],
    };
    const encrypted = await encryptContentKeys(await accepted([requested]), KEYS, { macKeyShape: "aws" });
    expect(encrypted.deliveryData[0]).toMatchObject({ id: "origin-1", name: "origin", description: "packager" });
    expect(encrypted.deliveryData[0]!.documentKeys[0]!.value).toBeDefined();
  });
});

describe("decryptContentKeys refusals", () => {
  async function encryptedDocument(shape: MacKeyShape): Promise<{ document: CpixDocument; key: CryptoKey }> {
    const certificate = await makeTestCertificate();
    const encrypted = await encryptContentKeys(await accepted([recipientData(certificate)]), KEYS, { macKeyShape: shape });
    return {
      document: { deliveryDataList: { items: encrypted.deliveryData }, contentKeyList: { items: encrypted.contentKeys } },
      key: await certificate.decryptionKey(),
    };
  }

  it("a changed CipherValue fails the ValueMAC before any decryption", async () => {
    const { document, key } = await encryptedDocument("xmlenc");
    const [first, ...rest] = document.contentKeyList!.items;
    const cipherValue = Uint8Array.from(first!.encryptedValue!.cipherValue);
    cipherValue[20]! ^= 1;
    const tampered = {
      ...document,
      contentKeyList: { items: [{ ...first!, encryptedValue: { ...first!.encryptedValue!, cipherValue } }, ...rest] },
    };
    expect(await decryptContentKeys(tampered, key)).toEqual({ ok: false, failure: { reason: "mac-mismatch", kid: first!.kid.toString() } });
  });

  it("a missing ValueMAC is refused, naming the key", async () => {
    const { document, key } = await encryptedDocument("xmlenc");
    const [first, ...rest] = document.contentKeyList!.items;
    const { valueMac: _dropped, ...withoutMac } = first!.encryptedValue!;
    const stripped = { ...document, contentKeyList: { items: [{ ...first!, encryptedValue: withoutMac }, ...rest] } };
    expect(await decryptContentKeys(stripped, key)).toEqual({
      ok: false,
      failure: { reason: "missing-value-mac", kid: first!.kid.toString() },
    });
  });

  it("a changed ValueMAC on the wrapped MAC key (AWS shape) is refused", async () => {
    const { document, key } = await encryptedDocument("aws");
    const delivery = document.deliveryDataList!.items[0]!;
    const macKey = delivery.macMethod!.key!;
    const badMac = Uint8Array.from(macKey.valueMac!);
    badMac[0]! ^= 1;
    const tampered = {
      ...document,
      deliveryDataList: { items: [{ ...delivery, macMethod: { ...delivery.macMethod!, key: { ...macKey, valueMac: badMac } } }] },
    };
    expect(await decryptContentKeys(tampered, key)).toEqual({
      ok: false,
      failure: { reason: "wrapped-key-mac-mismatch", deliveryData: 1 },
    });
  });
});

describe("acceptRecipients", () => {
  it("accepts the DASH-IF certificates and imports their keys for RSA-OAEP", async () => {
    const recipients = await accepted([recipientData(dashifCertificate("Cert1")), recipientData(dashifCertificate("Cert2"))]);
    expect(recipients.map((r) => r.certificate.subject)).toEqual(["CN=CPIX Example Entity 1", "CN=CPIX Example Entity 2"]);
    expect(recipients[0]!.wrappingKey.algorithm).toMatchObject({ name: "RSA-OAEP", modulusLength: 4096 });
  });

  it("refuses a DeliveryKey without a certificate, naming the DeliveryData", async () => {
    const items = [recipientData(dashifCertificate("Cert1")), { deliveryKey: { x509Certificates: [] }, documentKeys: [] }];
    expect(await acceptRecipients(items, new Date())).toEqual({ ok: false, failure: { reason: "missing-certificate", index: 2 } });
    expect(describeRecipientFailure({ reason: "missing-certificate", index: 2 })).toBe(
      "DeliveryData[2]/DeliveryKey must hold an X.509 certificate (ds:X509Data/ds:X509Certificate)",
    );
  });

  it("refuses a 1024-bit recipient with the policy's reason, naming the DeliveryData", async () => {
    const items = [recipientData(dashifCertificate("Cert1")), recipientData(await makeTestCertificate({ key: 1024 }))];
    const result = await acceptRecipients(items, new Date());
    expect(result).toMatchObject({
      ok: false,
      failure: { reason: "certificate-refused", index: 2, problem: { reason: "weak-key", bits: 1024 } },
    });
    if (!result.ok) {
      expect(describeRecipientFailure(result.failure)).toBe(
        "the certificate of DeliveryData[2] must hold an RSA key of at least 2048 bits, got 1024",
      );
    }
  });

  it("refuses an expired or EC recipient certificate", async () => {
    const expired = await makeTestCertificate({ notBefore: new Date("2020-01-01T00:00:00Z"), notAfter: new Date("2021-01-01T00:00:00Z") });
    expect(await acceptRecipients([recipientData(expired)], new Date())).toMatchObject({
      ok: false,
      failure: { index: 1, problem: { reason: "expired" } },
    });
    const ec = await makeTestCertificate({ key: "ec" });
    expect(await acceptRecipients([recipientData(ec)], new Date())).toMatchObject({
      ok: false,
      failure: { index: 1, problem: { reason: "unsupported-key-algorithm" } },
    });
  });

  it("refuses bytes that are not a certificate as malformed", async () => {
    const result = await acceptRecipients([recipientData(utf8("not DER"))], new Date());
    expect(result).toMatchObject({ ok: false, failure: { reason: "certificate-refused", problem: { reason: "malformed-certificate" } } });
  });
});

describe("decryptAes256Cbc", () => {
  it("reads XML Encryption padding with arbitrary pad bytes (what xmlsec1 writes), not only PKCS #7", async () => {
    const raw = randomBytes(32);
    const key = await crypto.subtle.importKey("raw", raw, { name: "AES-CBC" }, false, ["encrypt", "decrypt"]);
    const iv = randomBytes(16);
    const plain = randomBytes(16);
    const xmlEncPad = new Uint8Array([...randomBytes(15), 16]);
    // CBC over plain ‖ pad, then drop WebCrypto's own PKCS #7 block: exactly the XML-Enc ciphertext.
    const withPkcs7 = new Uint8Array(await crypto.subtle.encrypt({ name: "AES-CBC", iv }, key, new Uint8Array([...plain, ...xmlEncPad])));
    const cipherValue = new Uint8Array([...iv, ...withPkcs7.subarray(0, 32)]);
    expect(await decryptAes256Cbc(key, cipherValue)).toEqual(plain);
    expect(await decryptAes256Cbc(key, cipherValue.subarray(0, 40))).toBeUndefined();
  });
});
