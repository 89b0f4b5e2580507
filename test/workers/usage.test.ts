import { SELF, env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { fromHex, toBase64, utf8 } from "../../src/domain/bytes";
import { issuanceRecords } from "../../src/protocols/acquisition-support";
import { parkIssuance } from "../../src/tenancy/issuance-parking";
import { aesRequestSignature } from "../../src/protocols/widevine-cenc/signature";
import { tenantObject } from "../../src/tenancy/tenant-client";
import type { IssuanceRecord } from "../../src/tenancy/tenant-types";
import { TEST_BINDINGS } from "../test-bindings";
import { BASE, api, createTenant, type TestTenant } from "./support/api";
import { VALID_SPEKE_V2 } from "./support/cpix-requests";
import { createCredential } from "./support/credentials";
import { postCpix } from "./support/tenant-with-seed";

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
const OPERATOR = { Authorization: `Bearer ${TEST_BINDINGS.ADMIN_TOKEN}` };

interface UsageItem {
  start: string;
  protocol: string;
  acquisitions: number;
  keys: number;
  contentIds: number;
}

interface TotalsPage {
  items: { tenantId: string; acquisitions: number; keys: number; contentIds: number }[];
  cursor?: string;
}

/** Midnight UTC `days` days before today. */
function dayStart(days = 0): string {
  return new Date(Math.floor(Date.now() / DAY_MS) * DAY_MS - days * DAY_MS).toISOString();
}

async function usage(tenant: TestTenant, query: string): Promise<UsageItem[]> {
  const response = await api(tenant, "GET", `/api/Usage?${query}`);
  expect(response.status).toBe(200);
  const body = await response.json<{ items: UsageItem[] }>();
  expect(Object.keys(body)).toEqual(["items"]);
  return body.items;
}

function record(time: string, contentId: string | null, kids = 1, protocol = "speke-v2.0"): IssuanceRecord {
  const kidList = Array.from({ length: kids }, () => crypto.randomUUID());
  return { id: crypto.randomUUID(), time, protocol, contentId, kids: kidList, keySeedId: crypto.randomUUID(), credential: "c" };
}

/** Delivers records as the edge's group commit does (one `logs().append`); answers how many were new. */
async function deliver(tenant: TestTenant, records: readonly IssuanceRecord[]): Promise<number> {
  const appended = await tenantObject(env, tenant.tenantId).logs().append(records);
  if (!appended.ok) throw new Error(`append refused: ${appended.failure.reason}`);
  return appended.value.appended;
}

/** A Widevine CENC API request of the tenant, signed as Shaka Packager signs one, for a content id and tracks. */
async function widevineAcquisition(tenant: TestTenant, contentId: string, trackTypes: readonly string[]): Promise<number> {
  const created = await api(tenant, "POST", "/api/WidevineProtectionInfoCredentials", { ProviderName: `p-${crypto.randomUUID()}` });
  expect(created.status).toBe(201);
  const signer = await created.json<{ ProviderName: string; SigningKeyHex: string; SigningIvHex: string }>();
  const request = JSON.stringify({
    content_id: btoa(contentId),
    tracks: trackTypes.map((type) => ({ type })),
    drm_types: ["WIDEVINE"],
    protection_scheme: "CENC",
  });
  const signature = toBase64(await aesRequestSignature(utf8(request), fromHex(signer.SigningKeyHex)!, fromHex(signer.SigningIvHex)!));
  const response = await SELF.fetch(`${BASE}/api/WidevineProtectionInfo`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ request: toBase64(utf8(request)), signature, signer: signer.ProviderName }),
  });
  expect(response.status).toBe(200);
  const inner = JSON.parse(atob((await response.json<{ response: string }>()).response)) as { status: string; tracks: unknown[] };
  expect(inner.status).toBe("OK");
  return inner.tracks.length;
}

function speke(tenant: TestTenant, contentId: string): Promise<Response> {
  const request = VALID_SPEKE_V2.replace('contentId="content-1"', `contentId="${contentId}"`);
  return postCpix(tenant, "/api/SpekeV2", request, { "X-Speke-Version": "2.0" });
}

