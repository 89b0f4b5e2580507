/**
 * The CPIX form of `POST /api/Import/ContentKeys` (src/cpix/content-key-import.ts): plain and encrypted DASH-IF
 * vectors give their keys (Cert1's private key standing in for a tenant signing key), and each refusal names the
 * ContentKey or DeliveryData and the rule: no keys, a key without a value, a repeated kid, an 8-byte IV, an unknown
 * recipient, a private key that does not open the DocumentKey, a MAC failure, unreadable XML.
 */
import { describe, expect, it } from "vitest";
import { toBase64, utf8 } from "../../src/domain/bytes";
import { MAX_CONTENT_KEY_TRANSFER } from "../../src/domain/request-limits";
import {
  describeCpixKeyImportFailure,
  readCpixContentKeys,
  type CpixImportRecipient,
  type CpixKeyImportResult,
} from "../../src/cpix/content-key-import";
import { dashifCert1Pkcs8, dashifCertificate } from "./support/dashif-keys";
import { makeTestCertificate } from "./support/make-certificate";
import { sample } from "./support/samples";

/** test/fixtures/SOURCES.md, from the cpix-test-vectors Readme. */
const PUBLISHED_KEYS = {
  "bd5adf51-cf04-410f-aac3-ec63a69e929e": "3rWoHYasQubO6HbJGrGtLw==",
  "d2920429-87ab-41e6-a4c5-a8c836b6312e": "O5w9FdZiwmQK4uIXzAziaQ==",
  "e17ba4b8-faff-4d30-bcba-7485e3f2e884": "Cwu/3hSBBRQ7SurBdZD5ow==",
  "0ae6b9ad-92d2-4ebe-882b-1d07dee70715": "FB6/Eck9Y9SXy6bY8UU/Mw==",
};

/** Cert1 as a tenant signing key: its certificate and its private key, counted each time it is opened. */
function cert1Recipient(): CpixImportRecipient & { opened: () => number } {
  let opened = 0;
  return {
    certificateDer: dashifCertificate("Cert1"),
    openPrivateKey: async () => {
      opened += 1;
      return dashifCert1Pkcs8();
    },
    opened: () => opened,
  };
}

const keysOf = (result: CpixKeyImportResult) => {
  if (!result.ok) throw new Error(describeCpixKeyImportFailure(result.failure));
  return Object.fromEntries(result.keys.map((key) => [key.kid.toString(), toBase64(key.key.bytes)]));
};

/** The sentence a refused import gets (what the route puts in its 400). */
async function refusal(body: Uint8Array | string, recipients: readonly CpixImportRecipient[] = []): Promise<string> {
  const result = await readCpixContentKeys(typeof body === "string" ? utf8(body) : body, recipients);
  if (result.ok) throw new Error("the document was accepted");
  return describeCpixKeyImportFailure(result.failure);
}

const KID_A = "40d02dd1-61a3-4787-a155-572325d47b80";
const KID_B = "0a30ea4f-539d-4b02-94b2-2b3fba2576d3";
const VALUE = "gPxt0PMwrHM4TdjwdQmhhQ==";
const documentWith = (...contentKeys: string[]) =>
  `<CPIX xmlns="urn:dashif:org:cpix" xmlns:pskc="urn:ietf:params:xml:ns:keyprov:pskc"><ContentKeyList>${contentKeys.join("")}</ContentKeyList></CPIX>`;
const plainKey = (kid: string, attributes = "") =>
  `<ContentKey kid="${kid}"${attributes}><Data><pskc:Secret><pskc:PlainValue>${VALUE}</pskc:PlainValue></pskc:Secret></Data></ContentKey>`;

