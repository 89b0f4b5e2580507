/**
 * The storage operations behind content-key import and export (the routes call them): all-or-nothing import with
 * 409 naming the first stored KID, bounded export selections with their values sealed, audit records naming keys and
 * never values, and no key value anywhere a client, a log or a dump can see.
 */
import { env, runInDurableObject } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { toBase64, toBase64Url, toHex } from "../../src/domain/bytes";
import { KeyId } from "../../src/domain/key-id";
import { KeyIdFilter } from "../../src/tenancy/content-key-filter";
import { managementFailureResponse } from "../../src/http/management-errors";
import {
  MAX_CONTENT_KEYS_PER_EXPORT,
  MAX_CONTENT_KEYS_PER_IMPORT,
  type ContentKeyImport,
  type ContentKeyImportProblem,
} from "../../src/tenancy/content-key-types";
import type { ManagementResult } from "../../src/tenancy/tenant-types";
import { api, createTenant, type TestTenant } from "./support/api";
import { contentKeyRecord, importKeys, storedKeyValue, tenantClientOf, tenantObjectOf, testActor } from "./support/content-keys";
import { auditEntries } from "./support/logs";
import { VALID_SPEKE_V2 } from "./support/cpix-requests";
import { postCpix, tenantWithTestSeed } from "./support/tenant-with-seed";

const entry = (id = crypto.randomUUID()): ContentKeyImport => ({ id, key: crypto.getRandomValues(new Uint8Array(16)) });

async function storedIds(tenant: TestTenant): Promise<string[]> {
  const listed = await tenantClientOf(tenant).contentKeys().list({ conditions: [], orderBy: [] }, { top: 100, skip: 0 });
  if (!listed.ok) throw new Error(listed.failure.reason);
  return listed.value.items.map((key) => key.id);
}

/** A refusal of the tenant object as the Management API answers it: the status and message its typed failure gets. */
async function answered(result: ManagementResult<unknown>): Promise<{ status: number; error: string } | "not refused"> {
  if (result.ok) return "not refused";
  const response = managementFailureResponse(result.failure);
  return { status: response.status, error: ((await response.json()) as { error: string }).error };
}

afterEach(() => vi.restoreAllMocks());

describe("contentKeys().import", () => {
  it("stores every entry with CreationMethod 2, its name and IV, one ImportContentKeys record each", async () => {
    const tenant = await createTenant();
    const entries = [{ ...entry(), name: "video", iv: crypto.getRandomValues(new Uint8Array(16)) }, entry()];
    const imported = await tenantClientOf(tenant).contentKeys().import(entries, testActor());
    expect(imported).toMatchObject({
      ok: true,
      value: [
        { id: entries[0]!.id, name: "video", creationMethod: 2 },
        { id: entries[1]!.id, name: "", creationMethod: 2 },
      ],
    });
    expect(await storedKeyValue(tenant, entries[0]!.id)).toEqual(entries[0]!.key);
    const records = await auditEntries(tenant);
    expect(records.filter((record) => record.Action === "ImportContentKeys").map((record) => [record.Category, record.ObjectId])).toEqual([
      [9, entries[1]!.id],
      [9, entries[0]!.id],
    ]);
  });

  it("refuses the whole import with 409 naming the first KID already stored, and stores none of it", async () => {
    const tenant = await createTenant();
    const existing = entry();
    await importKeys(tenant, [existing]);
    const batch = [entry(), existing, entry()];
    expect(await tenantClientOf(tenant).contentKeys().import(batch, testActor())).toEqual({
      ok: false,
      failure: { reason: "duplicate-id", what: "content key", id: existing.id },
    });
    expect(await storedIds(tenant)).toEqual([existing.id]);
  });

  it("refuses a KID twice in one batch, naming the entry, and stores nothing", async () => {
    const tenant = await createTenant();
    const twice = entry();
    const result = await tenantClientOf(tenant)
      .contentKeys()
      .import([entry(), twice, { ...twice }], testActor());
    expect(result).toEqual({ ok: false, failure: { reason: "repeated-content-key", index: 2, id: twice.id } });
    expect(await answered(result)).toEqual({ status: 409, error: `Entry 2: content key ${twice.id} appears twice in the import` });
    expect(await storedIds(tenant)).toEqual([]);
  });

  it.each<[string, ContentKeyImport[], ContentKeyImportProblem, string]>([
    [
      "a 15-byte key",
      [entry(), { id: crypto.randomUUID(), key: new Uint8Array(15) }],
      { rule: "key-length", index: 1, length: 15 },
      "Entry 1: the key must be 16 bytes, got 15",
    ],
    [
      "an 8-byte IV",
      [{ ...entry(), iv: new Uint8Array(8) }],
      { rule: "iv-length", index: 0, length: 8 },
      "Entry 0: the IV must be 16 bytes, got 8",
    ],
    [
      "an Id that is not canonical",
      [{ ...entry(), id: "ABC" }],
      { rule: "canonical-id", index: 0 },
      "Entry 0: the Id must be a canonical lower-case UUID",
    ],
    [
      "a 257-character name",
      [{ ...entry(), name: "n".repeat(257) }],
      { rule: "name-length", index: 0, length: 257 },
      "Entry 0: the Name must be at most 256 characters, got 257",
    ],
    ["no entry", [], { rule: "not-empty" }, "An import must hold at least one content key"],
  ])("refuses %s with 400 naming the entry and rule, and stores nothing", async (_case, entries, problem, message) => {
    const tenant = await createTenant();
    const result = await tenantClientOf(tenant).contentKeys().import(entries, testActor());
    expect(result).toEqual({ ok: false, failure: { reason: "content-key-import", problem } });
    expect(await answered(result)).toEqual({ status: 400, error: message });
    expect(await storedIds(tenant)).toEqual([]);
  });

  it(`takes at most ${MAX_CONTENT_KEYS_PER_IMPORT} keys per import`, async () => {
    const tenant = await createTenant();
    const entries = Array.from({ length: MAX_CONTENT_KEYS_PER_IMPORT + 1 }, () => entry());
    const result = await tenantClientOf(tenant).contentKeys().import(entries, testActor());
    expect(result).toEqual({
      ok: false,
      failure: { reason: "content-key-import", problem: { rule: "at-most", count: MAX_CONTENT_KEYS_PER_IMPORT + 1 } },
    });
    expect(await answered(result)).toEqual({
      status: 400,
      error: `At most ${MAX_CONTENT_KEYS_PER_IMPORT} content keys per import, got ${MAX_CONTENT_KEYS_PER_IMPORT + 1}`,
    });
  });
});

