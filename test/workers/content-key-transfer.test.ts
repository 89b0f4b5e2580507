/**
 * POST /api/Import/ContentKeys and POST /api/Export/ContentKeys over HTTP: all-or-nothing import (JSON and CPIX),
 * export as CPIX 2.3 encrypted for a certificate or plain when allowed, export → import into a second tenant giving
 * the same keys, the audit records of both, and no key value in any answer or error.
 */
import { SELF } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import { readCpixContentKeys } from "../../src/cpix/content-key-import";
import { fromBase64, toBase64, toHex, utf8 } from "../../src/domain/bytes";
import { ContentKeyOperations } from "../../src/tenancy/operations/content-key-operations";
import { BASE, api, type TestTenant } from "./support/api";
import { AUDIO_KID, CPIX_PROTOCOLS, KID } from "./support/cpix-requests";
import { storedKeyValue, type ContentKeyJson } from "./support/content-keys";
import { auditEntries } from "./support/logs";
import { makeTestCertificate, type TestCertificate } from "./support/make-certificate";
import { readResponse } from "./support/speke-v2-requests";
import { postCpix, tenantWithTestSeed } from "./support/tenant-with-seed";

const randomKey = () => toBase64(crypto.getRandomValues(new Uint8Array(16)));

function importJson(tenant: TestTenant, entries: unknown): Promise<Response> {
  return api(tenant, "POST", "/api/Import/ContentKeys", entries);
}

function importCpix(tenant: TestTenant, xml: string): Promise<Response> {
  return SELF.fetch(`${BASE}/api/Import/ContentKeys`, {
    method: "POST",
    headers: { Authorization: tenant.authorization, "Content-Type": "application/xml" },
    body: xml,
  });
}

async function exportKeys(tenant: TestTenant, body: Record<string, unknown>): Promise<Response> {
  return api(tenant, "POST", "/api/Export/ContentKeys", body);
}

async function list(tenant: TestTenant): Promise<ContentKeyJson[]> {
  return (await api(tenant, "GET", "/api/ContentKeys")).json();
}

/** A tenant whose CPIX signing key is `certificate`: encrypted CPIX imports addressed to it are opened. */
async function tenantHolding(certificate: TestCertificate): Promise<TestTenant> {
  const tenant = await tenantWithTestSeed();
  const added = await api(tenant, "POST", "/api/SigningKeys", {
    Certificate: toBase64(certificate.der),
    PrivateKey: toBase64(certificate.pkcs8),
  });
  expect(added.status, await added.clone().text()).toBe(201);
  return tenant;
}

function expectNoValue(text: string, values: readonly string[]): void {
  for (const value of values) {
    expect(text).not.toContain(value);
    expect(text).not.toContain(toHex(fromBase64(value)!));
  }
}

