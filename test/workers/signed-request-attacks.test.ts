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
import { api } from "./support/api";
import { storedKeyValue } from "./support/content-keys";
import { AUDIO_KID, KID } from "./support/cpix-requests";
import { makeTestCertificate } from "./support/make-certificate";
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

/** Answers a request as the trusted requester signed it: 200, so every change below is the attacker's. */
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
      expect(readResponse(body).contentId).toBe("a b");
      expect(answeredKids(body)).toEqual(answeredKids(asSigned));
    });
  });
});
