import { env } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { AuditStore } from "../../src/tenancy/stores/audit-store";
import { snapshotKey } from "../../src/tenancy/snapshot";
import { api, createTenant, randomBase64, type TestTenant } from "./support/api";
import { createCredential, operatorCredential } from "./support/credentials";
import { auditEntries } from "./support/logs";

afterEach(() => vi.restoreAllMocks());

/** A tenant, and a second manage credential that makes the changes, so records must name that one. */
async function tenantWithAdmin(): Promise<{ tenant: TestTenant; admin: TestTenant; adminId: string }> {
  const tenant = await createTenant();
  const { credential, as } = await createCredential(tenant, { Name: "admin", Scopes: ["manage"] });
  return { tenant, admin: as, adminId: credential.Id };
}

/** The audit entries a change added: those newer than the ones listed before it, oldest first. */
async function recordsOf(tenant: TestTenant, change: () => Promise<Response>, status: number) {
  const before = new Set((await auditEntries(tenant)).map((entry) => entry.Id));
  const response = await change();
  expect(response.status).toBe(status);
  return (await auditEntries(tenant)).filter((entry) => !before.has(entry.Id)).reverse();
}

describe("an audit record for every management change", () => {
  it("records the tenant's creation by the operator: its first credential and seed", async () => {
    const tenant = await createTenant();
    const records = await auditEntries(tenant);
    expect(
      records
        .map(({ Category, Action, ObjectId, RequestPath, AuthenticationCredentialId }) => ({
          Category,
          Action,
          ObjectId,
          RequestPath,
          AuthenticationCredentialId,
        }))
        .reverse(),
    ).toEqual([
      {
        Category: 101,
        Action: "AddCredential",
        ObjectId: expect.any(String),
        RequestPath: "/admin/tenants",
        AuthenticationCredentialId: "operator",
      },
      {
        Category: 16,
        Action: "AddKeySeed",
        ObjectId: tenant.keySeedId,
        RequestPath: "/admin/tenants",
        AuthenticationCredentialId: "operator",
      },
    ]);
  });

  it("records key seed changes with Axinom's categories, naming the credential that made them", async () => {
    const { tenant, admin, adminId } = await tenantWithAdmin();
    const seedId = crypto.randomUUID();
    const by = { AuthenticationCredentialId: adminId };
    expect(
      await recordsOf(tenant, () => api(admin, "POST", "/api/KeySeeds", { Id: seedId, Name: "s", IsDefault: true }), 201),
    ).toMatchObject([
      { Category: 16, Action: "AddKeySeed", ObjectId: seedId, RequestPath: "/api/KeySeeds", ...by },
      { Category: 106, Action: "MakeKeySeedDefault", ObjectId: seedId, RequestPath: "/api/KeySeeds", ...by },
    ]);
    const imported = [crypto.randomUUID(), crypto.randomUUID()];
    expect(
      await recordsOf(
        tenant,
        () =>
          api(
            admin,
            "POST",
            "/api/Import/KeySeeds",
            imported.map((Id) => ({ Id, Data: randomBase64(30) })),
          ),
        200,
      ),
    ).toMatchObject(
      imported.map((ObjectId) => ({ Category: 14, Action: "ImportKeySeeds", ObjectId, RequestPath: "/api/Import/KeySeeds", ...by })),
    );
    expect(await recordsOf(tenant, () => api(admin, "PUT", `/api/KeySeeds/${seedId}`, { Name: "renamed" }), 200)).toMatchObject([
      { Category: 17, Action: "UpdateKeySeed", ObjectId: seedId, RequestPath: `/api/KeySeeds/${seedId}`, ...by },
    ]);
    expect(await recordsOf(tenant, () => api(admin, "PUT", `/api/KeySeeds/${seedId}`, { IsDefault: false }), 200)).toMatchObject([
      { Category: 106, Action: "WithdrawKeySeedDefault", ObjectId: seedId, ...by },
    ]);
    expect(await recordsOf(tenant, () => api(admin, "DELETE", `/api/KeySeeds/${imported[0]}`), 204)).toMatchObject([
      { Category: 18, Action: "DeleteKeySeed", ObjectId: imported[0], RequestPath: `/api/KeySeeds/${imported[0]}`, ...by },
    ]);
  });

  it("records credential, signer and settings changes under categories 101–105", async () => {
    const { tenant, admin, adminId } = await tenantWithAdmin();
    const by = { AuthenticationCredentialId: adminId };
    const added = await recordsOf(tenant, () => api(admin, "POST", "/api/Credentials", { Name: "p", Scopes: ["acquire"] }), 201);
    expect(added).toMatchObject([{ Category: 101, Action: "AddCredential", RequestPath: "/api/Credentials", ...by }]);
    const credentialId = added[0]!.ObjectId!;
    expect(await recordsOf(tenant, () => api(admin, "DELETE", `/api/Credentials/${credentialId}`), 204)).toMatchObject([
      { Category: 102, Action: "DeleteCredential", ObjectId: credentialId, ...by },
    ]);
    const provider = `audit-${crypto.randomUUID().slice(0, 8)}`;
    const signer = await recordsOf(
      tenant,
      () => api(admin, "POST", "/api/WidevineProtectionInfoCredentials", { ProviderName: provider }),
      201,
    );
    expect(signer).toMatchObject([
      { Category: 103, Action: "AddWidevineSigner", RequestPath: "/api/WidevineProtectionInfoCredentials", ...by },
    ]);
    expect(
      await recordsOf(tenant, () => api(admin, "DELETE", `/api/WidevineProtectionInfoCredentials/${signer[0]!.ObjectId}`), 204),
    ).toMatchObject([{ Category: 104, Action: "DeleteWidevineSigner", ObjectId: signer[0]!.ObjectId, ...by }]);
    expect(await recordsOf(tenant, () => api(admin, "PUT", "/api/Settings", { WidevineProvider: "acme" }), 200)).toMatchObject([
      { Category: 105, Action: "UpdateSettings", ObjectId: null, RequestPath: "/api/Settings", ...by },
    ]);
    expect(await recordsOf(tenant, () => operatorCredential(tenant.tenantId), 201)).toMatchObject([
      {
        Category: 101,
        Action: "AddCredential",
        RequestPath: `/admin/tenants/${tenant.tenantId}/credentials`,
        AuthenticationCredentialId: "operator",
      },
    ]);
  });

  it("never carries a value: no seed, secret, signing key or setting value", async () => {
    const { tenant, admin } = await tenantWithAdmin();
    const seed = randomBase64(30);
    await api(admin, "POST", "/api/Import/KeySeeds", [{ Data: seed }]);
    const { credential } = await createCredential(admin, { Name: "p", Scopes: ["acquire"] });
    const signer = await (
      await api(admin, "POST", "/api/WidevineProtectionInfoCredentials", { ProviderName: `v-${crypto.randomUUID().slice(0, 8)}` })
    ).json<{ SigningKey: string; SigningIv: string; SigningKeyHex: string }>();
    await api(admin, "PUT", "/api/Settings", { PlayReadyLaUrl: "https://license.example.com/secret-setting" });
    const text = JSON.stringify(await auditEntries(tenant));
    for (const action of ["ImportKeySeeds", "AddCredential", "AddWidevineSigner", "UpdateSettings"]) expect(text).toContain(action);
    for (const value of [seed, credential.Secret, signer.SigningKey, signer.SigningIv, signer.SigningKeyHex]) {
      expect(text).not.toContain(value);
    }
    expect(text).not.toContain("license.example.com");
  });
});

