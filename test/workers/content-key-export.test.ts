/**
 * `POST /api/Export/ContentKeys` below the route: the request `{Ids?, Filter?, Certificate?}` and each refusal
 * (src/management/content-key-export-input.ts), the choice of plain or encrypted export, and the CPIX 2.3 document
 * (src/cpix/content-key-export.ts), read back by the import: export → import gives the same KIDs, keys and IVs,
 * plain and encrypted for a tenant signing key's certificate. XSD and openssl: test/interop/content-key-cpix.test.ts.
 */
import { describe, expect, it } from "vitest";
import { toBase64, utf8 } from "../../src/domain/bytes";
import { contentKeyFromBytes, ivFromBytes } from "../../src/domain/content-key";
import { KeyId } from "../../src/domain/key-id";
import { MAX_BODY_BYTES, MAX_CONTENT_KEY_TRANSFER } from "../../src/domain/request-limits";
import { randomBytes } from "../../src/runtime/random";
import { readCpix } from "../../src/cpix/reader";
import { readCpixContentKeys, type CpixKeyImportResult } from "../../src/cpix/content-key-import";
import { writeContentKeyExport, type ExportedContentKey } from "../../src/cpix/content-key-export";
import { AES256_CBC, HMAC_SHA512, RSA_OAEP_MGF1P } from "../../src/cpix/security/algorithms";
import { InputError } from "../../src/http/json-fields";
import {
  MAX_EXPORT_FILTER_LENGTH,
  contentKeyExportProtection,
  contentKeyExportResponse,
  parseContentKeyExport,
} from "../../src/management/content-key-export-input";
import { makeTestCertificate, type TestCertificate } from "./support/make-certificate";

const DAY = 86_400_000;
const kidAt = (i: number) => KeyId.require(`00000000-0000-4000-8000-${String(i).padStart(12, "0")}`);
const keysWith = (count: number): ExportedContentKey[] =>
  Array.from({ length: count }, (_, i) => ({
    kid: kidAt(i),
    key: contentKeyFromBytes(randomBytes(16)),
    ...(i % 2 === 0 && { iv: ivFromBytes(randomBytes(16)) }),
  }));
const pemOf = (der: Uint8Array) =>
  `-----BEGIN CERTIFICATE-----\n${toBase64(der)
    .replace(/(.{64})/g, "$1\n")
    .trim()}\n-----END CERTIFICATE-----\n`;

function refusal(body: unknown): string {
  try {
    parseContentKeyExport(body);
  } catch (error) {
    if (error instanceof InputError) return error.message;
    throw error;
  }
  throw new Error("the body was accepted");
}

/** What an import of the exported document gives, as comparable text. */
const asText = (keys: readonly { kid: KeyId; key: { bytes: Uint8Array }; iv?: { bytes: Uint8Array } }[]) =>
  keys.map((key) => ({ kid: key.kid.toString(), key: toBase64(key.key.bytes), iv: key.iv && toBase64(key.iv.bytes) }));
const imported = (result: CpixKeyImportResult) => {
  if (!result.ok) throw new Error(JSON.stringify(result.failure));
  return asText(result.keys);
};
const signingKeyOf = (certificate: TestCertificate) => ({
  certificateDer: certificate.der,
  openPrivateKey: async () => certificate.pkcs8.slice(),
});

async function encryptedFor(certificate: TestCertificate) {
  const request = parseContentKeyExport({ Certificate: toBase64(certificate.der) });
  const chosen = await contentKeyExportProtection(request, false, new Date());
  if (!chosen.ok) throw new Error(await chosen.response.text());
  return chosen;
}