describe("documents with keys", () => {
  it("ClearContentKeysOnly.xml (Axinom.Cpix) gives its four plain keys without opening any private key", async () => {
    const recipient = cert1Recipient();
    const result = await readCpixContentKeys(sample("dashif-cpix-test-vectors/ClearContentKeysOnly.xml"), [recipient]);
    expect(keysOf(result)).toEqual({
      "40d02dd1-61a3-4787-a155-572325d47b80": "gPxt0PMwrHM4TdjwdQmhhQ==",
      "0a30ea4f-539d-4b02-94b2-2b3fba2576d3": "x/gaoS/fDi8BqGNIhkixwQ==",
      "9f7908fa-5d5c-4097-ba53-50edc2235fbc": "3iv9lYwafpe0uEmxDc6PSw==",
      "fac2cbf5-889c-412b-a385-04a29d409bdc": "1OZVZZoYFSU2X/7qT3sHwg==",
    });
    expect(recipient.opened()).toBe(0);
  });

  it("EncryptedContentKeys.xml, for Cert1, decrypts to the four keys published in the vectors' Readme", async () => {
    const recipient = cert1Recipient();
    const result = await readCpixContentKeys(sample("dashif-cpix-test-vectors/EncryptedContentKeys.xml"), [recipient]);
    expect(keysOf(result)).toEqual(PUBLISHED_KEYS);
    expect(recipient.opened()).toBe(1);
  });

  it("zeroes the private key bytes it was given once they are imported", async () => {
    const pkcs8 = dashifCert1Pkcs8();
    const recipient = { certificateDer: dashifCertificate("Cert1"), openPrivateKey: async () => pkcs8 };
    keysOf(await readCpixContentKeys(sample("dashif-cpix-test-vectors/EncryptedContentKeys.xml"), [recipient]));
    expect(pkcs8.every((byte) => byte === 0)).toBe(true);
  });

  it("picks the signing key whose certificate a DeliveryData names among several, and opens only that one", async () => {
    const stranger = await makeTestCertificate();
    let strangerOpened = 0;
    const other: CpixImportRecipient = {
      certificateDer: stranger.der,
      openPrivateKey: async () => {
        strangerOpened += 1;
        return stranger.pkcs8;
      },
    };
    const cert1 = cert1Recipient();
    const document = sample("dashif-cpix-test-vectors/EncryptedContentKeysWithMultipleRecipients.xml");
    const keys = keysOf(await readCpixContentKeys(document, [other, cert1]));
    expect(Object.keys(keys).sort()).toEqual(
      [
        "bc365b99-0667-446f-b417-ff0398c9a4c4",
        "1e25f2a7-76a9-4570-bc1a-d8181800d529",
        "2e4e6c21-c0d7-4a1c-80af-bff3d7cc5270",
        "8ad35bd4-53ab-437b-8f42-6e1ea8e2f0d8",
      ].sort(),
    );
    expect([strangerOpened, cert1.opened()]).toEqual([0, 1]);
  });

  it("keeps explicitIV as the key's IV (the key-rotation vectors write a UUID there: its 16 bytes)", async () => {
    const result = await readCpixContentKeys(sample("dashif-cpix-test-vectors/KeyRotationMultiKeySinglePeriod.xml"), []);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const video = result.keys.find((key) => key.kid.toString() === "7ce7f10d-a91b-41b9-b331-7999fd1abf4c")!;
    expect(toBase64(video.key.bytes)).toBe("s/zSNTG4TR2jY04srqSqFQ==");
    expect(video.iv!.bytes).toEqual(Uint8Array.from(Buffer.from("f45bcebbf0df4a34bf4ec24edfcf6289", "hex")));
  });

  it("gives a key without explicitIV no IV", async () => {
    const result = await readCpixContentKeys(utf8(documentWith(plainKey(KID_A))), []);
    expect(result.ok && Object.keys(result.keys[0]!).sort()).toEqual(["key", "kid"]);
  });
});

