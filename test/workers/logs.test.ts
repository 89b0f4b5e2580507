import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { tenantObject } from "../../src/tenancy/tenant-client";
import type { IssuanceRecord } from "../../src/tenancy/tenant-types";
import { api, createTenant, type TestTenant } from "./support/api";
import { logs } from "./support/logs";

const DAY_MS = 86_400_000;

/** The tenant object as src/ calls it (faults mapped, each record target released after its call). */
function tenantStub(tenantId: string) {
  return tenantObject(env, tenantId);
}

function issuance(time: string, contentId: string, kids: string[] = [crypto.randomUUID()]): IssuanceRecord {
  return { id: crypto.randomUUID(), time, protocol: "speke-v2.0", contentId, kids, keySeedId: crypto.randomUUID(), credential: "c" };
}

/** A tenant with issuance records at fixed instants (delivered as the edge delivers them). */
async function tenantWithIssuance(records: readonly IssuanceRecord[]): Promise<TestTenant> {
  const tenant = await createTenant();
  const appended = await tenantStub(tenant.tenantId).logs().append(records);
  expect(appended).toEqual({ ok: true, value: { appended: records.length } });
  return tenant;
}

const contentIds = (entries: object[]) => entries.map((entry) => ("ContentId" in entry ? entry.ContentId : undefined));

/** An instant `days` days (and `ms` ms) before now: records must lie within the default 90-day retention. */
const daysAgo = (days: number, ms = 0) => new Date(Date.now() - days * DAY_MS - ms).toISOString();

describe("GET /api/Logs", () => {
  it("lists issuance and audit records together, newest first, each in its own shape", async () => {
    const now = Date.now();
    const tenant = await tenantWithIssuance([issuance(new Date(now - 2_000).toISOString(), "older")]);
    await api(tenant, "PUT", "/api/Settings", { WidevineProvider: "acme" });
    const entries = await logs(tenant);
    expect(entries.map((entry) => ("Action" in entry ? entry.Action : entry.ContentId))).toEqual([
      "UpdateSettings",
      "AddKeySeed",
      "AddCredential",
      "older",
    ]);
    expect(Object.keys(entries[0]!).sort()).toEqual(
      ["AuthenticationCredentialId", "Action", "Category", "Id", "ObjectId", "RequestPath", "Timestamp"].sort(),
    );
    expect(Object.keys(entries[3]!).sort()).toEqual(
      ["AuthenticationCredentialId", "Category", "ContentId", "Id", "KeyIds", "KeySeedId", "Protocol", "StoredKeyIds", "Timestamp"].sort(),
    );
    expect(entries[3]).toMatchObject({ Category: 100, Protocol: "speke-v2.0" });
  });

  it("filters by one or several categories", async () => {
    const tenant = await tenantWithIssuance([issuance(new Date().toISOString(), "a")]);
    expect(contentIds(await logs(tenant, "?category=100"))).toEqual(["a"]);
    expect((await logs(tenant, "?category=16")).map((entry) => entry.Category)).toEqual([16]);
    expect((await logs(tenant, "?category=101&category=100")).map((entry) => entry.Category).sort()).toEqual([100, 101]);
    expect(await logs(tenant, "?category=9")).toEqual([]);
  });

  it("filters by time range (both ends included), content id and KID, and combines filters", async () => {
    const kid = crypto.randomUUID();
    const [first, second, third, fourth] = [daysAgo(40), daysAgo(30), daysAgo(20), daysAgo(19)];
    const tenant = await tenantWithIssuance([
      issuance(first, "first", [kid]),
      issuance(second, "second", [crypto.randomUUID(), kid]),
      issuance(third, "third"),
      issuance(fourth, "second"),
    ]);
    const issued = "?category=100";
    expect(contentIds(await logs(tenant, `${issued}&from=${second}&to=${third}`))).toEqual(["third", "second"]);
    expect(contentIds(await logs(tenant, `${issued}&to=${encodeURIComponent(daysAgo(40, -1).replace("Z", "+00:00"))}`))).toEqual(["first"]);
    expect(contentIds(await logs(tenant, "?contentId=second"))).toEqual(["second", "second"]);
    expect(contentIds(await logs(tenant, `?kid=${kid.toUpperCase()}`))).toEqual(["second", "first"]);
    expect(contentIds(await logs(tenant, `?kid=${kid}&contentId=second`))).toEqual(["second"]);
    expect(contentIds(await logs(tenant, `?kid=${kid}&from=${daysAgo(35)}`))).toEqual(["second"]);
  });

  it("finds the audit records of one object by KID (the key or seed id it names)", async () => {
    const tenant = await createTenant();
    const entries = await logs(tenant, `?kid=${tenant.keySeedId}`);
    expect(entries).toMatchObject([{ Action: "AddKeySeed", ObjectId: tenant.keySeedId }]);
  });

  it("pages a filtered list with $top and $skip", async () => {
    const records = Array.from({ length: 7 }, (_, index) => issuance(daysAgo(10 - index), `c${index}`));
    const tenant = await tenantWithIssuance(records);
    expect(contentIds(await logs(tenant, "?category=100&$top=3"))).toEqual(["c6", "c5", "c4"]);
    expect(contentIds(await logs(tenant, "?category=100&$top=3&$skip=3"))).toEqual(["c3", "c2", "c1"]);
    expect(contentIds(await logs(tenant, "?category=100&$top=3&$skip=6"))).toEqual(["c0"]);
    expect(await logs(tenant, "?category=100&$skip=1000000")).toEqual([]);
  });

  it.each([
    ["an unknown category", "?category=7", /^category must be one of 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 100, 101/],
    ["a category that is no number", "?category=issuance", /^category must be one of/],
    ["from that is not a date and time", "?from=yesterday", /^from must be an ISO 8601 date and time with an offset/],
    ["to without an offset", "?to=2026-01-01T00:00:00", /^to must be an ISO 8601 date and time with an offset/],
    ["from after to", "?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z", /^from must not be after to$/],
    ["a KID that is not a UUID", "?kid=zzz", /^kid must be a UUID/],
    ["contentId twice", "?contentId=a&contentId=b", /^contentId may be given once$/],
    ["$top 0", "?$top=0", /^\$top must be an integer from 1 to 100$/],
    ["$top 101", "?$top=101", /^\$top must be an integer from 1 to 100$/],
    ["$skip past 1,000,000", "?$skip=1000001", /^\$skip must be an integer from 0 to 1000000$/],
    ["a negative $skip", "?$skip=-1", /^\$skip must be an integer from 0 to 1000000$/],
  ])("refuses %s with 400 naming the parameter", async (_case, query, message) => {
    const tenant = await createTenant();
    const response = await api(tenant, "GET", `/api/Logs${query}`);
    expect(response.status).toBe(400);
    expect((await response.json<{ error: string }>()).error).toMatch(message);
  });
});