describe("the request {Ids?, Filter?, Certificate?}", () => {
  it("is empty for {}: every stored key, plain", () => {
    expect(parseContentKeyExport({})).toEqual({});
  });

  it("reads Ids as KIDs in canonical form and order", () => {
    const request = parseContentKeyExport({ Ids: ["0A30EA4F-539D-4B02-94B2-2B3FBA2576D3", "40d02dd161a34787a155572325d47b80"] });
    expect(request.ids!.map(String)).toEqual(["0a30ea4f-539d-4b02-94b2-2b3fba2576d3", "40d02dd1-61a3-4787-a155-572325d47b80"]);
  });

  it("reads Filter into the conditions GET /api/ContentKeys takes, and refuses one it would refuse, naming Filter", () => {
    expect(parseContentKeyExport({ Filter: "CreationMethod eq 2 and Created ge 2026-01-01T00:00:00Z" })).toEqual({
      filter: [
        { field: "CreationMethod", operator: "eq", value: 2 },
        { field: "Created", operator: "ge", value: "2026-01-01T00:00:00.000Z" },
      ],
    });
    expect(() => parseContentKeyExport({ Filter: "Name eq 'a' or Name eq 'b'" })).toThrow(/^Filter: /);
  });

  it("reads Certificate as PEM or as base64 of the DER, to the same certificate", async () => {
    const certificate = await makeTestCertificate();
    const fromPem = parseContentKeyExport({ Certificate: pemOf(certificate.der) });
    const fromBase64 = parseContentKeyExport({ Certificate: toBase64(certificate.der) });
    expect(fromPem.certificate!.der).toEqual(certificate.der);
    expect(fromBase64.certificate!.der).toEqual(certificate.der);
  });

  it(`accepts ${MAX_CONTENT_KEY_TRANSFER} Ids and a Filter of ${MAX_EXPORT_FILTER_LENGTH} characters`, () => {
    const ids = Array.from({ length: MAX_CONTENT_KEY_TRANSFER }, (_, i) => kidAt(i).toString());
    expect(parseContentKeyExport({ Ids: ids }).ids).toHaveLength(MAX_CONTENT_KEY_TRANSFER);
    const longName = "n".repeat(MAX_EXPORT_FILTER_LENGTH - "Name eq ''".length);
    expect(parseContentKeyExport({ Filter: `Name eq '${longName}'` }).filter).toEqual([{ field: "Name", operator: "eq", value: longName }]);
  });

  it.each<[string, unknown, string]>([
    ["a body that is not an object", [], "Request body must be a JSON object"],
    ["an unknown field", { Password: "x".repeat(20) }, "Unknown field Password; send Ids or Filter, and Certificate"],
    ["Ids and Filter together", { Ids: [kidAt(1).toString()], Filter: "Name eq 'a'" }, "Send Ids or Filter, not both"],
    ["Ids that is not an array", { Ids: kidAt(1).toString() }, "Ids must be a non-empty array of content key KIDs"],
    ["an empty Ids", { Ids: [] }, "Ids must be a non-empty array of content key KIDs"],
    [
      `more than ${MAX_CONTENT_KEY_TRANSFER} Ids`,
      { Ids: Array.from({ length: MAX_CONTENT_KEY_TRANSFER + 1 }, (_, i) => kidAt(i).toString()) },
      `Ids may list at most ${MAX_CONTENT_KEY_TRANSFER} content keys, got ${MAX_CONTENT_KEY_TRANSFER + 1}`,
    ],
    ["an Id that is not a KID", { Ids: [kidAt(1).toString(), "not-a-kid"] }, "Ids[1]: must be a KID (UUID)"],
    ["an Id that is a number", { Ids: [42] }, "Ids[0]: must be a KID (UUID)"],
    ["a KID listed twice", { Ids: [kidAt(1).toString(), kidAt(2).toString(), kidAt(1).toString()] }, "Ids[2]: the same KID as Ids[0]"],
    ["an empty Filter", { Filter: " " }, `Filter must be a $filter expression of 1 to ${MAX_EXPORT_FILTER_LENGTH} characters`],
    ["a Filter that is too long", { Filter: "f".repeat(MAX_EXPORT_FILTER_LENGTH + 1) }, "Filter must be a $filter expression"],
    ["a Filter that is not a string", { Filter: { Name: "a" } }, "Filter must be a $filter expression"],
    ["a Certificate that is not base64", { Certificate: "not a certificate" }, "Certificate must be one X.509 certificate"],
    ["a Certificate that is base64 of something else", { Certificate: toBase64(utf8("hello world!")) }, "Certificate is not a valid X.509"],
    ["a Certificate that is a number", { Certificate: 7 }, "Certificate must be one X.509 certificate"],
  ])("refuses %s, naming the field", (_, body, message) => {
    expect(refusal(body)).toContain(message);
  });

  it("refuses a PEM chain: one recipient certificate", async () => {
    const [a, b] = await Promise.all([makeTestCertificate(), makeTestCertificate()]);
    expect(refusal({ Certificate: pemOf(a.der) + pemOf(b.der) })).toContain("send one PEM block, not a chain");
  });
});

