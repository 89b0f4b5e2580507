import { SELF } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { utf8 } from "../../src/domain/bytes";
import { LoadedTenant } from "../../src/tenancy/loaded-tenant";
import { TEST_BINDINGS } from "../test-bindings";
import { BASE, api, createTenant, type TestTenant } from "./support/api";
import { createCredential } from "./support/credentials";
import { VALID_SPEKE_V2 } from "./support/cpix-requests";
import { tenantWithTestSeed } from "./support/tenant-with-seed";

/**
 * Attack: authenticate with the headers, then hold the body back. Management routes read their body after tenantAuth
 * has let the request in, and a Worker request has no wall-clock limit while its client keeps the connection, so a
 * body sent minutes later used to act with the credential and tenant state of the moment the headers arrived: a
 * suspended tenant (issue 28), a revoked credential or an expired one still changed records and exported seeds.
 */

const PASSWORD = "correct horse battery staple";

afterEach(() => {
  vi.restoreAllMocks();
});

/** A request whose headers go now and whose body goes when `send` is called (JSON unless `contentType` says otherwise). */
function heldBackRequest(tenant: TestTenant, method: string, path: string, headers: Record<string, string> = {}) {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const body = new ReadableStream<Uint8Array>({ start: (c) => void (controller = c) });
  // Set once tenantAuth has checked this request's credential (with the state of that moment). A flag the test polls,
  // not a promise: the Worker's request may not settle a promise of the test's (workerd's cross-request I/O rule).
  let authenticatedAs: boolean | undefined;
  const authenticate = LoadedTenant.prototype.authenticate;
  vi.spyOn(LoadedTenant.prototype, "authenticate").mockImplementationOnce(async function (this: LoadedTenant, secret, now) {
    const credential = await authenticate.call(this, secret, now);
    authenticatedAs = credential !== undefined;
    return credential;
  });
  const authenticated = (async () => {
    while (authenticatedAs === undefined) await new Promise((resolve) => setTimeout(resolve, 5));
    return authenticatedAs;
  })();
  const response = SELF.fetch(`${BASE}${path}`, {
    method,
    headers: { Authorization: tenant.authorization, "Content-Type": "application/json", ...headers },
    body,
  });
  return {
    authenticated,
    response,
    send(value: unknown): Promise<Response> {
      controller.enqueue(utf8(typeof value === "string" ? value : JSON.stringify(value)));
      controller.close();
      return response;
    },
  };
}

function operatorPut(tenant: TestTenant, change: unknown): Promise<Response> {
  return SELF.fetch(`${BASE}/admin/tenants/${tenant.tenantId}`, {
    method: "PUT",
    headers: { Authorization: `Bearer ${TEST_BINDINGS.ADMIN_TOKEN}`, "Content-Type": "application/json" },
    body: JSON.stringify(change),
  });
}

async function credentialIds(tenant: TestTenant): Promise<string[]> {
  const listed = await api(tenant, "GET", "/api/Credentials");
  expect(listed.status).toBe(200);
  return (await listed.json<{ Id: string }[]>()).map((credential) => credential.Id);
}

