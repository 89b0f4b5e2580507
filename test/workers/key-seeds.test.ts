import { describe, expect, it } from "vitest";
import type { TenantSnapshot } from "../../src/tenancy/snapshot";
import { api, createTenant, randomBase64, type KeySeedJson, type TestTenant } from "./support/api";
import { readPublishedSnapshot } from "./support/kv-values";

async function listSeeds(tenant: TestTenant): Promise<KeySeedJson[]> {
  const response = await api(tenant, "GET", "/api/KeySeeds");
  expect(response.status).toBe(200);
  return response.json();
}

async function snapshotOf(tenant: TestTenant): Promise<TenantSnapshot> {
  return (await readPublishedSnapshot(tenant.tenantId))!;
}

describe("Key Seeds API", () => {
  it("creates a generated seed with the Axinom fields and never returns its value", async () => {
    const tenant = await createTenant();
    const id = crypto.randomUUID();
    const response = await api(tenant, "POST", "/api/KeySeeds", { Id: id, Name: "Second" });
    expect(response.status).toBe(201);
    const seed = await response.json<Record<string, unknown>>();
    expect(Object.keys(seed).sort()).toEqual(["Created", "Generated", "Id", "IsDefault", "MadeDefault", "Name", "Updated"]);
    expect(seed).toMatchObject({ Id: id, Name: "Second", Generated: true, IsDefault: false, MadeDefault: null });
    expect((await api(tenant, "GET", `/api/KeySeeds/${id}`)).status).toBe(200);
    expect((await api(tenant, "GET", `/api/KeySeeds/${id.toUpperCase()}`)).status).toBe(200);
  });

  it("imports seeds of exactly 30 bytes as not generated", async () => {
    const tenant = await createTenant();
    const id = crypto.randomUUID();
    const response = await api(tenant, "POST", "/api/Import/KeySeeds", [{ Id: id, Data: randomBase64(30) }, { Data: randomBase64(30) }]);
    expect(response.status).toBe(200);
    const imported = await response.json<KeySeedJson[]>();
    expect(imported).toHaveLength(2);
    expect(imported[0]).toMatchObject({ Id: id, Generated: false, IsDefault: false });
    expect(await listSeeds(tenant)).toHaveLength(3);
  });

  it("renames a seed and pages the list with $top and $skip", async () => {
    const tenant = await createTenant();
    for (let i = 0; i < 3; i++) await api(tenant, "POST", "/api/KeySeeds", { Name: `s${i}` });
    const renamed = await api(tenant, "PUT", `/api/KeySeeds/${tenant.keySeedId}`, { Name: "Renamed" });
    expect(await renamed.json()).toMatchObject({ Name: "Renamed", IsDefault: true });
    const page = await (await api(tenant, "GET", "/api/KeySeeds?$top=2&$skip=1")).json<KeySeedJson[]>();
    expect(page.map((seed) => seed.Name)).toEqual(["s0", "s1"]);
  });

  it("treats the seed last made default as default, else the oldest (Axinom rule)", async () => {
    const tenant = await createTenant();
    const a = await (await api(tenant, "POST", "/api/KeySeeds", { Name: "a" })).json<KeySeedJson>();
    const b = await (await api(tenant, "POST", "/api/KeySeeds", { Name: "b", IsDefault: true })).json<KeySeedJson>();
    expect(b.IsDefault).toBe(true);
    expect((await api(tenant, "PUT", `/api/KeySeeds/${a.Id}`, { IsDefault: true })).status).toBe(200);
    let defaults = (await listSeeds(tenant)).filter((seed) => seed.IsDefault);
    expect(defaults.map((seed) => seed.Id)).toEqual([a.Id]);
    expect((await snapshotOf(tenant)).defaultSeed).toEqual({ current: a.Id, next: null, effectiveAt: null });
    // Withdrawing a's mark: the previous one made default (b) is the default again.
    await api(tenant, "PUT", `/api/KeySeeds/${a.Id}`, { IsDefault: false });
    defaults = (await listSeeds(tenant)).filter((seed) => seed.IsDefault);
    expect(defaults.map((seed) => seed.Id)).toEqual([b.Id]);
    // Withdrawing b's too: nothing was made default, so the oldest (the tenant's first seed) is.
    await api(tenant, "PUT", `/api/KeySeeds/${b.Id}`, { IsDefault: false });
    expect((await listSeeds(tenant)).filter((seed) => seed.IsDefault).map((seed) => seed.Id)).toEqual([tenant.keySeedId]);
    expect((await snapshotOf(tenant)).defaultSeed.current).toBe(tenant.keySeedId);
  });

  it("refuses to delete the default seed with 409 and deletes any other", async () => {
    const tenant = await createTenant();
    const other = await (await api(tenant, "POST", "/api/KeySeeds", { Name: "other" })).json<KeySeedJson>();
    const refused = await api(tenant, "DELETE", `/api/KeySeeds/${tenant.keySeedId}`);
    expect(refused.status).toBe(409);
    expect(refused.headers.get("X-AxDRM-ErrorMessage")).toMatch(/default key seed/);
    expect((await api(tenant, "DELETE", `/api/KeySeeds/${other.Id}`)).status).toBe(204);
    expect((await api(tenant, "GET", `/api/KeySeeds/${other.Id}`)).status).toBe(404);
    expect(Object.keys((await snapshotOf(tenant)).seeds)).toEqual([tenant.keySeedId]);
  });

  it("ends 20 concurrent default switches in one consistent state", async () => {
    const tenant = await createTenant();
    const imported = await (
      await api(
        tenant,
        "POST",
        "/api/Import/KeySeeds",
        Array.from({ length: 20 }, () => ({ Data: randomBase64(30) })),
      )
    ).json<KeySeedJson[]>();
    const responses = await Promise.all(imported.map((seed) => api(tenant, "PUT", `/api/KeySeeds/${seed.Id}`, { IsDefault: true })));
    expect(responses.map((response) => response.status)).toEqual(Array(20).fill(200));
    const seeds = await listSeeds(tenant);
    const defaults = seeds.filter((seed) => seed.IsDefault);
    expect(defaults).toHaveLength(1);
    // The default is the seed made default last.
    const madeTimes = seeds.flatMap((seed) => (seed.MadeDefault === null ? [] : [seed.MadeDefault]));
    expect(new Set(madeTimes).size).toBe(20); // every switch applied, in a strict order
    expect(defaults[0]!.MadeDefault).toBe([...madeTimes].sort().at(-1));
    const snapshot = await snapshotOf(tenant);
    expect(snapshot.defaultSeed).toEqual({ current: defaults[0]!.Id, next: null, effectiveAt: null });
    const metadata = await (await import("./support/admin")).tenantMetadata(tenant.tenantId);
    expect(snapshot.version).toBe(metadata.snapshotVersion);
  });
});