describe("plain or encrypted", () => {
  it("is plain without a Certificate when the tenant allows plain export", async () => {
    expect(await contentKeyExportProtection({}, true, new Date())).toEqual({
      ok: true,
      protection: { kind: "plain" },
    });
  });

  it("refuses plain export with 403 when the tenant has not allowed it, saying what to send", async () => {
    const chosen = await contentKeyExportProtection({}, false, new Date());
    expect(chosen.ok).toBe(false);
    if (chosen.ok) return;
    expect(chosen.response.status).toBe(403);
    expect(((await chosen.response.json()) as { error: string }).error).toBe(
      "Plain export of content keys is not allowed for this tenant: send Certificate to receive them encrypted, or allow plain export in /api/Settings",
    );
  });

  it("encrypts for a Certificate that passes the policy, whether or not plain export is allowed", async () => {
    const certificate = await makeTestCertificate();
    const request = parseContentKeyExport({ Certificate: pemOf(certificate.der) });
    for (const allowed of [true, false]) {
      const chosen = await contentKeyExportProtection(request, allowed, new Date());
      expect(chosen.ok && chosen.protection.kind).toBe("encrypted");
    }
  });

  it.each<[string, () => Promise<TestCertificate>, Date, string]>([
    [
      "a 1024-bit RSA key",
      () => makeTestCertificate({ key: 1024 }),
      new Date(),
      "Certificate must hold an RSA key of at least 2048 bits, got 1024",
    ],
    [
      "an EC key",
      () => makeTestCertificate({ key: "ec" }),
      new Date(),
      "Certificate must hold an RSA key (rsaEncryption), got EC (id-ecPublicKey)",
    ],
    ["an expired certificate", () => makeTestCertificate(), new Date(Date.now() + 400 * DAY), "Certificate expired at"],
    [
      "a certificate not valid yet",
      () => makeTestCertificate({ notBefore: new Date(Date.now() + DAY) }),
      new Date(),
      "Certificate is not valid before",
    ],
  ])("refuses %s with 400 naming the rule", async (_, make, now, message) => {
    const request = parseContentKeyExport({ Certificate: toBase64((await make()).der) });
    const chosen = await contentKeyExportProtection(request, true, now);
    expect(chosen.ok).toBe(false);
    if (chosen.ok) return;
    expect(chosen.response.status).toBe(400);
    expect(((await chosen.response.json()) as { error: string }).error).toContain(message);
  });

  it("answers the document as an XML download", async () => {
    const response = contentKeyExportResponse("<CPIX/>");
    expect(response.headers.get("Content-Type")).toBe("application/xml; charset=utf-8");
    expect(response.headers.get("Content-Disposition")).toBe('attachment; filename="content-keys.cpix.xml"');
  });
});