describe("a management request whose body arrives late", () => {
  it("creates no credential once the operator has suspended the tenant meanwhile (403 Tenant suspended)", async () => {
    const tenant = await createTenant();
    const before = await credentialIds(tenant);
    const request = heldBackRequest(tenant, "POST", "/api/Credentials");
    expect(await request.authenticated).toBe(true);
    expect((await operatorPut(tenant, { suspended: true })).status).toBe(200);

    const response = await request.send({ Name: "kept after suspension", Scopes: ["manage"] });
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({ error: "Tenant suspended" });

    expect((await operatorPut(tenant, { suspended: false })).status).toBe(200);
    expect(await credentialIds(tenant)).toEqual(before);
  });

  it("exports no key seed once the operator has suspended the tenant meanwhile", async () => {
    const tenant = await createTenant();
    const request = heldBackRequest(tenant, "POST", "/api/Export/KeySeeds");
    expect(await request.authenticated).toBe(true);
    expect((await operatorPut(tenant, { suspended: true })).status).toBe(200);

    const response = await request.send({ Password: PASSWORD });
    expect(response.status).toBe(403);
    expect(await response.text()).not.toContain("KeyContainer");
  });

  it("changes nothing for a credential revoked meanwhile (401, as for any credential that does not authenticate)", async () => {
    const tenant = await createTenant();
    const { credential, as: revokedLater } = await createCredential(tenant, { Name: "revoked later", Scopes: ["manage"] });
    const before = await credentialIds(tenant);
    const request = heldBackRequest(revokedLater, "POST", "/api/Credentials");
    expect(await request.authenticated).toBe(true);
    expect((await api(tenant, "DELETE", `/api/Credentials/${credential.Id}`)).status).toBe(204);

    const response = await request.send({ Name: "outlives its creator", Scopes: ["manage"] });
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: "Authentication failed: send Authorization: Basic base64(tenantId:managementKey)" });
    expect(await credentialIds(tenant)).toEqual(before.filter((id) => id !== credential.Id));
  });

  it("changes nothing for a credential that expired meanwhile (401)", async () => {
    const tenant = await createTenant();
    const expiresAt = new Date(Date.now() + 1500);
    const { as: expiring } = await createCredential(tenant, { Name: "expiring", Scopes: ["manage"], ExpiresAt: expiresAt.toISOString() });
    const request = heldBackRequest(expiring, "PUT", "/api/Settings");
    expect(await request.authenticated).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, expiresAt.getTime() - Date.now() + 50));

    const response = await request.send({ AllowedOrigins: ["https://attacker.example"] });
    expect(response.status).toBe(401);
    const settings = await api(tenant, "GET", "/api/Settings");
    expect(JSON.stringify(await settings.json())).not.toContain("attacker.example");
  });
});

describe("an acquisition whose body arrives late", () => {
  const SPEKE_V2 = { "Content-Type": "application/xml", "X-Speke-Version": "2.0" };

  it("answers no key once the operator has suspended the tenant meanwhile (403 Tenant suspended, SPEKE's shape)", async () => {
    const tenant = await tenantWithTestSeed();
    const request = heldBackRequest(tenant, "POST", "/api/SpekeV2", SPEKE_V2);
    expect(await request.authenticated).toBe(true);
    expect((await operatorPut(tenant, { suspended: true })).status).toBe(200);

    const response = await request.send(VALID_SPEKE_V2);
    expect(response.status).toBe(403);
    expect(await response.text()).toBe("Tenant suspended");
  });

  it("answers no key to an acquire credential revoked meanwhile (401)", async () => {
    const tenant = await tenantWithTestSeed();
    const { credential, as: packager } = await createCredential(tenant, { Name: "leaked packager", Scopes: ["acquire"] });
    const request = heldBackRequest(packager, "POST", "/api/SpekeV2", SPEKE_V2);
    expect(await request.authenticated).toBe(true);
    expect((await api(tenant, "DELETE", `/api/Credentials/${credential.Id}`)).status).toBe(204);

    const response = await request.send(VALID_SPEKE_V2);
    expect(response.status).toBe(401);
    expect(await response.text()).not.toContain("ContentKey ");
  });

  it("answers no key to an acquire credential that expired meanwhile (401)", async () => {
    const tenant = await tenantWithTestSeed();
    const expiresAt = new Date(Date.now() + 1500);
    const { as: packager } = await createCredential(tenant, { Name: "job", Scopes: ["acquire"], ExpiresAt: expiresAt.toISOString() });
    const request = heldBackRequest(packager, "POST", "/api/SpekeV2", SPEKE_V2);
    expect(await request.authenticated).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, expiresAt.getTime() - Date.now() + 50));

    const response = await request.send(VALID_SPEKE_V2);
    expect(response.status).toBe(401);
  });
});