describe("GET /api/Usage counts what was issued", () => {
  it("counts SPEKE v2, plain CPIX and Widevine acquisitions per protocol: acquisitions, keys and distinct content ids", async () => {
    const tenant = await createTenant();
    const today = dayStart();
    for (const contentId of ["movie-1", "movie-1", "movie-2"]) expect((await speke(tenant, contentId)).status).toBe(200);
    expect((await postCpix(tenant, "/api/Cpix", VALID_SPEKE_V2)).status).toBe(200);
    const widevineKeys = await widevineAcquisition(tenant, "movie-1", ["SD", "AUDIO"]);
    expect(widevineKeys).toBe(2);
    expect(await usage(tenant, `from=${today}&to=${dayStart(-1)}`)).toEqual([
      { start: today, protocol: "cpix", acquisitions: 1, keys: 2, contentIds: 1 },
      { start: today, protocol: "speke-v2.0", acquisitions: 3, keys: 6, contentIds: 2 },
      { start: today, protocol: "widevine-cenc", acquisitions: 1, keys: widevineKeys, contentIds: 1 },
    ]);
  });

  it("answers hour and day buckets, ordered by start then protocol, a day's content ids distinct over its hours", async () => {
    const tenant = await createTenant();
    const day = Date.parse(dayStart(10));
    const at = (hours: number, minutes = 0) => new Date(day + hours * HOUR_MS + minutes * 60_000).toISOString();
    await deliver(tenant, [
      record(at(1, 5), "news", 2),
      record(at(1, 59), "sport", 1),
      record(at(2, 0), "news", 3),
      record(at(2, 30), "news", 1, "widevine-cenc"),
      record(at(2, 31), null, 4, "cpix"),
      record(at(25), "news", 1),
    ]);
    const from = new Date(day).toISOString();
    expect(await usage(tenant, `from=${from}&to=${at(48)}&interval=hour`)).toEqual([
      { start: at(1), protocol: "speke-v2.0", acquisitions: 2, keys: 3, contentIds: 2 },
      { start: at(2), protocol: "cpix", acquisitions: 1, keys: 4, contentIds: 0 },
      { start: at(2), protocol: "speke-v2.0", acquisitions: 1, keys: 3, contentIds: 1 },
      { start: at(2), protocol: "widevine-cenc", acquisitions: 1, keys: 1, contentIds: 1 },
      { start: at(25), protocol: "speke-v2.0", acquisitions: 1, keys: 1, contentIds: 1 },
    ]);
    // news in hours 1 and 2 is one content id of the day, not two.
    expect(await usage(tenant, `from=${from}&to=${at(48)}`)).toEqual([
      { start: from, protocol: "cpix", acquisitions: 1, keys: 4, contentIds: 0 },
      { start: from, protocol: "speke-v2.0", acquisitions: 3, keys: 6, contentIds: 2 },
      { start: from, protocol: "widevine-cenc", acquisitions: 1, keys: 1, contentIds: 1 },
      { start: at(24), protocol: "speke-v2.0", acquisitions: 1, keys: 1, contentIds: 1 },
    ]);
    // `to` is excluded and `from` included; an hour with nothing issued is left out.
    expect(await usage(tenant, `from=${at(2)}&to=${at(25)}&interval=hour`)).toHaveLength(3);
    expect(await usage(tenant, `from=${at(3)}&to=${at(25)}&interval=hour`)).toEqual([]);
  });

  it("counts an acquisition split into several records once, with all its keys", async () => {
    const tenant = await createTenant();
    const time = new Date(Date.parse(dayStart(3)) + 5 * HOUR_MS).toISOString();
    const kids = Array.from({ length: 2_500 }, () => crypto.randomUUID());
    const records = issuanceRecords({
      time,
      protocol: "speke-v2.0",
      contentId: "big",
      kids,
      keySeedId: crypto.randomUUID(),
      credential: "c",
    });
    expect(records).toHaveLength(3);
    expect(await deliver(tenant, records)).toBe(3);
    expect(await usage(tenant, `from=${dayStart(3)}&to=${dayStart(2)}`)).toEqual([
      { start: dayStart(3), protocol: "speke-v2.0", acquisitions: 1, keys: 2_500, contentIds: 1 },
    ]);
  });

  it("does not count a batch delivered twice again, nor its records already stored", async () => {
    const tenant = await createTenant();
    const time = new Date(Date.parse(dayStart(4)) + HOUR_MS).toISOString();
    const batch = [record(time, "a", 2), record(time, "b", 3)];
    expect(await deliver(tenant, batch)).toBe(2);
    expect(await deliver(tenant, batch)).toBe(0);
    // A later batch holding one record already stored adds only the new one.
    expect(await deliver(tenant, [batch[0]!, record(time, "a", 1)])).toBe(1);
    expect(await usage(tenant, `from=${dayStart(4)}&to=${dayStart(3)}`)).toEqual([
      { start: dayStart(4), protocol: "speke-v2.0", acquisitions: 3, keys: 6, contentIds: 2 },
    ]);
  });

  it("counts the new records of a batch whose stored record comes last, and a record repeated in one batch once", async () => {
    const tenant = await createTenant();
    const time = new Date(Date.parse(dayStart(8)) + HOUR_MS).toISOString();
    const stored = record(time, "stored", 2);
    expect(await deliver(tenant, [stored])).toBe(1);
    // The new records are tried first as a whole batch; the stored one refuses it, and they must not be lost with it.
    expect(await deliver(tenant, [record(time, "first", 3), record(time, "second", 4), stored])).toBe(2);
    const repeated = record(time, "repeated", 5);
    expect(await deliver(tenant, [repeated, repeated])).toBe(1);
    expect(await usage(tenant, `from=${dayStart(8)}&to=${dayStart(7)}`)).toEqual([
      { start: dayStart(8), protocol: "speke-v2.0", acquisitions: 4, keys: 14, contentIds: 4 },
    ]);
    const issuance = await (await api(tenant, "GET", "/api/Logs?category=100")).json<{ ContentId: string }[]>();
    expect(issuance.map((entry) => entry.ContentId).sort()).toEqual(["first", "repeated", "second", "stored"]);
  });

  it("counts a batch parked in KV once the object takes it back, and a parked copy of a delivered batch not again", async () => {
    const tenant = await createTenant();
    const time = new Date(Date.parse(dayStart(7)) + HOUR_MS).toISOString();
    const delivered = [record(time, "delivered", 2)];
    expect(await deliver(tenant, delivered)).toBe(1);
    // Both delivered and parked (an answer lost after the object stored it), and one only parked.
    await parkIssuance(env.SNAPSHOTS, tenant.tenantId, delivered, 90);
    await parkIssuance(env.SNAPSHOTS, tenant.tenantId, [record(time, "parked", 3)], 90);
    const range = `from=${dayStart(7)}&to=${dayStart(6)}`;
    expect(await usage(tenant, range)).toEqual([{ start: dayStart(7), protocol: "speke-v2.0", acquisitions: 2, keys: 5, contentIds: 2 }]);
    expect(await usage(tenant, range)).toEqual([{ start: dayStart(7), protocol: "speke-v2.0", acquisitions: 2, keys: 5, contentIds: 2 }]);
  });

  it("keeps usage when the log's retention prunes the records it was counted from", async () => {
    const tenant = await createTenant();
    const time = new Date(Date.parse(dayStart(5)) + HOUR_MS).toISOString();
    await deliver(tenant, [record(time, "old", 2)]);
    expect((await api(tenant, "PUT", "/api/Settings", { LogRetentionDays: 1 })).status).toBe(200);
    const issuance = await (await api(tenant, "GET", "/api/Logs?category=100")).json<unknown[]>();
    expect(issuance).toEqual([]);
    expect(await usage(tenant, `from=${dayStart(5)}&to=${dayStart(4)}`)).toEqual([
      { start: dayStart(5), protocol: "speke-v2.0", acquisitions: 1, keys: 2, contentIds: 1 },
    ]);
  });
});

