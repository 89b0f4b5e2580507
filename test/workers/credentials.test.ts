import { env } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  REVOCATION_BOUND_SECONDS,
  SNAPSHOT_MAX_STALE_MS,
  SNAPSHOT_MEMORY_TTL_MS,
  SNAPSHOT_STALENESS_BOUND_SECONDS,
} from "../../src/tenancy/snapshot-freshness";
import { tenantObject } from "../../src/tenancy/tenant-client";
import { TenantStore } from "../../src/tenancy/tenant-store";
import { OPERATOR_ACTOR } from "../../src/tenancy/tenant-types";
import { TEST_BINDINGS } from "../test-bindings";
import { api, basic, createTenant, type TestTenant } from "./support/api";
import { createCredential, operatorCredential } from "./support/credentials";

/** The tenant object as src/ calls it (faults mapped, each record target released after its call). */
function tenantStub(tenantId: string) {
  return tenantObject(env, tenantId);
}

const IN_A_YEAR = () => new Date(Date.now() + 365 * 86_400_000).toISOString();

afterEach(() => {
  vi.useRealTimers();
  TenantStore.clear();
});

describe("creating credentials", () => {
  it("answers 201 with the credential and a 256-bit secret shown once; lists never carry it", async () => {
    const tenant = await createTenant();
    const expiresAt = IN_A_YEAR();
    const response = await api(tenant, "POST", "/api/Credentials", { Name: "packager", Scopes: ["acquire"], ExpiresAt: expiresAt });
    expect(response.status).toBe(201);
    const created = await response.json<Record<string, unknown>>();
    expect(created).toEqual({
      Id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
      Name: "packager",
      Scopes: ["acquire"],
      Protocols: null,
      Created: expect.any(String),
      ExpiresAt: expiresAt,
      Secret: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
    });
    const listed = await (await api(tenant, "GET", "/api/Credentials")).json<Record<string, unknown>[]>();
    expect(listed).toHaveLength(2);
    expect(listed[0]).toMatchObject({ Name: "Management key", Scopes: ["acquire", "manage"], ExpiresAt: null });
    expect(listed[1]).toEqual({
      Id: created.Id,
      Name: "packager",
      Scopes: ["acquire"],
      Protocols: null,
      Created: created.Created,
      ExpiresAt: expiresAt,
    });
    const read = await api(tenant, "GET", `/api/Credentials/${created.Id as string}`);
    expect(await read.json()).toEqual(listed[1]);
  });

  it("keeps both scopes on the tenant's first credential, as Axinom's one management key has", async () => {
    const tenant = await createTenant();
    const [first] = await (await api(tenant, "GET", "/api/Credentials")).json<{ Scopes: string[] }[]>();
    expect(first!.Scopes).toEqual(["acquire", "manage"]);
    expect((await api(tenant, "GET", "/api/Cpix/c?kid=339c45b5-fb6d-4bd9-994c-eabd9d41c95b")).status).toBe(200);
    expect((await api(tenant, "GET", "/api/KeySeeds")).status).toBe(200);
  });

  it("lists scopes in one order whatever order the request gave", async () => {
    const tenant = await createTenant();
    const { credential } = await createCredential(tenant, { Name: "both", Scopes: ["manage", "acquire"] });
    expect(credential.Scopes).toEqual(["acquire", "manage"]);
  });

  it.each([
    ["no Name", { Scopes: ["acquire"] }, "Name is required (1 to 256 characters)"],
    ["an empty Name", { Name: "", Scopes: ["acquire"] }, "Name is required (1 to 256 characters)"],
    ["a Name of 257 characters", { Name: "x".repeat(257), Scopes: ["acquire"] }, "Name must be at most 256 characters, got 257"],
    ["no Scopes", { Name: "x" }, "Scopes must be a non-empty array of distinct scopes from acquire, manage"],
    ["empty Scopes", { Name: "x", Scopes: [] }, "Scopes must be a non-empty array of distinct scopes from acquire, manage"],
    ["Scopes as a string", { Name: "x", Scopes: "acquire" }, "Scopes must be a non-empty array of distinct scopes from acquire, manage"],
    [
      "an unknown scope",
      { Name: "x", Scopes: ["acquire", "admin"] },
      "Scopes must be a non-empty array of distinct scopes from acquire, manage; Scopes[1] is not one of them",
    ],
    [
      "a duplicate scope",
      { Name: "x", Scopes: ["manage", "manage"] },
      "Scopes must be a non-empty array of distinct scopes from acquire, manage; manage appears twice",
    ],
    [
      "ExpiresAt that is not a date",
      { Name: "x", Scopes: ["acquire"], ExpiresAt: "tomorrow" },
      "ExpiresAt must be an ISO 8601 date and time with an offset, e.g. 2027-01-31T12:00:00Z",
    ],
    [
      "ExpiresAt without an offset",
      { Name: "x", Scopes: ["acquire"], ExpiresAt: "2099-01-01T00:00:00" },
      "ExpiresAt must be an ISO 8601 date and time with an offset, e.g. 2027-01-31T12:00:00Z",
    ],
    ["ExpiresAt in the past", { Name: "x", Scopes: ["acquire"], ExpiresAt: "2020-01-01T00:00:00Z" }, "ExpiresAt must be in the future"],
    [
      "a Secret of its own",
      { Name: "x", Scopes: ["acquire"], Secret: "mine" },
      "Unknown field Secret; allowed: Name, Scopes, Protocols, ExpiresAt",
    ],
  ])("refuses %s with 400 naming the field, and creates nothing", async (_case, body, message) => {
    const tenant = await createTenant();
    const response = await api(tenant, "POST", "/api/Credentials", body);
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: message });
    expect(await (await api(tenant, "GET", "/api/Credentials")).json()).toHaveLength(1);
  });

  it("refuses a credential past 50 with 409 naming the limit", async () => {
    const tenant = await createTenant();
    for (let index = 1; index < 50; index++) {
      expect((await api(tenant, "POST", "/api/Credentials", { Name: `k${index}`, Scopes: ["acquire"] })).status).toBe(201);
    }
    const refused = await api(tenant, "POST", "/api/Credentials", { Name: "k50", Scopes: ["acquire"] });
    expect(refused.status).toBe(409);
    expect(await refused.json()).toEqual({ error: "A tenant holds at most 50 credentials; delete one before creating another" });
    expect(await (await api(tenant, "GET", "/api/Credentials")).json()).toHaveLength(50);
  });
});