describe("the CPIX 2.3 export document", () => {
  it("plain: version 2.3, every key in pskc:PlainValue with its kid and explicitIV when it has an IV", async () => {
    const keys = keysWith(3);
    const xml = await writeContentKeyExport(keys, { kind: "plain" });
    expect(xml).toContain('version="2.3"');
    expect(xml).toContain('xmlns:cpix="urn:dashif:org:cpix"');
    expect(xml).toContain('xmlns:pskc="urn:ietf:params:xml:ns:keyprov:pskc"');
    expect(xml).not.toContain("DeliveryData");
    const read = readCpix(utf8(xml));
    expect(read.ok).toBe(true);
    if (!read.ok) return;
    expect(read.document.version).toBe("2.3");
    expect(read.document.contentKeyList!.items.map((key) => [key.kid.toString(), key.value?.bytes, key.explicitIV?.bytes])).toEqual(
      keys.map((key) => [key.kid.toString(), key.key.bytes, key.iv?.bytes]),
    );
  });

  it("encrypted: no plain value, one DeliveryData for the certificate with DocumentKey and MACMethod, a ValueMAC per key", async () => {
    const certificate = await makeTestCertificate();
    const keys = keysWith(3);
    const xml = await writeContentKeyExport(keys, (await encryptedFor(certificate)).protection);
    expect(xml).not.toContain("PlainValue");
    for (const key of keys) expect(xml).not.toContain(toBase64(key.key.bytes));
    const read = readCpix(utf8(xml));
    if (!read.ok) throw new Error(JSON.stringify(read.failure));
    const [delivery, ...others] = read.document.deliveryDataList!.items;
    expect(others).toEqual([]);
    expect(delivery!.deliveryKey.x509Certificates).toEqual([certificate.der]);
    expect(delivery!.documentKeys).toMatchObject([{ algorithm: AES256_CBC, value: { encryptionMethod: RSA_OAEP_MGF1P } }]);
    expect(delivery!.macMethod).toMatchObject({ algorithm: HMAC_SHA512, keyShape: "xmlenc" });
    for (const key of read.document.contentKeyList!.items) {
      expect(key.value).toBeUndefined();
      expect(key.encryptedValue).toMatchObject({ encryptionMethod: AES256_CBC });
      expect(key.encryptedValue!.valueMac).toHaveLength(64);
    }
    expect(read.document.contentKeyList!.items.map((key) => key.explicitIV?.bytes)).toEqual(keys.map((key) => key.iv?.bytes));
  });

  it("writes fresh document keys each time: two exports of the same keys differ", async () => {
    const certificate = await makeTestCertificate();
    const keys = keysWith(1);
    const { protection } = await encryptedFor(certificate);
    expect(await writeContentKeyExport(keys, protection)).not.toBe(await writeContentKeyExport(keys, protection));
  });

  it(`refuses no keys and more than ${MAX_CONTENT_KEY_TRANSFER}: every export must import back in one request`, async () => {
    await expect(writeContentKeyExport([], { kind: "plain" })).rejects.toThrow(RangeError);
    await expect(writeContentKeyExport(keysWith(MAX_CONTENT_KEY_TRANSFER + 1), { kind: "plain" })).rejects.toThrow(
      `an export holds 1 to ${MAX_CONTENT_KEY_TRANSFER} content keys, got ${MAX_CONTENT_KEY_TRANSFER + 1}`,
    );
  });
});

describe("export → import", () => {
  it("plain: the import gives the same KIDs, keys and IVs", async () => {
    const keys = keysWith(5);
    const xml = await writeContentKeyExport(keys, { kind: "plain" });
    expect(imported(await readCpixContentKeys(utf8(xml), []))).toEqual(asText(keys));
  });

  it("encrypted for the tenant's signing-key certificate, imported with its private key: the same KIDs, keys and IVs", async () => {
    const signingKey = await makeTestCertificate({ key: 3072 });
    const keys = keysWith(5);
    const xml = await writeContentKeyExport(keys, (await encryptedFor(signingKey)).protection);
    const other = await makeTestCertificate();
    expect(imported(await readCpixContentKeys(utf8(xml), [signingKeyOf(other), signingKeyOf(signingKey)]))).toEqual(asText(keys));
  });

  it(`${MAX_CONTENT_KEY_TRANSFER} encrypted keys fit in one import body and come back whole`, async () => {
    const signingKey = await makeTestCertificate();
    const keys = keysWith(MAX_CONTENT_KEY_TRANSFER);
    const xml = await writeContentKeyExport(keys, (await encryptedFor(signingKey)).protection);
    expect(utf8(xml).length).toBeLessThan(MAX_BODY_BYTES);
    expect(imported(await readCpixContentKeys(utf8(xml), [signingKeyOf(signingKey)]))).toEqual(asText(keys));
  });
});
