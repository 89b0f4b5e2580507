import { SELF } from "cloudflare:test";
import * as v from "valibot";
import { describe, expect, it } from "vitest";
import { routeDocs } from "../../src/openapi/document";
import { responseShapes } from "../../src/openapi/response-shapes";
import { TEST_BINDINGS } from "../test-bindings";
import { BASE, api, createTenant } from "./support/api";

/** The shape the route table documents for a route's answer in one status (a valibot schema). */
function documentedShape(method: string, path: string, status: number): v.GenericSchema {
  const route = routeDocs().find((doc) => doc.method === method && doc.path === path);
  const response = route?.responses[status];
  if (response?.kind !== "json") throw new Error(`${method} ${path} documents no JSON answer for ${status}`);
  return response.schema;
}

/** Checks a real answer against its documented shape: the documented responses are strict, so an undocumented field fails too. */
async function expectDocumented(response: Response, method: string, path: string): Promise<void> {
  const body = await response.json();
  const result = v.safeParse(documentedShape(method, path, response.status), body);
  expect(result.issues?.map((issue) => `${v.getDotPath(issue)}: ${issue.message}`) ?? []).toEqual([]);
}

const admin = { Authorization: `Bearer ${TEST_BINDINGS.ADMIN_TOKEN}`, "Content-Type": "application/json" };

describe("real answers match the shapes the OpenAPI document gives them", () => {
  it("Operator API: a new tenant, its metadata, an operator-issued credential", async () => {
    const created = await SELF.fetch(`${BASE}/admin/tenants`, { method: "POST", headers: admin, body: "{}" });
    const tenant = await created.clone().json<{ tenantId: string }>();
    await expectDocumented(created, "post", "/admin/tenants");
    await expectDocumented(await SELF.fetch(`${BASE}/admin/tenants/${tenant.tenantId}`, { headers: admin }), "get", "/admin/tenants/{id}");
    const issued = await SELF.fetch(`${BASE}/admin/tenants/${tenant.tenantId}/credentials`, { method: "POST", headers: admin, body: "" });
    await expectDocumented(issued, "post", "/admin/tenants/{id}/credentials");
    await expectDocumented(await SELF.fetch(`${BASE}/admin/health`, { headers: admin }), "get", "/admin/health");
  });

  it("Management API: seeds, settings, credentials, signed URLs and the log", async () => {
    const tenant = await createTenant();
    await expectDocumented(await api(tenant, "POST", "/api/KeySeeds", { Name: "second", IsDefault: true }), "post", "/api/KeySeeds");
    await expectDocumented(await api(tenant, "GET", "/api/KeySeeds"), "get", "/api/KeySeeds");
    await expectDocumented(await api(tenant, "GET", `/api/KeySeeds/${tenant.keySeedId}`), "get", "/api/KeySeeds/{id}");
    await expectDocumented(await api(tenant, "PUT", "/api/Settings", { WidevineProvider: "acme" }), "put", "/api/Settings");
    await expectDocumented(await api(tenant, "GET", "/api/Settings"), "get", "/api/Settings");
    await expectDocumented(await api(tenant, "GET", "/api/HarmonicConfiguration"), "get", "/api/HarmonicConfiguration");
    await expectDocumented(await api(tenant, "POST", "/api/Credentials", { Name: "ci", Scopes: ["acquire"] }), "post", "/api/Credentials");
    await expectDocumented(await api(tenant, "GET", "/api/Credentials"), "get", "/api/Credentials");
    const signer = await api(tenant, "POST", "/api/WidevineProtectionInfoCredentials", {
      ProviderName: `p${crypto.randomUUID().slice(0, 8)}`,
    });
    await expectDocumented(signer, "post", "/api/WidevineProtectionInfoCredentials");
    await expectDocumented(
      await api(tenant, "GET", "/api/WidevineProtectionInfoCredentials"),
      "get",
      "/api/WidevineProtectionInfoCredentials",
    );
    const url = await api(tenant, "POST", "/api/CpixUrls", { ContentId: "movie", ExpiresAt: new Date(Date.now() + 60_000).toISOString() });
    await expectDocumented(url, "post", "/api/CpixUrls");
    await expectDocumented(await api(tenant, "GET", "/api/Logs"), "get", "/api/Logs");
    await expectDocumented(await SELF.fetch(`${BASE}/`), "get", "/");
  });

  it("an error answer has the documented error shape, its message also in X-AxDRM-ErrorMessage", async () => {
    const tenant = await createTenant();
    const refused = await api(tenant, "POST", "/api/KeySeeds", {});
    expect(refused.status).toBe(400);
    const body = await refused.json();
    expect(v.safeParse(responseShapes().error, body).success).toBe(true);
    expect(refused.headers.get("X-AxDRM-ErrorMessage")).toBe((body as { error: string }).error);
  });
});