describe("a refused change writes no audit record", () => {
  it.each([
    ["deleting the default seed (409)", (t: TestTenant) => api(t, "DELETE", `/api/KeySeeds/${t.keySeedId}`), 409],
    [
      "importing a seed id that exists (409)",
      (t: TestTenant) => api(t, "POST", "/api/Import/KeySeeds", [{ Id: t.keySeedId, Data: randomBase64(30) }]),
      409,
    ],
    ["deleting an unknown seed (404)", (t: TestTenant) => api(t, "DELETE", `/api/KeySeeds/${crypto.randomUUID()}`), 404],
    ["settings that break a rule (400)", (t: TestTenant) => api(t, "PUT", "/api/Settings", { LogRetentionDays: 0 }), 400],
    ["a credential without scopes (400)", (t: TestTenant) => api(t, "POST", "/api/Credentials", { Name: "x", Scopes: [] }), 400],
  ])("%s", async (_case, change, status) => {
    const tenant = await createTenant();
    const snapshot = await env.SNAPSHOTS.get(snapshotKey(tenant.tenantId));
    expect(await recordsOf(tenant, () => change(tenant), status)).toEqual([]);
    expect(await env.SNAPSHOTS.get(snapshotKey(tenant.tenantId))).toBe(snapshot);
  });

  it("deleting the last manage credential (409)", async () => {
    const tenant = await createTenant();
    const [only] = await (await api(tenant, "GET", "/api/Credentials")).json<{ Id: string }[]>();
    expect(await recordsOf(tenant, () => api(tenant, "DELETE", `/api/Credentials/${only!.Id}`), 409)).toEqual([]);
  });

  it("rolls the change back with its record when writing the record fails: the two commit together", async () => {
    const tenant = await createTenant();
    const snapshot = await env.SNAPSHOTS.get(snapshotKey(tenant.tenantId));
    const seedsBefore = await (await api(tenant, "GET", "/api/KeySeeds")).json<unknown[]>();
    const recordsBefore = await auditEntries(tenant);
    vi.spyOn(AuditStore.prototype, "append").mockImplementationOnce(() => {
      throw new Error("injected audit write failure");
    });
    const seedId = crypto.randomUUID();
    // A failed write inside the tenant object is a storage fault: 503, retry (storage-faults.test.ts).
    expect((await api(tenant, "POST", "/api/KeySeeds", { Id: seedId, Name: "never" })).status).toBe(503);
    expect(await (await api(tenant, "GET", "/api/KeySeeds")).json()).toEqual(seedsBefore);
    expect((await api(tenant, "GET", `/api/KeySeeds/${seedId}`)).status).toBe(404);
    expect(await auditEntries(tenant)).toEqual(recordsBefore);
    expect(await env.SNAPSHOTS.get(snapshotKey(tenant.tenantId))).toBe(snapshot);
  });
});