describe("POST /api/Import/ContentKeys", () => {
  it("stores a JSON array as CreationMethod 2 keys (200 with their metadata) that SPEKE v2 then answers", async () => {
    const tenant = await tenantWithTestSeed();
    const value = randomKey();
    const iv = randomKey();
    const response = await importJson(tenant, [{ Id: KID, Name: "imported", Data: value, Iv: iv }, { Data: randomKey() }]);
    expect(response.status, await response.clone().text()).toBe(200);
    const imported = await response.json<ContentKeyJson[]>();
    expect(imported).toHaveLength(2);
    expect(imported[0]).toMatchObject({ Id: KID, Name: "imported", CreationMethod: 2 });
    expect(imported[1]!.Id).toMatch(/^[0-9a-f-]{36}$/);
    expectNoValue(JSON.stringify(imported), [value, iv]);

    const answer = await postCpix(tenant, "/api/SpekeV2", CPIX_PROTOCOLS[0]!.valid, CPIX_PROTOCOLS[0]!.headers);
    expect(answer.status).toBe(200);
    const key = readResponse(await answer.text()).contentKeyList!.items.find((item) => item.kid.toString() === KID)!;
    expect(toBase64(key.value!.bytes)).toBe(value);
    expect(toBase64(key.explicitIV!.bytes)).toBe(iv);
  });

  it("refuses the whole import for one bad entry, naming its index and rule, and stores nothing", async () => {
    const tenant = await tenantWithTestSeed();
    const good = randomKey();
    const response = await importJson(tenant, [
      { Id: KID, Data: good },
      { Id: AUDIO_KID, Data: "c2hvcnQ=" },
    ]);
    expect(response.status).toBe(400);
    expect(response.headers.get("X-AxDRM-ErrorMessage")).toBe("[1].Data: must be base64 of 16 bytes");
    expectNoValue(await response.text(), [good]);
    expect(await list(tenant)).toEqual([]);
  });

  it("answers 409 naming a KID the tenant already stores, and keeps the stored key and the rest out", async () => {
    const tenant = await tenantWithTestSeed();
    const first = randomKey();
    expect((await importJson(tenant, [{ Id: KID, Data: first }])).status).toBe(200);
    const response = await importJson(tenant, [
      { Id: AUDIO_KID, Data: randomKey() },
      { Id: KID, Data: randomKey() },
    ]);
    expect(response.status).toBe(409);
    expect(response.headers.get("X-AxDRM-ErrorMessage")).toContain(KID);
    expect((await list(tenant)).map((key) => key.Id)).toEqual([KID]);
    expect(toBase64(await storedKeyValue(tenant, KID))).toBe(first);
  });

  it("answers 415 for a body that is neither JSON nor CPIX", async () => {
    const tenant = await tenantWithTestSeed();
    const response = await api(tenant, "POST", "/api/Import/ContentKeys", "Id,Data", { "Content-Type": "text/csv" });
    expect(response.status).toBe(415);
  });

  it("is refused to an acquire-only credential (manage scope)", async () => {
    const tenant = await tenantWithTestSeed();
    const created = await api(tenant, "POST", "/api/Credentials", { Name: "packager", Scopes: ["acquire"] });
    expect(created.status).toBe(201);
    const { Id, Secret } = await created.json<{ Id: string; Secret: string }>();
    const packager = { ...tenant, authorization: `Basic ${btoa(`${tenant.tenantId}:${Secret}`)}` };
    expect((await importJson(packager, [{ Data: randomKey() }])).status).toBe(403);
    expect((await exportKeys(packager, {})).status).toBe(403);
    expect(Id).toBeTruthy();
  });
});