describe("refusals name the element and the rule", () => {
  it.each([
    ["EmptyDocument.xml", "dashif-cpix-test-vectors/EmptyDocument.xml"],
    ["RecipientsWithoutContentKeys.xml", "dashif-cpix-test-vectors/RecipientsWithoutContentKeys.xml"],
  ])("a document without ContentKey (%s)", async (_, path) => {
    expect(await refusal(sample(path))).toBe(
      "The CPIX document holds no ContentKey (CPIX/ContentKeyList/ContentKey); there is nothing to import",
    );
  });

  it("a ContentKey without a value (an acquisition request), by position and kid", async () => {
    expect(await refusal(documentWith(plainKey(KID_A), `<ContentKey kid="${KID_B}"/>`))).toBe(
      `ContentKey[2] (kid ${KID_B}) has no key value: Data/pskc:Secret must hold a PlainValue or an EncryptedValue`,
    );
  });

  it("a ContentKey whose PlainValue is an empty placeholder", async () => {
    const empty = `<ContentKey kid="${KID_B}"><Data><pskc:Secret><pskc:PlainValue/></pskc:Secret></Data></ContentKey>`;
    expect(await refusal(documentWith(empty))).toContain(`ContentKey[1] (kid ${KID_B}) has no key value`);
  });

  it("a kid that appears twice, naming both ContentKeys", async () => {
    expect(await refusal(documentWith(plainKey(KID_A), plainKey(KID_B), plainKey(KID_A.toUpperCase())))).toBe(
      `ContentKey[3] (kid ${KID_A}) has the same kid as ContentKey[1]; a kid may appear once per import`,
    );
  });

  it("an 8-byte explicitIV, which a stored key cannot keep", async () => {
    expect(await refusal(documentWith(plainKey(KID_A, ' explicitIV="AAECAwQFBgc="')))).toBe(
      `ContentKey[1] (kid ${KID_A})@explicitIV must be 16 bytes to be imported, got 8`,
    );
  });

  it("a PlainValue that is not 16 bytes, as the reader names it, without the value", async () => {
    const short = `<ContentKey kid="${KID_A}"><Data><pskc:Secret><pskc:PlainValue>AAEC</pskc:PlainValue></pskc:Secret></Data></ContentKey>`;
    const message = await refusal(documentWith(short));
    expect(message).toBe(
      "Not a readable CPIX document: PlainValue must be base64 of 16 bytes, got 3 (CPIX/ContentKeyList/ContentKey[1]/Data/Secret/PlainValue)",
    );
  });

  it(`more than ${MAX_CONTENT_KEY_TRANSFER} ContentKeys, counted before any key is read`, async () => {
    const kids = Array.from({ length: MAX_CONTENT_KEY_TRANSFER + 1 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`);
    expect(await refusal(documentWith(...kids.map((kid) => plainKey(kid))))).toBe(
      `Not a readable CPIX document: CPIX/ContentKeyList has ${MAX_CONTENT_KEY_TRANSFER + 1} ContentKey elements; one request may carry at most ${MAX_CONTENT_KEY_TRANSFER}`,
    );
  });

  it("malformed XML and a root that is not CPIX", async () => {
    expect(await refusal("<CPIX")).toMatch(/^Not a readable CPIX document: malformed XML/);
    expect(await refusal("<KeyContainer/>")).toMatch(/^Not a readable CPIX document: not a CPIX document/);
  });

  it("encrypted keys when the tenant has no signing key whose certificate a DeliveryData names", async () => {
    const stranger = await makeTestCertificate();
    const recipients = [{ certificateDer: stranger.der, openPrivateKey: async () => stranger.pkcs8 }];
    expect(await refusal(sample("dashif-cpix-test-vectors/EncryptedContentKeys.xml"), recipients)).toBe(
      "None of the 1 DeliveryData of the CPIX document names the certificate of one of this tenant's signing keys (/api/SigningKeys), so its keys cannot be decrypted",
    );
  });

  it("encrypted keys and no DeliveryData at all", async () => {
    const xml = new TextDecoder()
      .decode(sample("dashif-cpix-test-vectors/EncryptedContentKeys.xml"))
      .replace(/<DeliveryDataList>[\s\S]*<\/DeliveryDataList>/, "");
    expect(await refusal(xml, [cert1Recipient()])).toBe("The CPIX document has encrypted keys but no DeliveryData naming their recipient");
  });

  it("a signing key whose private key does not open the DocumentKey of the DeliveryData naming its certificate", async () => {
    const stranger = await makeTestCertificate();
    const mismatched = { certificateDer: dashifCertificate("Cert1"), openPrivateKey: async () => stranger.pkcs8 };
    expect(await refusal(sample("dashif-cpix-test-vectors/EncryptedContentKeys.xml"), [mismatched])).toBe(
      "The private key of the signing key whose certificate DeliveryData[1] names does not decrypt its DocumentKey",
    );
  });

  it("Invalid_WrongMac.xml fails on the MAC, naming the key, and imports nothing", async () => {
    const result = await readCpixContentKeys(sample("dashif-cpix-test-vectors/Invalid_WrongMac.xml"), [cert1Recipient()]);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.failure).toMatchObject({ reason: "undecryptable", deliveryData: 1, failure: { reason: "mac-mismatch" } });
    expect(describeCpixKeyImportFailure(result.failure)).toMatch(
      /^The ValueMAC of ContentKey kid [0-9a-f-]{36} does not match: the document was altered or not made for this key$/,
    );
  });

  it("no refusal carries a key value of the document", async () => {
    const messages = [
      await refusal(documentWith(plainKey(KID_A), plainKey(KID_A))),
      await refusal(documentWith(plainKey(KID_A, ' explicitIV="AAECAwQFBgc="'))),
    ];
    for (const message of messages) expect(message).not.toContain(VALUE);
  });
});
