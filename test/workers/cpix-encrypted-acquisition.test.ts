/**
 * Encrypted content keys on every CPIX acquisition (CPIX 2.3 §DeliveryData Element, §Key Management): a request
 * carrying a recipient certificate is answered with EncryptedValue only, and the keys decrypt with the recipient's
 * private key to the keys the seed derives; a certificate the policy refuses stops the request before anything is
 * issued, naming the DeliveryData and the rule.
 */
import { describe, expect, it } from "vitest";
import { readCpix } from "../../src/cpix/reader";
import { decryptContentKeys } from "../../src/cpix/security/delivery-decryption";
import { utf8 } from "../../src/domain/bytes";
import { deriveContentKey } from "../../src/domain/key-derivation";
import { CPIX_PROTOCOLS, VALID_SPEKE_V2, expectNothingChanged, tenantState, withDeliveryData } from "./support/cpix-requests";
import { makeTestCertificate } from "./support/make-certificate";
import { TEST_SEED, postCpix, tenantWithTestSeed } from "./support/tenant-with-seed";

const DAY = 86_400_000;
const SPEKE_V2 = { "X-Speke-Version": "2.0" };

async function decryptAnswer(body: string, privateKey: CryptoKey) {
  const read = readCpix(utf8(body));
  if (!read.ok) throw new Error(JSON.stringify(read.failure));
  const decrypted = await decryptContentKeys(read.document, privateKey);
  if (!decrypted.ok) throw new Error(JSON.stringify(decrypted.failure));
  return { document: read.document, keys: decrypted.keys };
}

describe("encrypted content keys", () => {
  it("answers a SPEKE v2 request carrying a 2048-bit certificate with keys that decrypt to the derived keys, no PlainValue", async () => {
    const tenant = await tenantWithTestSeed();
    const recipient = await makeTestCertificate({ key: 2048 });
    const response = await postCpix(tenant, "/api/SpekeV2", withDeliveryData(VALID_SPEKE_V2, [recipient.der]), SPEKE_V2);
    const body = await response.text();
    expect(response.status, body).toBe(200);
    expect(body).not.toContain("PlainValue");
    const { document, keys } = await decryptAnswer(body, await recipient.decryptionKey());
    expect(keys).toHaveLength(2);
    for (const key of keys) expect(key.value.bytes).toEqual((await deriveContentKey(TEST_SEED, key.kid)).bytes);
    expect(document.deliveryDataList!.items.map((item) => item.id)).toEqual(["recipient-1"]);
    for (const key of document.contentKeyList!.items) expect(key.value).toBeUndefined();
  });

  it.each(CPIX_PROTOCOLS.map((protocol) => [protocol.name, protocol] as const))("encrypts on %s", async (_name, protocol) => {
    const tenant = await tenantWithTestSeed();
    const recipient = await makeTestCertificate();
    const response = await postCpix(tenant, protocol.path, withDeliveryData(protocol.valid, [recipient.der]), protocol.headers);
    const body = await response.text();
    expect(response.status, body).toBe(200);
    expect(body).not.toContain("PlainValue");
    const { keys } = await decryptAnswer(body, await recipient.decryptionKey());
    for (const key of keys) expect(key.value.bytes).toEqual((await deriveContentKey(TEST_SEED, key.kid)).bytes);
  });

  it("encrypts for every recipient", async () => {
    const tenant = await tenantWithTestSeed();
    const [alice, bob] = await Promise.all([makeTestCertificate(), makeTestCertificate()]);
    const response = await postCpix(tenant, "/api/SpekeV2", withDeliveryData(VALID_SPEKE_V2, [alice!.der, bob!.der]), SPEKE_V2);
    const body = await response.text();
    expect(response.status, body).toBe(200);
    for (const who of [alice!, bob!]) expect((await decryptAnswer(body, await who.decryptionKey())).keys).toHaveLength(2);
  });

  it.each([
    ["a 1024-bit key", { key: 1024 }, /^The certificate of DeliveryData\[1\] must hold an RSA key of at least 2048 bits, got 1024$/],
    [
      "an expired certificate",
      { notBefore: new Date(Date.now() - 30 * DAY), notAfter: new Date(Date.now() - DAY) },
      /^The certificate of DeliveryData\[1\] expired at \d{4}-\d\d-\d\dT/,
    ],
    ["an EC key", { key: "ec" as const }, /^The certificate of DeliveryData\[1\] must hold an RSA key \(rsaEncryption\)/],
  ])("refuses %s with the reason, issuing nothing", async (_case, options, message) => {
    const tenant = await tenantWithTestSeed();
    const before = await tenantState(tenant);
    const recipient = await makeTestCertificate(options);
    const response = await postCpix(tenant, "/api/SpekeV2", withDeliveryData(VALID_SPEKE_V2, [recipient.der]), SPEKE_V2);
    expect(response.status).toBe(422);
    const body = await response.text();
    expect(body).toMatch(message);
    expect(response.headers.get("X-AxDRM-ErrorMessage")).toBe(body);
    await expectNothingChanged(tenant, before);
  });

  it("names the second DeliveryData when it is the refused one", async () => {
    const tenant = await tenantWithTestSeed();
    const [good, weak] = await Promise.all([makeTestCertificate(), makeTestCertificate({ key: 1024 })]);
    const response = await postCpix(tenant, "/api/Speke", withDeliveryData(CPIX_PROTOCOLS[2]!.valid, [good!.der, weak!.der]));
    expect(response.status).toBe(422);
    expect(await response.text()).toMatch(/^The certificate of DeliveryData\[2\] must hold an RSA key of at least 2048 bits/);
  });
});