describe("Key Seeds API input errors change nothing", () => {
  const cases: [string, string, string, unknown, number, RegExp][] = [
    ["malformed JSON", "POST", "/api/KeySeeds", "{Name:", 400, /Malformed JSON/],
    ["an empty body", "POST", "/api/KeySeeds", "", 400, /empty/],
    ["a JSON array for a seed", "POST", "/api/KeySeeds", [], 400, /JSON object/],
    ["a missing Name", "POST", "/api/KeySeeds", {}, 400, /Name is required/],
    ["a Name that is a number", "POST", "/api/KeySeeds", { Name: 5 }, 400, /Name must be a string/],
    ["IsDefault as a string", "POST", "/api/KeySeeds", { Name: "x", IsDefault: "yes" }, 400, /IsDefault must be true or false/],
    ["an Id that is not a UUID", "POST", "/api/KeySeeds", { Name: "x", Id: "seed-1" }, 400, /Id must be a UUID/],
    ["a duplicate Id", "POST", "/api/KeySeeds", { Name: "x", Id: "$FIRST" }, 409, /already exists/],
    ["a seed of 29 bytes", "POST", "/api/Import/KeySeeds", [{ Data: "$B29" }], 400, /exactly 30 bytes, got 29/],
    ["a seed of 32 bytes", "POST", "/api/Import/KeySeeds", [{ Data: "$B32" }], 400, /exactly 30 bytes, got 32/],
    ["Data that is not base64", "POST", "/api/Import/KeySeeds", [{ Data: "***" }], 400, /base64 of exactly 30 bytes/],
    ["an import whose second item is bad", "POST", "/api/Import/KeySeeds", [{ Data: "$B30" }, { Data: "$B29" }], 400, /Item 1/],
    [
      "an import repeating an Id",
      "POST",
      "/api/Import/KeySeeds",
      [
        { Id: "$ID", Data: "$B30" },
        { Id: "$ID", Data: "$B30" },
      ],
      400,
      /appears twice/,
    ],
    [
      "an import of an existing Id",
      "POST",
      "/api/Import/KeySeeds",
      [{ Data: "$B30" }, { Id: "$FIRST", Data: "$B30" }],
      409,
      /already exists/,
    ],
    ["an empty import", "POST", "/api/Import/KeySeeds", [], 400, /at least one/],
    ["an update of an unknown id", "PUT", "/api/KeySeeds/$ID", { Name: "x" }, 404, /No key seed/],
    ["an update with nothing to change", "PUT", "/api/KeySeeds/$FIRST", {}, 400, /Name and\/or IsDefault/],
    ["a delete of an unknown id", "DELETE", "/api/KeySeeds/$ID", undefined, 404, /No key seed/],
    ["a path id that is not a UUID", "GET", "/api/KeySeeds/abc", undefined, 400, /must be a UUID/],
    ["$top over 100", "GET", "/api/KeySeeds?$top=101", undefined, 400, /\$top/],
  ];

  it.each(cases)("answers %s with its status and names the problem", async (_case, method, path, body, status, message) => {
    const tenant = await createTenant();
    const fill = (text: string) =>
      text
        .replace("$FIRST", tenant.keySeedId)
        .replace(/\$ID/g, "7d6a3c1e-0000-4000-8000-000000000001")
        .replace("$B29", randomBase64(29))
        .replace("$B32", randomBase64(32))
        .replace(/\$B30/g, randomBase64(30));
    const payload = typeof body === "string" ? fill(body) : body === undefined ? undefined : JSON.parse(fill(JSON.stringify(body)));
    const before = await snapshotOf(tenant);
    const response = await api(tenant, method, fill(path), typeof body === "string" ? fill(body) : payload);
    expect(response.status).toBe(status);
    const error = await response.json<{ error: string }>();
    expect(error.error).toMatch(message);
    expect(response.headers.get("X-AxDRM-ErrorMessage")).toBe(error.error);
    expect(await snapshotOf(tenant)).toEqual(before);
    expect(await listSeeds(tenant)).toHaveLength(1);
  });

  it("answers a body over 1 MiB with 413", async () => {
    const tenant = await createTenant();
    const response = await api(tenant, "POST", "/api/Import/KeySeeds", "[" + " ".repeat(1024 * 1024) + "]");
    expect(response.status).toBe(413);
  });
});

describe("error messages carry no secret", () => {
  it("does not echo any part of a malformed JSON body", async () => {
    const tenant = await createTenant();
    const secretish = "q2+7w3q2+7w3q2+7w3q2+7w3q2+7w3q2+7w3q2+7w3";
    const response = await api(tenant, "POST", "/api/Import/KeySeeds", `[{"Data":${secretish}}]`);
    expect(response.status).toBe(400);
    const text = await response.text();
    expect(text).toMatch(/Malformed JSON/);
    expect(text).not.toContain(secretish.slice(0, 6));
    expect(response.headers.get("X-AxDRM-ErrorMessage")).not.toContain(secretish.slice(0, 6));
  });
});