describe("GET /api/Usage refuses a bad query with 400 naming the parameter, changing nothing", () => {
  const from = "2026-11-01T00:00:00Z";
  const cases: readonly [string, string][] = [
    [`to=2026-11-02T00:00:00Z`, "from is required: an ISO 8601 date and time with an offset, e.g. 2026-12-01T00:00:00Z"],
    [`from=${from}`, "to is required: an ISO 8601 date and time with an offset, e.g. 2026-12-01T00:00:00Z"],
    [`from=yesterday&to=2026-11-02T00:00:00Z`, "from must be an ISO 8601 date and time with an offset, e.g. 2026-12-01T00:00:00Z"],
    [`from=${from}&to=2026-11-02`, "to must be an ISO 8601 date and time with an offset, e.g. 2026-12-01T00:00:00Z"],
    [`from=${from}&to=2026-11-02T00:00:00Z&interval=week`, "interval must be hour or day"],
    [`from=${from}&to=2026-11-01T00:00:00Z`, "to must be after from"],
    [`from=2026-11-02T00:00:00Z&to=${from}`, "to must be after from"],
    [`from=2026-11-01T01:00:00Z&to=2026-11-02T00:00:00Z`, "from must be at midnight UTC when interval is day"],
    [`from=${from}&to=2026-11-02T00:00:00Z&interval=hour&to=2026-11-03T00:00:00Z`, "to may be given once"],
    [`from=2026-11-01T00:30:00Z&to=2026-11-02T00:00:00Z&interval=hour`, "from must be on a whole hour (UTC)"],
    [`from=${from}&to=2026-11-01T01:00:01Z&interval=hour`, "to must be on a whole hour (UTC)"],
    [`from=${from}&to=2026-12-02T01:00:00Z&interval=hour`, "to may be at most 31 days after from when interval is hour"],
    [`from=2025-11-01T00:00:00Z&to=2026-11-03T00:00:00Z`, "to may be at most 366 days after from"],
  ];

  /** One tenant with one record for every case: each proves the refusal left its usage as it was. */
  let shared: Promise<TestTenant> | undefined;
  const tenantWithUsage = () =>
    (shared ??= createTenant().then(async (tenant) => {
      await deliver(tenant, [record("2026-11-01T05:00:00.000Z", "x", 1)]);
      return tenant;
    }));

  it.each(cases)("?%s → %s", async (query, message) => {
    const tenant = await tenantWithUsage();
    const before = await usage(tenant, `from=${from}&to=2026-11-02T00:00:00Z&interval=hour`);
    const response = await api(tenant, "GET", `/api/Usage?${query}`);
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: message });
    expect(response.headers.get("X-AxDRM-ErrorMessage")).toBe(message);
    expect(await usage(tenant, `from=${from}&to=2026-11-02T00:00:00Z&interval=hour`)).toEqual(before);
    expect(before).toEqual([{ start: "2026-11-01T05:00:00.000Z", protocol: "speke-v2.0", acquisitions: 1, keys: 1, contentIds: 1 }]);
  });

  it("accepts the longest ranges and an instant with an offset on a whole UTC hour", async () => {
    const tenant = await createTenant();
    expect(await usage(tenant, `from=${from}&to=2026-12-02T00:00:00Z&interval=hour`)).toEqual([]);
    expect(await usage(tenant, `from=2025-11-01T00:00:00Z&to=2026-11-02T00:00:00Z`)).toEqual([]);
    expect(await usage(tenant, `from=${encodeURIComponent("2026-11-01T02:00:00+02:00")}&to=2026-11-02T00:00:00Z`)).toEqual([]);
  });
});