describe("revoking credentials", () => {
  it("refuses a deleted credential at once in the isolate that deleted it, and in a fresh isolate", async () => {
    const tenant = await createTenant();
    const { credential, as } = await createCredential(tenant, { Name: "old packager", Scopes: ["acquire"] });
    expect((await api(as, "GET", "/api/Cpix/c?kid=339c45b5-fb6d-4bd9-994c-eabd9d41c95b")).status).toBe(200);
    expect((await api(tenant, "DELETE", `/api/Credentials/${credential.Id}`)).status).toBe(204);
    expect((await api(as, "GET", "/api/Cpix/c?kid=339c45b5-fb6d-4bd9-994c-eabd9d41c95b")).status).toBe(401);
    TenantStore.clear();
    expect((await api(as, "GET", "/api/Cpix/c?kid=339c45b5-fb6d-4bd9-994c-eabd9d41c95b")).status).toBe(401);
    expect(await (await api(tenant, "GET", "/api/Credentials")).json()).toHaveLength(1);
    expect((await api(tenant, "GET", `/api/Credentials/${credential.Id}`)).status).toBe(404);
    expect((await api(tenant, "DELETE", `/api/Credentials/${credential.Id}`)).status).toBe(404);
  });

  it("lets an isolate that read the snapshot before the revocation accept it no longer than SNAPSHOT_MAX_STALE_MS", async () => {
    const tenant = await createTenant();
    const { credential } = await createCredential(tenant, { Name: "rotated", Scopes: ["acquire"] });
    TenantStore.clear();
    let clock = 1_000_000;
    const reader = new TenantStore(env.SNAPSHOTS, TEST_BINDINGS.KEY_ENCRYPTION_KEY, "1", () => clock);
    const background: Promise<unknown>[] = [];
    const load = () => reader.load(tenant.tenantId, (refresh) => void background.push(refresh));
    expect(await (await load())!.authenticate(credential.Secret, new Date())).toMatchObject({ id: credential.Id });

    // Revoked in the object (which writes the snapshot to KV), not through this isolate's cache.
    const revoked = await tenantStub(tenant.tenantId).credentials().delete(credential.Id, {
      credentialId: OPERATOR_ACTOR,
      requestPath: "/api/Credentials",
      time: new Date(),
    });
    expect(revoked.ok).toBe(true);

    clock += SNAPSHOT_MEMORY_TTL_MS - 1;
    expect(await (await load())!.authenticate(credential.Secret, new Date())).toMatchObject({ id: credential.Id });
    clock = 1_000_000 + SNAPSHOT_MAX_STALE_MS;
    expect(await (await load())!.authenticate(credential.Secret, new Date())).toBeUndefined();
    await Promise.all(background);
    // The documented bound (README, docs/storage.md): the snapshot staleness bound, KV propagation and caches.
    expect(REVOCATION_BOUND_SECONDS).toBe(SNAPSHOT_STALENESS_BOUND_SECONDS);
    expect(REVOCATION_BOUND_SECONDS).toBe(110);
  });

  it("keeps one manage credential when the last two are deleted at the same time", async () => {
    const tenant = await createTenant();
    const { credential } = await createCredential(tenant, { Name: "second admin", Scopes: ["manage"] });
    const [first] = await (await api(tenant, "GET", "/api/Credentials")).json<{ Id: string }[]>();
    const statuses = await Promise.all(
      [first!.Id, credential.Id].map(async (id) => (await api(tenant, "DELETE", `/api/Credentials/${id}`)).status),
    );
    expect(statuses.sort()).toEqual([204, 409]);
    const left = await tenantStub(tenant.tenantId).credentials().list();
    if (!left.ok) throw new Error(left.failure.reason);
    expect(left.value).toHaveLength(1);
    expect(left.value[0]!.scopes).toContain("manage");
  });

  it("refuses to delete the last manage credential with 409, and allows it once another exists", async () => {
    const tenant = await createTenant();
    const [first] = await (await api(tenant, "GET", "/api/Credentials")).json<{ Id: string }[]>();
    const refused = await api(tenant, "DELETE", `/api/Credentials/${first!.Id}`);
    expect(refused.status).toBe(409);
    expect((await refused.json<{ error: string }>()).error).toBe(
      `Credential ${first!.Id} is the tenant's last unexpired credential with the manage scope; create another one first`,
    );
    const { as } = await createCredential(tenant, { Name: "new admin", Scopes: ["manage"] });
    expect((await api(as, "DELETE", `/api/Credentials/${first!.Id}`)).status).toBe(204);
    expect((await api(tenant, "GET", "/api/KeySeeds")).status).toBe(401);
  });

  it("counts a manage credential with a future ExpiresAt as the tenant's manage credential, and an acquire-only one not", async () => {
    const tenant = await createTenant();
    const [first] = await (await api(tenant, "GET", "/api/Credentials")).json<{ Id: string }[]>();
    await createCredential(tenant, { Name: "acquire only", Scopes: ["acquire"] });
    expect((await api(tenant, "DELETE", `/api/Credentials/${first!.Id}`)).status).toBe(409);
    await createCredential(tenant, { Name: "temporary admin", Scopes: ["manage"], ExpiresAt: IN_A_YEAR() });
    expect((await api(tenant, "DELETE", `/api/Credentials/${first!.Id}`)).status).toBe(204);
  });

  it("answers 400 for a credential id that is not a UUID", async () => {
    const tenant = await createTenant();
    expect((await api(tenant, "DELETE", "/api/Credentials/not-a-uuid")).status).toBe(400);
    expect((await api(tenant, "GET", "/api/Credentials/not-a-uuid")).status).toBe(400);
  });
});