describe("POST /api/Export/ContentKeys", () => {
  it("exports keys encrypted for a certificate, and importing that CPIX into a second tenant gives the same keys and IVs", async () => {
    const recipient = await makeTestCertificate({ commonName: "license service" });
    const source = await tenantWithTestSeed();
    const values = [randomKey(), randomKey()];
    const iv = randomKey();
    expect((await importJson(source, [{ Id: KID, Data: values[0], Iv: iv }])).status).toBe(200);
    expect((await api(source, "POST", "/api/ContentKeys", { Id: AUDIO_KID, Name: "random" })).status).toBe(201);
    const audioValue = toBase64(await storedKeyValue(source, AUDIO_KID));

    const exported = await exportKeys(source, { Certificate: toBase64(recipient.der) });
    expect(exported.status, await exported.clone().text()).toBe(200);
    expect(exported.headers.get("Content-Type")).toBe("application/xml; charset=utf-8");
    const xml = await exported.text();
    expect(xml).not.toContain("PlainValue");
    expectNoValue(xml, [values[0]!, audioValue]);

    const target = await tenantHolding(recipient);
    const imported = await importCpix(target, xml);
    expect(imported.status, await imported.clone().text()).toBe(200);
    expect(toBase64(await storedKeyValue(target, KID))).toBe(values[0]);
    expect(toBase64(await storedKeyValue(target, AUDIO_KID))).toBe(audioValue);
    const opened = await readCpixContentKeys(utf8(xml), [
      { certificateDer: recipient.der, openPrivateKey: async () => recipient.pkcs8.slice() },
    ]);
    expect(opened.ok && opened.keys.find((key) => key.kid.toString() === KID)?.iv?.bytes).toEqual(fromBase64(iv));
  });

  it("records the export (ExportContentKeys, category 10) naming each KID and never a value", async () => {
    const recipient = await makeTestCertificate();
    const tenant = await tenantWithTestSeed();
    const value = randomKey();
    expect((await importJson(tenant, [{ Id: KID, Data: value }])).status).toBe(200);
    expect((await exportKeys(tenant, { Ids: [KID], Certificate: toBase64(recipient.der) })).status).toBe(200);
    const records = (await auditEntries(tenant)).filter((record) => record.Category === 10);
    expect(records.map((record) => record.ObjectId)).toEqual([KID]);
    expectNoValue(JSON.stringify(records), [value]);
  });

  it("refuses plain export (403) until the tenant allows it in /api/Settings, then answers PlainValue", async () => {
    const tenant = await tenantWithTestSeed();
    const value = randomKey();
    expect((await importJson(tenant, [{ Id: KID, Data: value }])).status).toBe(200);
    const refused = await exportKeys(tenant, {});
    expect(refused.status).toBe(403);
    expect(refused.headers.get("X-AxDRM-ErrorMessage")).toContain("/api/Settings");
    expectNoValue(await refused.text(), [value]);

    const settings = await (await api(tenant, "GET", "/api/Settings")).json<Record<string, unknown>>();
    expect((await api(tenant, "PUT", "/api/Settings", { ...settings, AllowPlainContentKeyExport: true })).status).toBe(200);
    const plain = await exportKeys(tenant, { Filter: "Name eq 'imported' or 1" });
    expect(plain.status).toBe(400);
    expect(plain.headers.get("X-AxDRM-ErrorMessage")).toMatch(/^Filter: /);
    const all = await exportKeys(tenant, { Filter: "CreationMethod eq 2" });
    expect(all.status).toBe(200);
    const xml = await all.text();
    expect(xml).toContain(`kid="${KID}"`);
    expect(xml).toContain(`<pskc:PlainValue>${value}</pskc:PlainValue>`);
  });

  it("answers 404 naming an unknown Id, and 404 when there is nothing to export", async () => {
    const recipient = await makeTestCertificate();
    const tenant = await tenantWithTestSeed();
    const certificate = toBase64(recipient.der);
    expect((await exportKeys(tenant, { Certificate: certificate })).status).toBe(404);
    const unknown = await exportKeys(tenant, { Ids: [KID], Certificate: certificate });
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get("X-AxDRM-ErrorMessage")).toContain(KID);
  });
});

describe("an export whose audit record cannot be written", () => {
  it("answers 503 and no document: the keys never leave unrecorded", async () => {
    const tenant = await tenantWithTestSeed();
    const value = randomKey();
    expect((await importJson(tenant, [{ Id: KID, Data: value }])).status).toBe(200);
    const recipient = await makeTestCertificate();
    const record = vi
      .spyOn(ContentKeyOperations.prototype, "recordExport")
      .mockRejectedValueOnce(new Error("injected: the audit log is unavailable"));
    try {
      const response = await exportKeys(tenant, { Ids: [KID], Certificate: toBase64(recipient.der) });
      expect(record).toHaveBeenCalledTimes(1);
      expect(response.status).toBe(503);
      const body = await response.text();
      expect(body).not.toContain("CPIX");
      expect(body).not.toContain("CipherValue");
      expectNoValue(body, [value]);
    } finally {
      record.mockRestore();
    }
    expect((await auditEntries(tenant)).filter((entry) => entry.Category === 10)).toEqual([]);
  });
});