describe("contentKeys().selectForExport and contentKeys().recordExport", () => {
  it("selects named keys in the order named, sealed, and 404 names the first that is not stored", async () => {
    const tenant = await createTenant();
    const [a, b] = [entry(), { ...entry(), iv: crypto.getRandomValues(new Uint8Array(16)) }];
    await importKeys(tenant, [a!, b]);
    const stub = tenantClientOf(tenant);
    const selected = await stub.contentKeys().selectForExport({ ids: [b.id, a!.id] });
    if (!selected.ok) throw new Error(selected.failure.reason);
    expect(selected.value.map((key) => [key.id, key.iv])).toEqual([
      [b.id, b.iv],
      [a!.id, null],
    ]);
    expect(selected.value[0]!.sealedValue).toMatch(/^v1\.1\./);
    const missing = crypto.randomUUID();
    expect(await stub.contentKeys().selectForExport({ ids: [a!.id, missing] })).toEqual({
      ok: false,
      failure: { reason: "not-found", what: "content key", id: missing },
    });
  });

  it("selects by the list's query, and refuses a selection over the export bound naming its size", async () => {
    const tenant = await createTenant();
    await importKeys(tenant, [
      { ...entry(), name: "movie-a" },
      { ...entry(), name: "trailer" },
    ]);
    const stub = tenantClientOf(tenant);
    const selected = await stub.contentKeys().selectForExport({
      query: { conditions: [{ field: "Name", operator: "startswith", value: "movie" }], orderBy: [] },
    });
    expect(selected.ok && selected.value.map((key) => key.name)).toEqual(["movie-a"]);
    const ids = Array.from({ length: MAX_CONTENT_KEYS_PER_EXPORT + 1 }, () => crypto.randomUUID());
    const tooMany = await stub.contentKeys().selectForExport({ ids });
    expect(tooMany).toEqual({ ok: false, failure: { reason: "export-too-large", count: MAX_CONTENT_KEYS_PER_EXPORT + 1 } });
    expect(await answered(tooMany)).toEqual({
      status: 400,
      error: `At most ${MAX_CONTENT_KEYS_PER_EXPORT} content keys per export, the selection holds ${MAX_CONTENT_KEYS_PER_EXPORT + 1}`,
    });
  });

  it("records an export as one ExportContentKeys record (category 10) per key", async () => {
    const tenant = await createTenant();
    const ids = [crypto.randomUUID(), crypto.randomUUID()];
    expect(await tenantClientOf(tenant).contentKeys().recordExport(ids, testActor())).toEqual({ ok: true, value: { count: 2 } });
    const records = (await auditEntries(tenant)).filter((record) => record.Action === "ExportContentKeys");
    expect(records.map((record) => [record.Category, record.ObjectId]).sort()).toEqual(ids.map((id) => [10, id]).sort());
  });
});