describe("expiring credentials", () => {
  it("refuses a credential from its ExpiresAt on with the same 401 as an unknown one", async () => {
    const tenant = await createTenant();
    const expiresAt = new Date(Date.now() + 60_000).toISOString();
    const { as } = await createCredential(tenant, { Name: "short-lived", Scopes: ["acquire", "manage"], ExpiresAt: expiresAt });
    expect((await api(as, "GET", "/api/KeySeeds")).status).toBe(200);
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.parse(expiresAt));
    const expired = await api(as, "GET", "/api/KeySeeds");
    const unknown = await api({ ...as, authorization: basic(tenant.tenantId, "x".repeat(43)) }, "GET", "/api/KeySeeds");
    expect(expired.status).toBe(401);
    expect(await expired.json()).toEqual(await unknown.json());
    expect((await api(as, "GET", "/api/Cpix/c?kid=339c45b5-fb6d-4bd9-994c-eabd9d41c95b")).status).toBe(401);
  });

  it("lets an expired manage credential be deleted, and does not count it as the tenant's manage credential", async () => {
    const tenant = await createTenant();
    const expiresAt = new Date(Date.now() + 60_000).toISOString();
    const { credential } = await createCredential(tenant, { Name: "expiring", Scopes: ["manage"], ExpiresAt: expiresAt });
    const [first] = await (await api(tenant, "GET", "/api/Credentials")).json<{ Id: string }[]>();
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.parse(expiresAt) + 1);
    // The unexpired first key is now the only one that manages, so it cannot go; the expired one can.
    expect((await api(tenant, "DELETE", `/api/Credentials/${first!.Id}`)).status).toBe(409);
    expect((await api(tenant, "DELETE", `/api/Credentials/${credential.Id}`)).status).toBe(204);
  });
});

