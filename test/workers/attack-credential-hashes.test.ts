import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { toBase64Url } from "../../src/domain/bytes";
import { hashSecret } from "../../src/tenancy/credentials";
import { LoadedTenant } from "../../src/tenancy/loaded-tenant";
import type { SnapshotCredential } from "../../src/tenancy/snapshot";
import { TenantStore } from "../../src/tenancy/tenant-store";
import { TEST_BINDINGS } from "../test-bindings";
import { api, basic, createTenant } from "./support/api";
import { createCredential } from "./support/credentials";

/**
 * Attack on authentication as it compares digest bytes (LoadedTenant.authenticate decodes the stored hashes once per
 * loaded snapshot): stored hashes that are not base64url or not 32 bytes (a crafted backup restores any string,
 * test/workers/support/crafted-backups.ts), and secrets presented to an isolate whose snapshot already holds decoded
 * hashes: a revoked credential, one created after the first authentication, another tenant's. Each must authenticate
 * as its own credential or not at all, never as a neighbour in the list, and never answer 5xx.
 */

const ACQUIRE_ONLY = "/api/Cpix/c?kid=339c45b5-fb6d-4bd9-994c-eabd9d41c95b";

/** A tenant as the read path loads it, with `credentials` in place of its own (its real credential-hash key). */
async function tenantWithCredentials(credentials: (hashOf: (secret: string) => Promise<string>) => Promise<SnapshotCredential[]>) {
  const tenant = await createTenant();
  const loaded = (await new TenantStore(env.SNAPSHOTS, TEST_BINDINGS.KEY_ENCRYPTION_KEY, "1").load(tenant.tenantId))!;
  const hashOf = (secret: string) => hashSecret(secret, loaded.dataKey.credentialHash);
  return new LoadedTenant({ ...loaded.snapshot, credentials: await credentials(hashOf) }, loaded.dataKey, loaded.kvMacKeys);
}

describe("stored credential hashes a crafted backup could hold", () => {
  it("authenticates each secret as its own credential beside hashes that are not base64url, not 32 bytes or empty", async () => {
    const tenant = await tenantWithCredentials(async (hashOf) => [
      { id: "not-base64url", scopes: ["manage"], hash: "!!not base64url!!" },
      { id: "short", scopes: ["manage"], hash: toBase64Url(new Uint8Array(16)) },
      { id: "empty", scopes: ["manage"], hash: "" },
      { id: "packager", scopes: ["acquire"], hash: await hashOf("packager secret") },
      { id: "long", scopes: ["manage"], hash: `${await hashOf("packager secret")}AAAA` },
      { id: "admin", scopes: ["acquire", "manage"], hash: await hashOf("admin secret") },
    ]);
    const now = new Date();
    // Twice each: the second authentication compares the hashes decoded by the first.
    for (let round = 0; round < 2; round++) {
      expect(await tenant.authenticate("packager secret", now)).toEqual({ id: "packager", scopes: ["acquire"] });
      expect(await tenant.authenticate("admin secret", now)).toEqual({ id: "admin", scopes: ["acquire", "manage"] });
      expect(await tenant.authenticate("", now)).toBeUndefined();
      expect(await tenant.authenticate("!!not base64url!!", now)).toBeUndefined();
    }
  });
});

describe("secrets presented after the isolate decoded the tenant's hashes", () => {
  it("refuses a revoked credential and another tenant's secret, and accepts one created after the first authentication", async () => {
    const tenant = await createTenant();
    const other = await createTenant();
    const { credential, as: packager } = await createCredential(tenant, { Name: "packager", Scopes: ["acquire"] });
    // The isolate now holds the tenant's snapshot with its hashes decoded.
    expect((await api(packager, "GET", ACQUIRE_ONLY)).status).toBe(200);
    expect((await api({ ...tenant, authorization: basic(tenant.tenantId, other.managementKey) }, "GET", ACQUIRE_ONLY)).status).toBe(401);
    expect((await api({ ...tenant, authorization: basic(tenant.tenantId, other.managementKey) }, "GET", "/api/KeySeeds")).status).toBe(401);

    const { as: second } = await createCredential(tenant, { Name: "second packager", Scopes: ["acquire"] });
    expect((await api(second, "GET", ACQUIRE_ONLY)).status).toBe(200);
    expect((await api(second, "GET", "/api/KeySeeds")).status).toBe(403);

    expect((await api(tenant, "DELETE", `/api/Credentials/${credential.Id}`)).status).toBe(204);
    expect((await api(packager, "GET", ACQUIRE_ONLY)).status).toBe(401);
    expect((await api(second, "GET", ACQUIRE_ONLY)).status).toBe(200);
  });
});
