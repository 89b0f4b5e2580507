import { SELF, env } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { AccessWithdrawn, recheckAcquisitionAccess } from "../../src/http/access-recheck";
import { LoadedTenant } from "../../src/tenancy/loaded-tenant";
import { TEST_BINDINGS } from "../test-bindings";
import { signedWidevineRequest } from "./support/widevine-requests";
import { BASE, api, type TestTenant } from "./support/api";
import { tenantWithTestSeed } from "./support/tenant-with-seed";

/**
 * The access re-check an acquisition gets as it is recorded (src/http/access-recheck.ts): judged by the kind of access
 * authentication decided on, and answered in the protocol's own shape when it fails.
 */

const KID = "339c45b5-fb6d-4bd9-994c-eabd9d41c95b";

afterEach(() => {
  vi.restoreAllMocks();
});

function setSuspended(tenant: TestTenant, suspended: boolean): Promise<Response> {
  return SELF.fetch(`${BASE}/admin/tenants/${tenant.tenantId}`, {
    method: "PUT",
    headers: { Authorization: `Bearer ${TEST_BINDINGS.ADMIN_TOKEN}`, "Content-Type": "application/json" },
    body: JSON.stringify({ suspended }),
  });
}

/** The ids `currentScopes` is asked about for `tenant` while `run` runs: the re-check of a Basic credential asks it. */
async function credentialsLookedUp(tenant: TestTenant, run: () => Promise<void>): Promise<string[]> {
  const asked: string[] = [];
  const currentScopes = LoadedTenant.prototype.currentScopes;
  const spy = vi.spyOn(LoadedTenant.prototype, "currentScopes").mockImplementation(function (this: LoadedTenant, id, now) {
    if (this.tenantId === tenant.tenantId) asked.push(id);
    return currentScopes.call(this, id, now);
  });
  await run().finally(() => spy.mockRestore());
  return asked;
}

describe("a Widevine CENC API acquisition whose tenant is suspended in flight", () => {
  it("answers ACCESS_DENIED Tenant suspended, as a suspended tenant's signer is answered, and records nothing", async () => {
    const tenant = await tenantWithTestSeed();
    const widevine = await signedWidevineRequest(tenant, KID);
    // Hold the request once its signer is resolved and its tenant found serving (the seed is loaded after that check).
    let reached = false;
    let released = false;
    const seed = LoadedTenant.prototype.seed;
    vi.spyOn(LoadedTenant.prototype, "seed").mockImplementation(function (this: LoadedTenant, seedId) {
      if (this.tenantId !== tenant.tenantId || reached) return seed.call(this, seedId);
      reached = true;
      // Flags polled, not promises shared: the Worker's request may not settle a promise of the test's.
      return (async () => {
        while (!released) await new Promise((resolve) => setTimeout(resolve, 5));
        return seed.call(this, seedId)!;
      })();
    });
    const answer = widevine();
    while (!reached) await new Promise((resolve) => setTimeout(resolve, 5));
    expect((await setSuspended(tenant, true)).status).toBe(200);
    released = true;

    expect(await answer).toEqual({ status: "ACCESS_DENIED", status_message: "Tenant suspended" });
    expect((await setSuspended(tenant, false)).status).toBe(200);
    const issuance = await api(tenant, "GET", "/api/Logs?category=100");
    expect(issuance.status).toBe(200);
    expect(await issuance.json()).toEqual([]);
  });
});

describe("the re-check follows the kind of access authentication decided on", () => {
  it("re-checks a signed-URL acquisition as a signed URL and a Basic one as the credential that authenticated it", async () => {
    const tenant = await tenantWithTestSeed();
    const expiresAt = new Date(Date.now() + 3600_000).toISOString();
    const minted = await api(tenant, "POST", "/api/CpixUrls", { ContentId: "movie", Query: `kid=${KID}`, ExpiresAt: expiresAt });
    expect(minted.status).toBe(201);
    const { Url: url } = await minted.json<{ Url: string }>();

    const bySignedUrl = await credentialsLookedUp(tenant, async () => expect((await SELF.fetch(url)).status).toBe(200));
    expect(bySignedUrl).toEqual([]);
    const byBasic = await credentialsLookedUp(tenant, async () =>
      expect((await api(tenant, "GET", `/api/Cpix/movie?kid=${KID}`)).status).toBe(200),
    );
    expect(byBasic).toHaveLength(1);
  });

  it("refuses a string that is no current credential when authentication said credential, whatever its shape", async () => {
    const tenant = await tenantWithTestSeed();
    const recheck = (kind: "credential" | "signed-url" | "widevine-signer", credential: string) =>
      recheckAcquisitionAccess(env, () => {}, tenant.tenantId, kind, credential, new Date());
    await expect(recheck("credential", "signed-url 6b0e1b52")).rejects.toEqual(new AccessWithdrawn("credential-not-current"));
    await expect(recheck("credential", "widevine:p-1")).rejects.toEqual(new AccessWithdrawn("credential-not-current"));
    // A signed URL and a Widevine signer are judged by their own checks, even with a credential-shaped name.
    await expect(recheck("signed-url", crypto.randomUUID())).resolves.toBeUndefined();
    await expect(recheck("widevine-signer", crypto.randomUUID())).resolves.toBeUndefined();
  });
});
