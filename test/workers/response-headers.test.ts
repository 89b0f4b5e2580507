import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { TEST_BINDINGS } from "../test-bindings";
import { BASE, api, createTenant } from "./support/api";
import { postCpix, tenantWithTestSeed } from "./support/tenant-with-seed";
import { VALID_SPEKE_V2 } from "./support/cpix-requests";

function expectNoStoreNoSniff(response: Response) {
  expect(response.headers.get("Cache-Control")).toBe("no-store");
  expect(response.headers.get("X-Content-Type-Options")).toBe("nosniff");
}

describe("responses carrying keys, seeds or secrets are never cached", () => {
  it("on tenant creation (the management key)", async () => {
    const response = await SELF.fetch(`${BASE}/admin/tenants`, {
      method: "POST",
      headers: { Authorization: `Bearer ${TEST_BINDINGS.ADMIN_TOKEN}`, "Content-Type": "application/json" },
      body: "{}",
    });
    expect(response.status).toBe(201);
    expectNoStoreNoSniff(response);
  });

  it("on Widevine signer creation (the signing key and IV)", async () => {
    const tenant = await createTenant();
    const response = await api(tenant, "POST", "/api/WidevineProtectionInfoCredentials", { ProviderName: `p-${crypto.randomUUID()}` });
    expect(response.status).toBe(201);
    expectNoStoreNoSniff(response);
  });

  it("on CPIX acquisition answers (content keys), POST and GET", async () => {
    const tenant = await tenantWithTestSeed();
    const posted = await postCpix(tenant, "/api/SpekeV2", VALID_SPEKE_V2, { "X-Speke-Version": "2.0" });
    expect(posted.status).toBe(200);
    expectNoStoreNoSniff(posted);
    const got = await api(tenant, "GET", "/api/Cpix/movie?drm=widevine");
    expect(got.status).toBe(200);
    expectNoStoreNoSniff(got);
  });

  it("on errors and on every other response", async () => {
    expectNoStoreNoSniff(await SELF.fetch(`${BASE}/api/KeySeeds`));
    expectNoStoreNoSniff(await SELF.fetch(`${BASE}/nowhere`));
    expect((await SELF.fetch(`${BASE}/healthz`)).headers.get("X-Content-Type-Options")).toBe("nosniff");
  });
});