describe("a credential's expiry", () => {
  it("is at most its creator's: a credential that would outlive the one creating it is refused with 400 naming that expiry", async () => {
    const tenant = await createTenant();
    const creatorExpiry = new Date(Date.now() + 60_000).toISOString();
    const { as } = await createCredential(tenant, { Name: "short-lived admin", Scopes: ["manage"], ExpiresAt: creatorExpiry });
    const message = `ExpiresAt must be at or before ${creatorExpiry}, when the credential creating it expires: a credential cannot outlive the one that made it`;
    for (const body of [
      { Name: "never expires", Scopes: ["acquire"] },
      { Name: "expires later", Scopes: ["acquire"], ExpiresAt: IN_A_YEAR() },
    ]) {
      const refused = await api(as, "POST", "/api/Credentials", body);
      expect(refused.status).toBe(400);
      expect(await refused.json()).toEqual({ error: message });
    }
    expect(await (await api(tenant, "GET", "/api/Credentials")).json()).toHaveLength(2);
    const within = new Date(Date.parse(creatorExpiry) - 1_000).toISOString();
    const created = await api(as, "POST", "/api/Credentials", { Name: "within", Scopes: ["acquire"], ExpiresAt: within });
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({ ExpiresAt: within });
    expect((await api(as, "POST", "/api/Credentials", { Name: "same", Scopes: ["acquire"], ExpiresAt: creatorExpiry })).status).toBe(201);
  });
});

describe("operator recovery", () => {
  it("issues a fresh manage credential for a tenant that lost its own, shown once", async () => {
    const tenant = await createTenant();
    const response = await operatorCredential(tenant.tenantId, { name: "recovered by support" });
    expect(response.status).toBe(201);
    const issued = await response.json<{ Id: string; Name: string; Scopes: string[]; Secret: string; ExpiresAt: null }>();
    expect(issued).toMatchObject({ Name: "recovered by support", Scopes: ["manage"], ExpiresAt: null });
    const recovered: TestTenant = { ...tenant, authorization: basic(tenant.tenantId, issued.Secret) };
    expect((await api(recovered, "GET", "/api/KeySeeds")).status).toBe(200);
    // Recovery gives management back, not acquisition.
    expect((await api(recovered, "GET", "/api/Cpix/c?kid=339c45b5-fb6d-4bd9-994c-eabd9d41c95b")).status).toBe(403);
    // The tenant then revokes the lost key itself.
    const [lost] = await (await api(recovered, "GET", "/api/Credentials")).json<{ Id: string }[]>();
    expect((await api(recovered, "DELETE", `/api/Credentials/${lost!.Id}`)).status).toBe(204);
    expect((await api(tenant, "GET", "/api/KeySeeds")).status).toBe(401);
    const listed = await (await api(recovered, "GET", "/api/Credentials")).text();
    expect(listed).not.toContain(issued.Secret);
  });

  it("names the credential by default, answers 404 for an unknown tenant and 401 without the admin token", async () => {
    const tenant = await createTenant();
    const named = await operatorCredential(tenant.tenantId);
    expect(named.status).toBe(201);
    expect(await named.json()).toMatchObject({ Name: "Issued by the operator" });
    expect((await operatorCredential(crypto.randomUUID())).status).toBe(404);
    expect((await operatorCredential("not-a-uuid")).status).toBe(400);
    const unauthenticated = await api(tenant, "POST", `/admin/tenants/${tenant.tenantId}/credentials`, {});
    expect(unauthenticated.status).toBe(401);
  });
});
