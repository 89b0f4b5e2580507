import { describe, expect, it } from "vitest";
import { api, createTenant } from "./support/api";

const TOP_RULE = "$top must be an integer from 1 to 100";
const SKIP_RULE = "$skip must be an integer from 0 to 1000000";

describe.each(["/api/KeySeeds", "/api/Logs"])("paging of %s", (path) => {
  it.each(["$top=1", "$top=100", "$top=007", "$skip=0", "$skip=1000000", "$top=100&$skip=1000000"])(
    "accepts %s at the bounds with 200",
    async (query) => {
      const tenant = await createTenant();
      const response = await api(tenant, "GET", `${path}?${query}`);
      expect(response.status).toBe(200);
      expect(Array.isArray(await response.json())).toBe(true);
    },
  );

  it.each([
    ["$top=0", TOP_RULE],
    ["$top=101", TOP_RULE],
    ["$top=1.5", TOP_RULE],
    ["$top=abc", TOP_RULE],
    ["$top=", TOP_RULE],
    ["$top=-1", TOP_RULE],
    ["$top=1e2", TOP_RULE],
    ["$top=%2B5", TOP_RULE],
    ["$top=%205", TOP_RULE],
    ["$top=99999999999999999999", TOP_RULE],
    ["$skip=-1", SKIP_RULE],
    ["$skip=1000001", SKIP_RULE],
    ["$skip=99999999999999999999", SKIP_RULE],
    ["$skip=1.5", SKIP_RULE],
    ["$skip=abc", SKIP_RULE],
    ["$skip=", SKIP_RULE],
    ["$skip=0x10", SKIP_RULE],
  ])("refuses %s with 400 naming the parameter and its range", async (query, message) => {
    const tenant = await createTenant();
    const response = await api(tenant, "GET", `${path}?${query}`);
    expect(response.status).toBe(400);
    expect(response.headers.get("Content-Type")).toMatch(/^application\/json/);
    expect(await response.json()).toEqual({ error: message });
    expect(response.headers.get("X-AxDRM-ErrorMessage")).toBe(message);
  });

  it.each(["$top=1&$top=2", "$skip=0&$skip=0"])("refuses %s, a parameter given twice, with 400 naming it", async (query) => {
    const tenant = await createTenant();
    const response = await api(tenant, "GET", `${path}?${query}`);
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: `${query.split("=")[0]} may be given once` });
  });

  it("pages past the end of the list to an empty page", async () => {
    const tenant = await createTenant();
    const response = await api(tenant, "GET", `${path}?$skip=1000000`);
    expect(await response.json()).toEqual([]);
  });
});