describe("GET /api/Usage access", () => {
  it("answers a manage credential and refuses an acquire-only one with 403, no credential with 401", async () => {
    const tenant = await createTenant();
    const query = `/api/Usage?from=${dayStart()}&to=${dayStart(-1)}`;
    const { as: acquirer } = await createCredential(tenant, { Name: "packager", Scopes: ["acquire"] });
    expect((await api(acquirer, "GET", query)).status).toBe(403);
    expect((await SELF.fetch(`${BASE}${query}`)).status).toBe(401);
    expect((await SELF.fetch(`${BASE}${query}`, { headers: OPERATOR })).status).toBe(401);
    const { as: manager } = await createCredential(tenant, { Name: "dashboard", Scopes: ["manage"] });
    expect((await api(manager, "GET", query)).status).toBe(200);
  });
});

describe("GET /admin/usage", () => {
  function operator(query: string, headers: Record<string, string> = OPERATOR): Promise<Response> {
    return SELF.fetch(`${BASE}/admin/usage?${query}`, { headers });
  }

  /** Every page of the totals, following the cursor. */
  async function everyTenantsTotals(range: string, limit: number): Promise<TotalsPage["items"]> {
    const items: TotalsPage["items"] = [];
    let cursor: string | undefined;
    do {
      const response = await operator(`${range}&limit=${limit}${cursor ? `&cursor=${cursor}` : ""}`);
      expect(response.status).toBe(200);
      const page = await response.json<TotalsPage>();
      expect(page.items.length).toBeLessThanOrEqual(limit);
      items.push(...page.items);
      cursor = page.cursor;
    } while (cursor !== undefined);
    return items;
  }

  it("answers each tenant's totals over the range, paged over the directory, a content id of two protocols counted once", async () => {
    const [first, second] = [await createTenant(), await createTenant()];
    const time = new Date(Date.parse(dayStart(6)) + 3 * HOUR_MS).toISOString();
    await deliver(first, [record(time, "movie", 2), record(time, "movie", 1, "widevine-cenc"), record(time, "trailer", 1)]);
    await deliver(second, [record(time, "movie", 5)]);
    // Outside the range: the day after.
    await deliver(second, [record(new Date(Date.parse(time) + DAY_MS).toISOString(), "movie", 7)]);
    const totals = await everyTenantsTotals(`from=${dayStart(6)}&to=${dayStart(5)}`, 1);
    const byTenant = new Map(totals.map((item) => [item.tenantId, item]));
    expect(byTenant.size).toBe(totals.length);
    expect(byTenant.get(first.tenantId)).toEqual({ tenantId: first.tenantId, acquisitions: 3, keys: 4, contentIds: 2 });
    expect(byTenant.get(second.tenantId)).toEqual({ tenantId: second.tenantId, acquisitions: 1, keys: 5, contentIds: 1 });
    const listed = await (await SELF.fetch(`${BASE}/admin/tenants?limit=100`, { headers: OPERATOR })).json<TotalsPage>();
    expect(totals.map((item) => item.tenantId)).toEqual(listed.items.map((item) => item.tenantId));
  });

  it("refuses a bad range or page with 400 naming the parameter, and a request without the operator token", async () => {
    const range = `from=${dayStart(1)}&to=${dayStart()}`;
    const refusals: readonly [string, string][] = [
      [`to=${dayStart()}`, "from is required: an ISO 8601 date and time with an offset, e.g. 2026-12-01T00:00:00Z"],
      [`from=${dayStart()}&to=${dayStart(1)}`, "to must be after from"],
      [`from=${dayStart(1).replace(":00:00", ":30:00")}&to=${dayStart()}`, "from must be on a whole hour (UTC)"],
      [`from=${dayStart(400)}&to=${dayStart()}`, "to may be at most 366 days after from"],
      [`${range}&limit=0`, "limit must be an integer from 1 to 100"],
      [`${range}&cursor=next`, "cursor must be the cursor of a previous page (a tenant id)"],
    ];
    for (const [query, message] of refusals) {
      const response = await operator(query);
      expect(response.status, query).toBe(400);
      expect(await response.json()).toEqual({ error: message });
    }
    expect((await operator(range, {})).status).toBe(401);
    const tenant = await createTenant();
    expect((await operator(range, { Authorization: tenant.authorization })).status).toBe(401);
  });
});
