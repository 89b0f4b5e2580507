/**
 * Issue 24: an attacker holding only an `acquire` credential and one request a trusted requester signed, against a
 * tenant with `RequireSignedRequests` on (CPIX 2.3 §Digital Signature). The request is parsed twice — by the reader
 * and by the signature check — so any byte sequence the two read differently lets the attacker change what is
 * answered without changing what is signed. Each attack below adds bytes to the signed request (the attacker cannot
 * sign) and expects the safe outcome: a 4xx refusal, or the answer to exactly what was signed; never a 5xx.
 * Key bytes are compared, never printed.
 */
import { describe, expect, it } from "vitest";
import { readCpix } from "../../src/cpix/reader";
import { decryptContentKeys } from "../../src/cpix/security/delivery-decryption";
import { toHex, utf8 } from "../../src/domain/bytes";
import { readPskcPackage } from "../../src/pskc/reader";
import { writePskcPasswordPackage } from "../../src/pskc/writer";
import { api } from "./support/api";
import { storedKeyValue } from "./support/content-keys";
import { AUDIO_KID, KID, VALID_SPEKE_V2 } from "./support/cpix-requests";
import { makeTestCertificate } from "./support/make-certificate";
import { sampleSeeds } from "./support/pskc";
import {
  canonicalRequest,
  deliveryData,
  insertAfter,
  keyEntries,
  onlyReaderSees,
  onlySignatureSees,
  signRequest,
  signedRequestsTenant,
} from "./support/signed-requests";
import { readResponse, SPEKE_V2 } from "./support/speke-v2-requests";
import { postCpix, tenantWithTestSeed } from "./support/tenant-with-seed";

/** Refused with a 4xx, or answered with 200 and `asSigned` holding of the answer; a 5xx fails the test. */
async function expectRefusedOrAnsweredAsSigned(response: Response, asSigned: (body: string) => Promise<void> | void): Promise<void> {
  const body = await response.text();
  expect(response.status, "a 5xx for a well-formed request").toBeLessThan(500);
  if (response.status === 200) await asSigned(body);
  else expect(response.status).toBeGreaterThanOrEqual(400);
}

/** Expects the untouched signed request answered with 200, so every difference after tampering is the attacker's. */
async function expectAnswered(response: Response): Promise<string> {
  const body = await response.text();
  expect(response.status, "the untouched signed request").toBe(200);
  return body;
}

const answeredKids = (body: string) => (readResponse(body).contentKeyList?.items ?? []).map((key) => key.kid.toString());
const recipientIds = (body: string) => (readResponse(body).deliveryDataList?.items ?? []).map((item) => item.id);

async function fingerprint(der: Uint8Array): Promise<string> {
  return toHex(new Uint8Array(await crypto.subtle.digest("SHA-256", der)));
}

/** Whether the answer's keys decrypt with `privateKey` (CPIX 2.3 §Key Management). */
async function decryptsWith(body: string, privateKey: CryptoKey): Promise<boolean> {
  const read = readCpix(utf8(body));
  return read.ok && (await decryptContentKeys(read.document, privateKey)).ok;
}

describe("elements only the reader sees", () => {
  it("does not answer a stored key the signer never asked for, added in a PI and CDATA the signature check reads as one PI", async () => {
    const packager = await makeTestCertificate({ commonName: "Packager" });
    const { tenant, attacker } = await signedRequestsTenant(await tenantWithTestSeed(), packager);
    const storedKid = crypto.randomUUID();
    expect((await api(tenant, "POST", "/api/ContentKeys", { Id: storedKid, Name: "stored" })).status).toBe(201);
    const stored = await storedKeyValue(tenant, storedKid);
    const signed = await signRequest(canonicalRequest({ keys: [[KID, "VIDEO"]] }), packager);
    await expectAnswered(await postCpix(attacker, "/api/SpekeV2", signed, SPEKE_V2));

    const hidden = keyEntries(storedKid, "AUDIO");
    let tampered = insertAfter(signed, "<cpix:ContentKeyList>", onlyReaderSees(hidden.contentKey));
    tampered = insertAfter(tampered, "<cpix:DRMSystemList>", onlyReaderSees(hidden.drmSystem));
    tampered = insertAfter(tampered, "<cpix:ContentKeyUsageRuleList>", onlyReaderSees(hidden.usageRule));
    await expectRefusedOrAnsweredAsSigned(await postCpix(attacker, "/api/SpekeV2", tampered, SPEKE_V2), (body) => {
      const leaked = readResponse(body).contentKeyList?.items.find((key) => key.kid.toString() === storedKid);
      const leakedBytes = leaked?.value?.bytes;
      expect(leakedBytes !== undefined && toHex(leakedBytes) === toHex(stored), "the stored key's value is in the answer").toBe(false);
      expect(answeredKids(body)).toEqual([KID]);
    });
  });

  it("does not encrypt the keys for the attacker's DeliveryData added inside the signed DeliveryDataList", async () => {
    const packager = await makeTestCertificate({ commonName: "Packager" });
    const thief = await makeTestCertificate({ commonName: "Attacker" });
    const { attacker } = await signedRequestsTenant(await tenantWithTestSeed(), packager, { RequireEncryption: true });
    const signed = await signRequest(
      canonicalRequest({ keys: [[KID, "VIDEO"]], recipients: [{ id: "packager", der: packager.der }] }),
      packager,
    );
    expect(recipientIds(await expectAnswered(await postCpix(attacker, "/api/SpekeV2", signed, SPEKE_V2)))).toEqual(["packager"]);

    const tampered = insertAfter(signed, "<cpix:DeliveryDataList>", onlyReaderSees(deliveryData({ id: "attacker", der: thief.der })));
    await expectRefusedOrAnsweredAsSigned(await postCpix(attacker, "/api/SpekeV2", tampered, SPEKE_V2), async (body) => {
      expect(await decryptsWith(body, await thief.decryptionKey()), "the keys decrypt with the attacker's private key").toBe(false);
      expect(recipientIds(body)).toEqual(["packager"]);
    });
  });
});

