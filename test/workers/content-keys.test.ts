import { describe, expect, it } from "vitest";
import { api, createTenant, type TestTenant } from "./support/api";
import { encodeQuery, type ContentKeyJson } from "./support/content-keys";
import { auditEntries } from "./support/logs";

async function create(tenant: TestTenant, body: Record<string, unknown>): Promise<ContentKeyJson> {
  const response = await api(tenant, "POST", "/api/ContentKeys", body);
  expect(response.status).toBe(201);
  return response.json();
}

async function list(tenant: TestTenant, query = ""): Promise<ContentKeyJson[]> {
  const response = await api(tenant, "GET", `/api/ContentKeys${encodeQuery(query)}`);
  expect(response.status).toBe(200);
  return response.json();
}

async function listError(tenant: TestTenant, query: string): Promise<string | null> {
  const response = await api(tenant, "GET", `/api/ContentKeys${encodeQuery(query)}`);
  expect(response.status).toBe(400);
  return response.headers.get("X-AxDRM-ErrorMessage");
}

describe("Content Keys API", () => {
  it("creates a random key with Axinom's fields (CreationMethod 0) and never shows a value", async () => {
    const tenant = await createTenant();
    const id = crypto.randomUUID();
    const key = await create(tenant, { Id: id.toUpperCase(), Name: "movie-1 video" });
    expect(Object.keys(key).sort()).toEqual(["Created", "CreationMethod", "Id", "Name", "Updated"]);
    expect(key).toMatchObject({ Id: id, Name: "movie-1 video", CreationMethod: 0 });
    expect(key.Created).toBe(key.Updated);
    expect(await (await api(tenant, "GET", `/api/ContentKeys/${id}`)).json()).toEqual(key);
    expect(await list(tenant)).toEqual([key]);
  });

  it("generates the Id when none is given, and creates a KeySeed-derived key with CreationMethod 1", async () => {
    const tenant = await createTenant();
    const key = await create(tenant, { Name: "derived", KeySeedId: tenant.keySeedId });
    expect(key.Id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(key.CreationMethod).toBe(1);
  });

  it("renames a key (Updated moves, Created stays) and deletes it (204, then 404)", async () => {
    const tenant = await createTenant();
    const key = await create(tenant, { Name: "before" });
    await new Promise((resolve) => setTimeout(resolve, 5));
    const renamed = await api(tenant, "PUT", `/api/ContentKeys/${key.Id}`, { Name: "after" });
    expect(renamed.status).toBe(200);
    const after = await renamed.json<ContentKeyJson>();
    expect(after).toMatchObject({ Id: key.Id, Name: "after", Created: key.Created, CreationMethod: 0 });
    expect(after.Updated > key.Updated).toBe(true);
    expect((await api(tenant, "DELETE", `/api/ContentKeys/${key.Id}`)).status).toBe(204);
    const gone = await api(tenant, "GET", `/api/ContentKeys/${key.Id}`);
    expect(gone.status).toBe(404);
    expect(gone.headers.get("X-AxDRM-ErrorMessage")).toBe(`No content key with Id ${key.Id}`);
    expect((await api(tenant, "DELETE", `/api/ContentKeys/${key.Id}`)).status).toBe(404);
    expect((await api(tenant, "PUT", `/api/ContentKeys/${key.Id}`, { Name: "x" })).status).toBe(404);
  });

  it("answers 409 for an Id the tenant already stores, and for a deleted Id until no location can hold its old value", async () => {
    const tenant = await createTenant();
    const key = await create(tenant, { Name: "one" });
    const again = await api(tenant, "POST", "/api/ContentKeys", { Id: key.Id, Name: "two" });
    expect(again.status).toBe(409);
    expect(again.headers.get("X-AxDRM-ErrorMessage")).toBe(`A content key with Id ${key.Id} already exists`);
    expect((await api(tenant, "DELETE", `/api/ContentKeys/${key.Id}`)).status).toBe(204);
    const reused = await api(tenant, "POST", "/api/ContentKeys", { Id: key.Id, Name: "three" });
    expect(reused.status).toBe(409);
    expect(reused.headers.get("X-AxDRM-ErrorMessage")).toMatch(
      new RegExp(`^Content key ${key.Id} was deleted recently .* stored again from \\d{4}-\\d{2}-\\d{2}T`),
    );
  });

  it.each([
    [{}, "Name is required (1 to 256 characters)"],
    [{ Name: "" }, "Name is required (1 to 256 characters)"],
    [{ Name: "x".repeat(257) }, "Name must be at most 256 characters, got 257"],
    [{ Name: "n", Id: "not-a-uuid" }, "Id must be a UUID such as 40531d9f-806b-4bd6-bb2b-977ce3a78890"],
    [{ Name: "n", KeySeedId: 5 }, "KeySeedId must be a UUID string"],
  ])("refuses the body %j with 400 naming the rule, and stores nothing", async (body, message) => {
    const tenant = await createTenant();
    const response = await api(tenant, "POST", "/api/ContentKeys", body);
    expect(response.status).toBe(400);
    expect(response.headers.get("X-AxDRM-ErrorMessage")).toBe(message);
    expect(await list(tenant)).toEqual([]);
  });

  it("refuses a KeySeedId the tenant does not hold with 400 naming it", async () => {
    const tenant = await createTenant();
    const seedId = crypto.randomUUID();
    const response = await api(tenant, "POST", "/api/ContentKeys", { Name: "n", KeySeedId: seedId });
    expect(response.status).toBe(400);
    expect(response.headers.get("X-AxDRM-ErrorMessage")).toBe(`KeySeedId ${seedId} names no key seed of this tenant`);
    expect(await list(tenant)).toEqual([]);
  });

  it("refuses a bad Id in the path, and a rename without a Name", async () => {
    const tenant = await createTenant();
    expect((await api(tenant, "GET", "/api/ContentKeys/nope")).status).toBe(400);
    const key = await create(tenant, { Name: "n" });
    const response = await api(tenant, "PUT", `/api/ContentKeys/${key.Id}`, { Name: " " });
    expect(response.status).toBe(400);
    expect(response.headers.get("X-AxDRM-ErrorMessage")).toBe("Name is required (1 to 256 characters)");
  });

  it("writes AddContentKey, UpdateContentKey and DeleteContentKey audit records (categories 11-13) naming the key", async () => {
    const tenant = await createTenant();
    const key = await create(tenant, { Name: "audited" });
    await api(tenant, "PUT", `/api/ContentKeys/${key.Id}`, { Name: "renamed" });
    await api(tenant, "DELETE", `/api/ContentKeys/${key.Id}`);
    const records = (await auditEntries(tenant)).filter((record) => record.ObjectId === key.Id);
    expect(records.map((record) => [record.Category, record.Action, record.RequestPath]).reverse()).toEqual([
      [11, "AddContentKey", "/api/ContentKeys"],
      [12, "UpdateContentKey", `/api/ContentKeys/${key.Id}`],
      [13, "DeleteContentKey", `/api/ContentKeys/${key.Id}`],
    ]);
  });
});

describe("Content Keys list: paging, $filter and $orderby", () => {
  async function tenantWithKeys(): Promise<{ tenant: TestTenant; keys: ContentKeyJson[] }> {
    const tenant = await createTenant();
    const keys: ContentKeyJson[] = [];
    for (const [name, seeded] of [
      ["movie-b", false],
      ["movie-a", true],
      ["trailer", false],
      ["Movie-c", true],
      ["it's", false],
    ] as const) {
      keys.push(await create(tenant, { Name: name, ...(seeded && { KeySeedId: tenant.keySeedId }) }));
      await new Promise((resolve) => setTimeout(resolve, 3));
    }
    return { tenant, keys };
  }
  const names = (keys: ContentKeyJson[]) => keys.map((key) => key.Name);

  it("lists in creation order, paged by $top and $skip, at most 100", async () => {
    const { tenant, keys } = await tenantWithKeys();
    expect(await list(tenant)).toEqual(keys);
    expect(names(await list(tenant, "?$top=2&$skip=1"))).toEqual(["movie-a", "trailer"]);
    expect(await list(tenant, "?$skip=5")).toEqual([]);
    expect(await listError(tenant, "?$top=101")).toBe("$top must be an integer from 1 to 100");
    expect(await listError(tenant, "?$top=0")).toBe("$top must be an integer from 1 to 100");
    expect(await listError(tenant, "?$skip=-1")).toBe("$skip must be an integer from 0 to 1000000");
  });

  it("filters by Name, CreationMethod and Created, joined by and", async () => {
    const { tenant, keys } = await tenantWithKeys();
    expect(names(await list(tenant, "?$filter=Name eq 'trailer'"))).toEqual(["trailer"]);
    expect(names(await list(tenant, "?$filter=Name eq 'it''s'"))).toEqual(["it's"]);
    expect(names(await list(tenant, "?$filter=CreationMethod eq 1"))).toEqual(["movie-a", "Movie-c"]);
    expect(names(await list(tenant, "?$filter=CreationMethod ne 1 and Name ne 'trailer'"))).toEqual(["movie-b", "it's"]);
    expect(names(await list(tenant, `?$filter=Created gt ${keys[2]!.Created}`))).toEqual(["Movie-c", "it's"]);
    expect(names(await list(tenant, `?$filter=Created ge ${keys[2]!.Created} and Created lt ${keys[4]!.Created}`))).toEqual([
      "trailer",
      "Movie-c",
    ]);
    expect(names(await list(tenant, `?$filter=Created le '${keys[0]!.Created}'`))).toEqual(["movie-b"]);
    expect(names(await list(tenant, "?$filter=Name gt 'n'"))).toEqual(["trailer"]);
  });

  it("takes contains and startswith on Name, case-sensitive as OData's", async () => {
    const { tenant } = await tenantWithKeys();
    expect(names(await list(tenant, "?$filter=startswith(Name,'movie')"))).toEqual(["movie-b", "movie-a"]);
    expect(names(await list(tenant, "?$filter=contains(Name, 'ovie-') and CreationMethod eq 1"))).toEqual(["movie-a", "Movie-c"]);
    expect(names(await list(tenant, "?$filter=contains(Name,'%')"))).toEqual([]);
  });

  it("orders by Name, Created or CreationMethod, asc or desc, and pages the ordered list", async () => {
    const { tenant } = await tenantWithKeys();
    expect(names(await list(tenant, "?$orderby=Name"))).toEqual(["Movie-c", "it's", "movie-a", "movie-b", "trailer"]);
    expect(names(await list(tenant, "?$orderby=Name desc&$top=2"))).toEqual(["trailer", "movie-b"]);
    expect(names(await list(tenant, "?$orderby=Created desc&$skip=3"))).toEqual(["movie-a", "movie-b"]);
    expect(names(await list(tenant, "?$orderby=CreationMethod desc, Name asc"))).toEqual([
      "Movie-c",
      "movie-a",
      "it's",
      "movie-b",
      "trailer",
    ]);
  });

  it.each([
    ["$filter=Name eq 'a' or Name eq 'b'", /^\$filter: "or" is not supported here; supported: Name, Created and CreationMethod/],
    ["$filter=(Name eq 'a')", /^\$filter: "\(" is not supported; supported:/],
    ["$filter=not Name eq 'a'", /^\$filter: "not" is not supported; supported:/],
    ["$filter=Updated gt 2026-01-01T00:00:00Z", /^\$filter: "Updated" is not supported; supported:/],
    ["$filter=Name like 'a'", /^\$filter: the operator "like" is not supported; supported:/],
    ["$filter=endswith(Name,'a')", /^\$filter: "endswith" is not supported; supported:/],
    ["$filter=contains(Created,'2026')", /^\$filter: contains is supported on Name only, got "Created"$/],
    ["$filter=Name eq 5", /^\$filter: Name is compared with a quoted string such as 'movie', got "5"$/],
    ["$filter=Name eq 'open", /^\$filter: a string is not closed/],
    ["$filter=CreationMethod eq 3", /^\$filter: CreationMethod is compared with 0 \(Random\), 1 \(KeySeed\) or 2 \(Import\), got "3"$/],
    ["$filter=Created gt yesterday", /^\$filter: Created is compared with a date and time with an offset/],
    ["$filter=Name eq 'a' and", /^\$filter: ends after "and"/],
    ["$filter=Name eq", /^\$filter: Name eq needs a value$/],
    ["$filter=", /^\$filter: is empty;/],
    [`$filter=(9 conditions)`, /^\$filter: at most 8 conditions$/],
    [`$filter=(1,110 characters)`, /^\$filter: must be at most 1024 characters, got 1110$/],
    ["$orderby=Updated", /^\$orderby: "Updated" is not supported; order by Name, Created or CreationMethod$/],
    ["$orderby=Name up", /^\$orderby: Name may be followed by asc or desc only$/],
    ["$orderby=Name, Name desc", /^\$orderby: Name is named twice$/],
    ["$select=Name", /^\$select is not supported; use \$top, \$skip, \$filter and \$orderby$/],
  ])("refuses ?%s with 400 naming what is not supported", async (query, message) => {
    const tenant = await createTenant();
    const long = {
      "$filter=(9 conditions)": `$filter=${Array.from({ length: 9 }, () => "Name ne 'x'").join(" and ")}`,
      "$filter=(1,110 characters)": `$filter=Name eq '${"x".repeat(1100)}'`,
    }[query];
    expect(await listError(tenant, `?${long ?? query}`)).toMatch(message);
  });
});
