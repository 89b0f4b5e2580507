import { SELF, createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { fromBase64, fromHex, toBase64, utf8 } from "../../src/domain/bytes";
import worker from "../../src/index";
import { aesRequestSignature } from "../../src/protocols/widevine-cenc/signature";
import { KeySeedOperations } from "../../src/tenancy/operations/key-seed-operations";
import { KeySeedStore } from "../../src/tenancy/stores/key-seed-store";
import { TenantStore } from "../../src/tenancy/tenant-store";
import { TEST_BINDINGS } from "../test-bindings";
import { BASE, api, createTenant, type KeySeedJson } from "./support/api";
import { VALID_SPEKE_V2 } from "./support/cpix-requests";
import { tenantWithTestSeed } from "./support/tenant-with-seed";

/** KV that fails every call, as a KV outage does. */
const failingKv = new Proxy(env.SNAPSHOTS, {
  get: () => () => Promise.reject(new Error("KV unavailable (injected)")),
});

/** A Durable Object namespace whose objects fail every RPC call (overloaded, reset or unreachable). */
// Any Durable Object namespace, whatever its class.
function failingObjects<T extends DurableObjectNamespace<any>>(namespace: T): T {
  const failingStub = new Proxy({}, { get: () => () => Promise.reject(new Error("Durable Object unavailable (injected)")) });
  return new Proxy(namespace, {
    get: (target, property) => {
      if (property === "get") return () => failingStub;
      const value: unknown = Reflect.get(target, property);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

/** The Worker with some bindings replaced, and a fresh isolate cache so storage is really asked. */
async function fetchWithFault(faults: Partial<Env>, path: string, init: RequestInit = {}): Promise<Response> {
  TenantStore.clear();
  const context = createExecutionContext();
  const response = await worker.fetch(new Request(`${BASE}${path}`, init), { ...env, ...faults } as Env, context);
  await waitOnExecutionContext(context);
  return response;
}

function expectRetryAfter(response: Response) {
  expect(response.headers.get("Retry-After")).toBe("5");
}

beforeEach(() => TenantStore.clear());

describe("a storage fault answers 503 with Retry-After in the protocol's shape, never a wrong key", () => {
  it("SPEKE v2 with KV down: 503, plain text", async () => {
    const tenant = await tenantWithTestSeed();
    const response = await fetchWithFault({ SNAPSHOTS: failingKv }, "/api/SpekeV2", {
      method: "POST",
      headers: { Authorization: tenant.authorization, "Content-Type": "application/xml", "X-Speke-Version": "2.0" },
      body: VALID_SPEKE_V2,
    });
    expect(response.status).toBe(503);
    expectRetryAfter(response);
    expect(response.headers.get("Content-Type")).toMatch(/^text\/plain/);
    expect(await response.text()).toBe("Key storage is temporarily unavailable; retry in 5 s");
  });

  it("CPIX GET with KV down: 503, plain text", async () => {
    const tenant = await tenantWithTestSeed();
    const response = await fetchWithFault({ SNAPSHOTS: failingKv }, "/api/Cpix/movie?drm=widevine", {
      headers: { Authorization: tenant.authorization },
    });
    expect(response.status).toBe(503);
    expectRetryAfter(response);
    expect(await response.text()).toMatch(/^Key storage is temporarily unavailable/);
  });

  it("Management API with KV down: 503, JSON", async () => {
    const tenant = await createTenant();
    const response = await fetchWithFault({ SNAPSHOTS: failingKv }, "/api/KeySeeds", { headers: { Authorization: tenant.authorization } });
    expect(response.status).toBe(503);
    expectRetryAfter(response);
    expect((await response.json<{ error: string }>()).error).toBe("Storage is temporarily unavailable; retry in 5 s");
  });

  it("Management API read with the tenant object down: 503, JSON", async () => {
    const tenant = await createTenant();
    const response = await fetchWithFault({ TENANTS: failingObjects(env.TENANTS) }, "/api/KeySeeds", {
      headers: { Authorization: tenant.authorization },
    });
    expect(response.status).toBe(503);
    expectRetryAfter(response);
  });

  it("Management API write with the tenant object unreachable: 503, JSON", async () => {
    const tenant = await createTenant();
    const response = await fetchWithFault({ TENANTS: failingObjects(env.TENANTS) }, "/api/KeySeeds", {
      method: "POST",
      headers: { Authorization: tenant.authorization, "Content-Type": "application/json" },
      body: JSON.stringify({ Name: "during the fault" }),
    });
    expect(response.status).toBe(503);
    expectRetryAfter(response);
    expect((await response.json<{ error: string }>()).error).toBe("Storage is temporarily unavailable; retry in 5 s");
  });

  it("Management API write when the tenant object fails after writing the seed's row: 503, and the row is rolled back", async () => {
    const tenant = await createTenant();
    // The object's storage fails mid-transaction, after the INSERT of the seed and before the commit.
    const insert = KeySeedStore.prototype.insert;
    const failAfterWriting = vi.spyOn(KeySeedStore.prototype, "insert").mockImplementationOnce(function (this: KeySeedStore, seed) {
      insert.call(this, seed);
      throw new Error("SQLite storage failed (injected)");
    });
    const response = await api(tenant, "POST", "/api/KeySeeds", { Name: "during the fault" });
    expect(response.status).toBe(503);
    expectRetryAfter(response);
    expect(failAfterWriting).toHaveBeenCalledTimes(1);
    const seeds = await (await api(tenant, "GET", "/api/KeySeeds")).json<KeySeedJson[]>();
    expect(seeds.map((seed) => seed.Name)).toEqual(["Default"]);
  });

  it("Management API read when the call on the object's record target fails: 503, JSON", async () => {
    const tenant = await createTenant();
    // The call pipelined on `keySeeds()` (src/tenancy/fault-mapped-stub.ts) fails inside the object.
    const failing = vi.spyOn(KeySeedOperations.prototype, "list").mockImplementationOnce(() => {
      throw new Error("SQLite storage failed (injected)");
    });
    try {
      const response = await api(tenant, "GET", "/api/KeySeeds");
      expect(failing).toHaveBeenCalledTimes(1);
      expect(response.status).toBe(503);
      expectRetryAfter(response);
      expect((await response.json<{ error: string }>()).error).toBe("Storage is temporarily unavailable; retry in 5 s");
    } finally {
      failing.mockRestore();
    }
  });

  it("Operator API with the tenant object down: 503, JSON", async () => {
    const response = await fetchWithFault({ TENANTS: failingObjects(env.TENANTS) }, "/admin/tenants", {
      method: "POST",
      headers: { Authorization: `Bearer ${TEST_BINDINGS.ADMIN_TOKEN}`, "Content-Type": "application/json" },
      body: "{}",
    });
    expect(response.status).toBe(503);
    expectRetryAfter(response);
  });

  it("Widevine signer creation with the signer registry down: 503, and no signer exists", async () => {
    const tenant = await createTenant();
    // The tenant object claims the name in the registry itself, through the same SIGNERS binding object.
    const registryDown = vi.spyOn(env.SIGNERS, "get").mockReturnValue(failingObjects(env.SIGNERS).get(env.SIGNERS.idFromName("global")));
    try {
      const response = await api(tenant, "POST", "/api/WidevineProtectionInfoCredentials", { ProviderName: `p-${crypto.randomUUID()}` });
      expect(response.status).toBe(503);
      expectRetryAfter(response);
    } finally {
      registryDown.mockRestore();
    }
    expect(await (await api(tenant, "GET", "/api/WidevineProtectionInfoCredentials")).json()).toEqual([]);
  });

  it("Widevine CENC API with KV down: INTERNAL_ERROR, which Shaka retries, with Retry-After and no key", async () => {
    const tenant = await tenantWithTestSeed();
    const signer = await (
      await api(tenant, "POST", "/api/WidevineProtectionInfoCredentials", { ProviderName: `p-${crypto.randomUUID()}` })
    ).json<{ ProviderName: string; SigningKeyHex: string; SigningIvHex: string }>();
    const request = utf8(JSON.stringify({ content_id: toBase64(utf8("movie")), tracks: [{ type: "SD" }] }));
    const signature = await aesRequestSignature(request, fromHex(signer.SigningKeyHex)!, fromHex(signer.SigningIvHex)!);
    const response = await fetchWithFault({ SNAPSHOTS: failingKv }, "/api/WidevineProtectionInfo", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ request: toBase64(request), signature: toBase64(signature), signer: signer.ProviderName }),
    });
    expect(response.status).toBe(200);
    expectRetryAfter(response);
    const inner = JSON.parse(new TextDecoder().decode(fromBase64((await response.json<{ response: string }>()).response)!));
    expect(inner).toEqual({ status: "INTERNAL_ERROR", status_message: "key storage temporarily unavailable; retry in 5 s" });
  });

  it("a CORS preflight with KV down: 503, JSON", async () => {
    const response = await fetchWithFault({ SNAPSHOTS: failingKv }, "/api/KeySeeds", {
      method: "OPTIONS",
      headers: { Origin: "https://console.example.com", "Access-Control-Request-Method": "GET" },
    });
    expect(response.status).toBe(503);
    expectRetryAfter(response);
  });

  it("answers normally again once storage is back, with nothing of the fault kept", async () => {
    const tenant = await createTenant();
    const read = () => SELF.fetch(`${BASE}/api/KeySeeds`, { headers: { Authorization: tenant.authorization } });
    const before = await (await read()).json();
    TenantStore.clear();
    // The same Worker and bindings the other requests use: KV fails while the fault lasts, then works again.
    const outage = vi.spyOn(env.SNAPSHOTS, "get").mockRejectedValue(new Error("KV unavailable (injected)"));
    const during = await read();
    expect(during.status).toBe(503);
    expectRetryAfter(during);
    expect(outage).toHaveBeenCalled();
    outage.mockRestore();
    const after = await read();
    expect(after.status).toBe(200);
    expect(await after.json()).toEqual(before);
  });
});