describe("signed elements hidden from the reader", () => {
  it("does not answer in PlainValue a request whose signed DeliveryDataList is put inside a comment only the reader sees", async () => {
    const packager = await makeTestCertificate({ commonName: "Packager" });
    const { attacker } = await signedRequestsTenant(await tenantWithTestSeed(), packager, {
      RecipientCertificates: [await fingerprint(packager.der)],
    });
    const signed = await signRequest(
      canonicalRequest({ keys: [[KID, "VIDEO"]], recipients: [{ id: "packager", der: packager.der }] }),
      packager,
    );
    expect(await expectAnswered(await postCpix(attacker, "/api/SpekeV2", signed, SPEKE_V2))).not.toContain("PlainValue");

    const list = signed.slice(signed.indexOf("<cpix:DeliveryDataList>"), signed.indexOf("</cpix:DeliveryDataList>") + 24);
    const tampered = signed.replace(list, onlySignatureSees(list));
    await expectRefusedOrAnsweredAsSigned(await postCpix(attacker, "/api/SpekeV2", tampered, SPEKE_V2), async (body) => {
      expect(body.includes("PlainValue"), "the answer carries keys in PlainValue").toBe(false);
      expect(recipientIds(body)).toEqual(["packager"]);
      expect(await decryptsWith(body, await packager.decryptionKey())).toBe(true);
    });
  });
});

describe("attribute value normalization", () => {
  it("does not issue keys for a contentId with a literal TAB where the signer signed a space", async () => {
    const packager = await makeTestCertificate({ commonName: "Packager" });
    const { attacker } = await signedRequestsTenant(await tenantWithTestSeed(), packager);
    const path = "/api/SpekeV2?overrideKeyIds=true";
    const signed = await signRequest(
      canonicalRequest({
        contentId: "a b",
        keys: [
          [KID, "VIDEO"],
          [AUDIO_KID, "AUDIO"],
        ],
      }),
      packager,
    );
    const asSigned = await expectAnswered(await postCpix(attacker, path, signed, SPEKE_V2));
    expect(readResponse(asSigned).contentId).toBe("a b");

    // XML 1.0 §3.3.3 makes the literal TAB a space, so the signature still verifies; the bytes hold a TAB.
    const tampered = signed.replace('contentId="a b"', 'contentId="a\tb"');
    expect(tampered).not.toBe(signed);
    await expectRefusedOrAnsweredAsSigned(await postCpix(attacker, path, tampered, SPEKE_V2), (body) => {
      expect(answeredKids(body), "the Key IDs derived from the signed contentId").toEqual(answeredKids(asSigned));
      expect(readResponse(body).contentId).toBe("a b");
    });
  });
});

/** Well-formed by XML 1.0 §2.6 (libxml2 agrees): a PI ending at the first `?>`, then `cpix:X` holding the text `'?>`. */
const PI_WITH_QUOTED_END = "<?a b='?><cpix:X>'?></cpix:X>";