describe("AllowPlainContentKeyExport", () => {
  it("is off by default and kept as PUT", async () => {
    const tenant = await createTenant();
    expect(await (await api(tenant, "GET", "/api/Settings")).json()).toMatchObject({ AllowPlainContentKeyExport: false });
    const put = await api(tenant, "PUT", "/api/Settings", { AllowPlainContentKeyExport: true });
    expect(await put.json()).toMatchObject({ AllowPlainContentKeyExport: true });
    expect((await tenantClientOf(tenant).settings().get()).ok && (await tenantClientOf(tenant).settings().get())).toMatchObject({
      value: { allowPlainContentKeyExport: true },
    });
    const wrong = await api(tenant, "PUT", "/api/Settings", { AllowPlainContentKeyExport: "yes" });
    expect(wrong.status).toBe(400);
    expect(wrong.headers.get("X-AxDRM-ErrorMessage")).toBe("AllowPlainContentKeyExport must be true or false");
  });
});

describe("a content key value never appears outside its sealed form", () => {
  it("not in any GET, log line, audit record, error, KV value or table row", async () => {
    const logged: string[] = [];
    for (const level of ["log", "info", "warn", "error", "debug"] as const) {
      vi.spyOn(console, level).mockImplementation((...args: unknown[]) => void logged.push(JSON.stringify(args)));
    }
    const tenant = await tenantWithTestSeed();
    const imported = { ...entry(), name: "imported", iv: crypto.getRandomValues(new Uint8Array(16)) };
    await importKeys(tenant, [imported]);
    const random = await (await api(tenant, "POST", "/api/ContentKeys", { Name: "random" })).json<{ Id: string }>();
    const seeded = await (
      await api(tenant, "POST", "/api/ContentKeys", { Name: "seeded", KeySeedId: tenant.seedId })
    ).json<{ Id: string }>();
    const values = [imported.key, await storedKeyValue(tenant, random.Id), await storedKeyValue(tenant, seeded.Id)];
    await postCpix(tenant, "/api/SpekeV2", VALID_SPEKE_V2.replaceAll("0f083e4e-b831-4a3d-917e-ce78076e1234", random.Id), {
      "X-Speke-Version": "2.0",
    });

    const seen: string[] = [];
    const record = async (response: Response) => seen.push([...response.headers].join("\n"), await response.text());
    for (const path of ["/api/ContentKeys", `/api/ContentKeys/${random.Id}`, "/api/Logs", `/api/ContentKeys/${crypto.randomUUID()}`]) {
      await record(await api(tenant, "GET", path));
    }
    await record(await api(tenant, "POST", "/api/ContentKeys", { Id: random.Id, Name: "again" }));
    await record(await api(tenant, "PUT", `/api/ContentKeys/${seeded.Id}`, { Name: "renamed" }));
    await record(await api(tenant, "DELETE", `/api/ContentKeys/${seeded.Id}`));
    seen.push(JSON.stringify(await tenantClientOf(tenant).contentKeys().import([imported], testActor())));
    seen.push(JSON.stringify(await tenantClientOf(tenant).logs().list({}, { top: 100, skip: 0 }, new Date())));
    for (const key of (await env.SNAPSHOTS.list({ prefix: `tenant/${tenant.tenantId}/` })).keys) {
      seen.push(key.name, (await env.SNAPSHOTS.get(key.name)) ?? "");
    }
    expect(await contentKeyRecord(tenant, imported.id)).toMatchObject({ sealedValue: expect.stringMatching(/^v1\.1\./) });
    seen.push(
      ...(await runInDurableObject(tenantObjectOf(tenant), (_instance, state) =>
        ["content_keys", "audit_log", "meta"].flatMap((table) =>
          state.storage.sql
            .exec(`SELECT * FROM ${table}`)
            .toArray()
            .map((row) => JSON.stringify(row)),
        ),
      )),
    );
    const haystack = [...seen, ...logged].join("\n");
    expect(haystack).toContain(random.Id);
    for (const value of values) {
      for (const form of [toBase64(value), toBase64Url(value), toHex(value), toHex(value).toUpperCase()]) {
        expect(haystack).not.toContain(form);
      }
    }
  });
});

describe("the membership filter", () => {
  it("never answers no for a KID it holds, sequential KIDs included", () => {
    const kids = Array.from(
      { length: 5_000 },
      (_, i) => KeyId.require(`00000000-0000-0000-0000-${i.toString(16).padStart(12, "0")}`).bytes,
    );
    const filter = KeyIdFilter.build(kids, kids.length, 42);
    expect(kids.every((kid) => filter.mightContain(kid))).toBe(true);
    const decoded = KeyIdFilter.decode(filter.encode())!;
    expect(kids.every((kid) => decoded.mightContain(kid))).toBe(true);
    let positives = 0;
    for (let i = 0; i < 20_000; i++) if (decoded.mightContain(KeyId.require(crypto.randomUUID()).bytes)) positives++;
    expect(positives / 20_000).toBeLessThan(0.015);
  });

  it("refuses a serialized filter whose size and bit count disagree", () => {
    const good = KeyIdFilter.build([], 0, 1).encode();
    expect(KeyIdFilter.decode({ ...good, bits: good.bits + 8 })).toBeUndefined();
    expect(KeyIdFilter.decode({ ...good, hashes: 0 })).toBeUndefined();
  });
});
