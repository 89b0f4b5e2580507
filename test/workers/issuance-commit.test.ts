import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { fromBase64, fromHex, toBase64, utf8 } from "../../src/domain/bytes";
import worker from "../../src/index";
import { recordIssuance } from "../../src/protocols/acquisition-support";
import { aesRequestSignature } from "../../src/protocols/widevine-cenc/signature";
import { LogOperations } from "../../src/tenancy/operations/log-operations";
import type { TenantObject } from "../../src/tenancy/tenant-object";
import { TenantStore } from "../../src/tenancy/tenant-store";
import { TEST_BINDINGS } from "../test-bindings";
import { BASE, api, createTenant, type TestTenant } from "./support/api";
import { VALID_SPEKE_V2 } from "./support/cpix-requests";
import { tenantWithTestSeed } from "./support/tenant-with-seed";

/** A tenant object namespace whose every RPC call fails, as an unreachable or overloaded object does. */
function failingObjects(namespace: DurableObjectNamespace<TenantObject>): DurableObjectNamespace<TenantObject> {
  const failingStub = new Proxy({}, { get: () => () => Promise.reject(new Error("Durable Object unavailable (injected)")) });
  return new Proxy(namespace, {
    get: (target, property) => {
      if (property === "get") return () => failingStub;
      const value: unknown = Reflect.get(target, property);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

/** KV whose reads work and whose writes fail, so the snapshot loads but nothing can be parked. */
const unwritableKv = new Proxy(env.SNAPSHOTS, {
  get: (target, property) => {
    if (property === "put") return () => Promise.reject(new Error("KV write failed (injected)"));
    const value: unknown = Reflect.get(target, property);
    return typeof value === "function" ? value.bind(target) : value;
  },
});

async function fetchWith(bindings: Partial<Env>, path: string, init: RequestInit): Promise<Response> {
  TenantStore.clear();
  const context = createExecutionContext();
  const response = await worker.fetch(new Request(`${BASE}${path}`, init), { ...env, ...bindings } as Env, context);
  await waitOnExecutionContext(context);
  return response;
}

function spekeV2(tenant: TestTenant): RequestInit {
  return {
    method: "POST",
    headers: { Authorization: tenant.authorization, "Content-Type": "application/xml", "X-Speke-Version": "2.0" },
    body: VALID_SPEKE_V2,
  };
}

async function issuedKids(tenant: TestTenant): Promise<string[]> {
  const logs = await (await api(tenant, "GET", "/api/Logs?category=100")).json<{ KeyIds: string[] }[]>();
  return logs.flatMap((log) => log.KeyIds);
}

beforeEach(() => TenantStore.clear());
afterEach(() => vi.restoreAllMocks());

describe("an acquisition is recorded before it is answered", () => {
  it("holds the record in the log as soon as the answer has arrived, without waiting", async () => {
    const tenant = await tenantWithTestSeed();
    const kid = crypto.randomUUID();
    expect((await api(tenant, "GET", `/api/Cpix/movie-now?kid=${kid}`)).status).toBe(200);
    expect(await issuedKids(tenant)).toEqual([kid]);
  });

  it("commits the records of requests arriving together in one RPC, and settles each request only after it", async () => {
    const { tenantId } = await createTenant();
    const tenant = (await new TenantStore(env.SNAPSHOTS, TEST_BINDINGS.KEY_ENCRYPTION_KEY, "1").load(tenantId))!;
    const append = vi.spyOn(LogOperations.prototype, "append");
    const contexts = Array.from({ length: 5 }, () => {
      const pending: Promise<unknown>[] = [];
      return { pending, waitUntil: (promise: Promise<unknown>) => void pending.push(promise) };
    });
    const kids = contexts.map(() => crypto.randomUUID());
    const settled: number[] = [];
    const commits = contexts.map((context, index) =>
      // Access as a signed URL: its credential ("c") names no Basic credential of the tenant.
      recordIssuance(env, context, tenant, "signed-url", {
        time: "2026-11-27T07:00:00.000Z",
        protocol: "speke-v2.0",
        contentId: `together-${index}`,
        kids: [kids[index]!],
        keySeedId: crypto.randomUUID(),
        credential: "c",
      }).then(() => settled.push(append.mock.calls.length)),
    );
    // The group's delivery runs in the first request's context, which waitUntil keeps alive should its client leave.
    // Each request first looks again at its tenant's access (access-recheck.ts), so the group forms a few turns later.
    await vi.waitFor(() => expect(contexts.map((context) => context.pending.length)).toEqual([1, 0, 0, 0, 0]));
    await Promise.all(commits);
    expect(append).toHaveBeenCalledTimes(1);
    expect(append.mock.calls[0]![0].flatMap((record) => record.kids).sort()).toEqual([...kids].sort());
    expect(settled).toEqual([1, 1, 1, 1, 1]);
  });

  it("answers SPEKE v2 with keys when the object is down but KV parks the record, which the log then holds", async () => {
    const tenant = await tenantWithTestSeed();
    vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const response = await fetchWith({ TENANTS: failingObjects(env.TENANTS) }, "/api/SpekeV2", spekeV2(tenant));
    expect(response.status).toBe(200);
    expect(await response.text()).toContain("<pskc:PlainValue>");
    expect((await issuedKids(tenant)).length).toBeGreaterThan(0);
  });

  it("answers SPEKE v2 with 503, Retry-After and no key when neither the object nor KV takes the record", async () => {
    const tenant = await tenantWithTestSeed();
    vi.spyOn(console, "warn").mockImplementation(() => undefined);
    vi.spyOn(console, "error").mockImplementation(() => undefined);
    const response = await fetchWith({ TENANTS: failingObjects(env.TENANTS), SNAPSHOTS: unwritableKv }, "/api/SpekeV2", spekeV2(tenant));
    expect(response.status).toBe(503);
    expect(response.headers.get("Retry-After")).toBe("5");
    expect(response.headers.get("Content-Type")).toMatch(/^text\/plain/);
    expect(await response.text()).toBe("Key storage is temporarily unavailable; retry in 5 s");
    expect(await issuedKids(tenant)).toEqual([]);
  });

  it("answers CPIX GET with 503 and no key when the record cannot be committed", async () => {
    const tenant = await tenantWithTestSeed();
    vi.spyOn(console, "warn").mockImplementation(() => undefined);
    vi.spyOn(console, "error").mockImplementation(() => undefined);
    const response = await fetchWith({ TENANTS: failingObjects(env.TENANTS), SNAPSHOTS: unwritableKv }, "/api/Cpix/movie", {
      headers: { Authorization: tenant.authorization },
    });
    expect(response.status).toBe(503);
    expect(response.headers.get("Retry-After")).toBe("5");
    expect(await response.text()).not.toContain("PlainValue");
  });

  it("answers the Widevine CENC API with INTERNAL_ERROR, Retry-After and no key when the record cannot be committed", async () => {
    const tenant = await tenantWithTestSeed();
    const signer = await (
      await api(tenant, "POST", "/api/WidevineProtectionInfoCredentials", { ProviderName: `p-${crypto.randomUUID()}` })
    ).json<{ ProviderName: string; SigningKeyHex: string; SigningIvHex: string }>();
    const request = utf8(JSON.stringify({ content_id: toBase64(utf8("movie")), tracks: [{ type: "SD" }] }));
    const signature = await aesRequestSignature(request, fromHex(signer.SigningKeyHex)!, fromHex(signer.SigningIvHex)!);
    vi.spyOn(console, "warn").mockImplementation(() => undefined);
    vi.spyOn(console, "error").mockImplementation(() => undefined);
    const response = await fetchWith({ TENANTS: failingObjects(env.TENANTS), SNAPSHOTS: unwritableKv }, "/api/WidevineProtectionInfo", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ request: toBase64(request), signature: toBase64(signature), signer: signer.ProviderName }),
    });
    // Shaka Packager retries INTERNAL_ERROR, not a 503 (src/protocols/widevine-cenc/routes.ts).
    expect(response.status).toBe(200);
    expect(response.headers.get("Retry-After")).toBe("5");
    const inner = JSON.parse(new TextDecoder().decode(fromBase64((await response.json<{ response: string }>()).response)!));
    expect(inner).toEqual({ status: "INTERNAL_ERROR", status_message: "key storage temporarily unavailable; retry in 5 s" });
    expect(await issuedKids(tenant)).toEqual([]);
  });
});