describe("log retention", () => {
  it("defaults to 90 days and takes LogRetentionDays from 1 to 3650 in /api/Settings", async () => {
    const tenant = await createTenant();
    expect(await (await api(tenant, "GET", "/api/Settings")).json()).toMatchObject({ LogRetentionDays: 90 });
    expect(await (await api(tenant, "PUT", "/api/Settings", { LogRetentionDays: 3650 })).json()).toMatchObject({ LogRetentionDays: 3650 });
    expect(await (await api(tenant, "PUT", "/api/Settings", { LogRetentionDays: 1 })).json()).toMatchObject({ LogRetentionDays: 1 });
    for (const refused of [0, 3651, 1.5, "30", -1]) {
      const response = await api(tenant, "PUT", "/api/Settings", { LogRetentionDays: refused });
      expect(response.status).toBe(400);
      expect((await response.json<{ error: string }>()).error).toBe("LogRetentionDays must be a whole number of days from 1 to 3650");
    }
    expect(await (await api(tenant, "GET", "/api/Settings")).json()).toMatchObject({ LogRetentionDays: 1 });
  });

  it("prunes records older than the retention, judged at the object's clock", async () => {
    const now = Date.parse("2027-06-01T00:00:00.000Z");
    const at = (daysAgo: number) => new Date(now - daysAgo * DAY_MS).toISOString();
    const tenant = await tenantWithIssuance([issuance(at(100), "100 days"), issuance(at(40), "40 days"), issuance(at(1), "1 day")]);
    const stub = tenantStub(tenant.tenantId);
    const listAt = async (instant: number) => {
      const page = await stub.logs().list({ categories: [100] }, { top: 100, skip: 0 }, new Date(instant));
      if (!page.ok) throw new Error(page.failure.reason);
      return page.value.map((entry) => (entry.kind === "issuance" ? entry.contentId : entry.action));
    };
    const rows = () =>
      runInDurableObject(
        env.TENANTS.get(env.TENANTS.idFromName(tenant.tenantId)),
        (_instance, state) => state.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM issuance_log").one().n,
      );

    // Default 90 days: the record of 100 days ago goes, and is gone from storage too.
    expect(await listAt(now)).toEqual(["1 day", "40 days"]);
    expect(await rows()).toBe(2);
    // A shorter retention applies at once.
    expect((await api(tenant, "PUT", "/api/Settings", { LogRetentionDays: 30 })).status).toBe(200);
    expect(await listAt(now)).toEqual(["1 day"]);
    // The clock moves on: the last record ages out too.
    expect(await listAt(now + 30 * DAY_MS)).toEqual([]);
    expect(await rows()).toBe(0);
  });

  it("prunes audit records alike, and keeps the ones still within the retention", async () => {
    const tenant = await createTenant();
    const stub = tenantStub(tenant.tenantId);
    const audited = async (instant: number) => {
      const page = await stub.logs().list({}, { top: 100, skip: 0 }, new Date(instant));
      return page.ok ? page.value.length : -1;
    };
    expect(await audited(Date.now() + 89 * DAY_MS)).toBe(2);
    expect(await audited(Date.now() + 91 * DAY_MS)).toBe(0);
  });
});