/** A CPIX content-key import body (Axinom Key Service API help, POST api/Import/ContentKeys) with one plain key. */
function importDocument(kid: string): string {
  const value = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(16))));
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<cpix:CPIX xmlns:cpix="urn:dashif:org:cpix" xmlns:pskc="urn:ietf:params:xml:ns:keyprov:pskc">` +
    `<cpix:ContentKeyList><cpix:ContentKey kid="${kid}"><cpix:Data><pskc:Secret><pskc:PlainValue>${value}</pskc:PlainValue>` +
    `</pskc:Secret></cpix:Data></cpix:ContentKey></cpix:ContentKeyList></cpix:CPIX>`
  );
}

describe("a processing instruction whose quoted pseudo-attribute holds ?>", () => {
  it.each([
    ["SPEKE v2", "/api/SpekeV2", SPEKE_V2, () => VALID_SPEKE_V2],
    ["plain CPIX", "/api/Cpix", {}, () => VALID_SPEKE_V2],
    ["the CPIX content-key import", "/api/Import/ContentKeys", {}, () => importDocument(crypto.randomUUID())],
  ])("is answered on %s with 200 or a 4xx, never a 5xx", async (_name, path, headers, request) => {
    const tenant = await tenantWithTestSeed();
    expect((await postCpix(tenant, path, request(), headers)).status, "the request without the PI").toBe(200);
    const response = await postCpix(tenant, path, insertAfter(request(), "<cpix:ContentKeyList>", PI_WITH_QUOTED_END), headers);
    expect(response.status, "a 5xx for a well-formed request").toBeLessThan(500);
    if (response.status !== 200) expect(response.status).toBeGreaterThanOrEqual(400);
  });

  it("is read from a PSKC key-seed package as a result, not a thrown error", async () => {
    const password = "correct horse battery staple";
    const seeds = sampleSeeds();
    const xml = await writePskcPasswordPackage(seeds, password);
    const container = /<pskc:KeyContainer[^>]*>/.exec(xml)![0];
    const reading = readPskcPackage(insertAfter(xml, container, PI_WITH_QUOTED_END.replaceAll("cpix:", "pskc:")), { password });
    await expect(reading, "readPskcPackage threw instead of answering a failure").resolves.toHaveProperty("ok");
    const read = await reading;
    if (read.ok) expect(read.keys).toHaveLength(seeds.length);
  });
});

describe("signature cost limits (CPIX 2.3 §Digital Signature)", () => {
  it.each([9, 1000])("refuses a document signature with %i References with 422 naming the limit of 8", async (count) => {
    const packager = await makeTestCertificate({ commonName: "Packager" });
    const { attacker } = await signedRequestsTenant(await tenantWithTestSeed(), packager);
    const request = canonicalRequest({ keys: [[KID, "VIDEO"]] });
    await expectAnswered(await postCpix(attacker, "/api/SpekeV2", await signRequest(request, packager, Array(8).fill("")), SPEKE_V2));
    const response = await postCpix(attacker, "/api/SpekeV2", await signRequest(request, packager, Array(count).fill("")), SPEKE_V2);
    expect(response.status).toBe(422);
    const body = await response.text();
    expect(body).toMatch(/Reference/);
    expect(body).toMatch(/\b8\b/);
  });

  // CPIX 2.3 §Digital Signature lets several parties sign one list (DASH-IF's Complex.xml signs each list twice), so
  // the limits are counts and a budget rather than one signature per target: each target is canonicalized once per
  // set of transforms, and all References of a document together within twice its length.
  it("refuses two Signatures over the document with 422: the first does not cover the second", async () => {
    const packager = await makeTestCertificate({ commonName: "Packager" });
    const { attacker } = await signedRequestsTenant(await tenantWithTestSeed(), packager);
    const once = await signRequest(canonicalRequest({ keys: [[KID, "VIDEO"]] }), packager);
    const response = await postCpix(attacker, "/api/SpekeV2", await signRequest(once, packager), SPEKE_V2);
    expect(response.status).toBe(422);
    expect(await response.text()).toMatch(/Signature\[1\] digest of the document does not match/);
  });

  it("answers two valid Signatures over one list under a document signature, as DASH-IF's Complex.xml co-signs", async () => {
    const packager = await makeTestCertificate({ commonName: "Packager" });
    const { attacker } = await signedRequestsTenant(await tenantWithTestSeed(), packager);
    const request = canonicalRequest({ keys: [[KID, "VIDEO"]], contentKeyListId: "keys" });
    const twice = await signRequest(await signRequest(request, packager, ["#keys"]), packager, ["#keys"]);
    await expectAnswered(await postCpix(attacker, "/api/SpekeV2", await signRequest(twice, packager), SPEKE_V2));
  });

  it("refuses a document with 17 Signatures with 422 naming the limit of 16", async () => {
    const packager = await makeTestCertificate({ commonName: "Packager" });
    const { attacker } = await signedRequestsTenant(await tenantWithTestSeed(), packager);
    let request = canonicalRequest({ keys: [[KID, "VIDEO"]], contentKeyListId: "keys" });
    for (let i = 0; i < 16; i++) request = await signRequest(request, packager, ["#keys"]);
    const response = await postCpix(attacker, "/api/SpekeV2", await signRequest(request, packager), SPEKE_V2);
    expect(response.status).toBe(422);
    expect(await response.text()).toMatch(/17 signatures; at most 16 are checked/);
  });
});
