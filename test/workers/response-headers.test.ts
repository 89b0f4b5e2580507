import { SELF, createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import { PUBLIC_PATHS, createApp } from "../../src/app";
import worker from "../../src/index";
import { TenantStore } from "../../src/tenancy/tenant-store";
import { TEST_BINDINGS, TEST_RATE_LIMITS } from "../test-bindings";
import { BASE, api, basic, createTenant, randomBase64, type TestTenant } from "./support/api";
import { postCpix, tenantWithTestSeed } from "./support/tenant-with-seed";
import { VALID_SPEKE_V2 } from "./support/cpix-requests";

const AUTH_FAILURES_PER_MINUTE = TEST_RATE_LIMITS.AUTH_FAILURE_RATE_LIMITER.simple.limit;

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
});

/** Every handler route of the app and the public paths, each called without credentials. */
const app = createApp();
const ROUTES = app.routes
  .filter((route) => route.method !== "ALL")
  .map((route) => [route.method, route.path.replace(/:[a-zA-Z]+/g, "x")] as const);
/** Routes that set their own caching: the OpenAPI document is public and the same for everyone (public/_headers). */
const OWN_CACHE_CONTROL: Record<string, string> = { "/api/openapi.json": "public, max-age=300" };

function expectHeadersFor(path: string, response: Response) {
  expect(response.headers.get("X-Content-Type-Options")).toBe("nosniff");
  expect(response.headers.get("Cache-Control")).toBe(OWN_CACHE_CONTROL[path] ?? "no-store");
}

/** The Worker's fetch handler with some bindings replaced, for answers only a broken deployment gives. */
async function fetchWithBindings(bindings: Partial<Env>, path: string, init: RequestInit = {}): Promise<Response> {
  const context = createExecutionContext();
  const response = await worker.fetch(new Request(`${BASE}${path}`, init), { ...env, ...bindings } as Env, context);
  await waitOnExecutionContext(context);
  return response;
}

type StatusCase = [name: string, path: string, status: number, send: (tenant: TestTenant) => Promise<Response>];

/** One answer of each status the Worker gives, each from a different part of it. */
const STATUSES: StatusCase[] = [
  ["a key seed list", "/api/KeySeeds", 200, (t) => api(t, "GET", "/api/KeySeeds")],
  [
    "a CORS preflight",
    "/api/KeySeeds",
    204,
    () =>
      SELF.fetch(`${BASE}/api/KeySeeds`, {
        method: "OPTIONS",
        headers: { Origin: "https://elsewhere.example", "Access-Control-Request-Method": "GET" },
      }),
  ],
  ["settings that break a rule", "/api/Settings", 400, (t) => api(t, "PUT", "/api/Settings", { LogRetentionDays: 0 })],
  ["malformed XML", "/api/SpekeV2", 400, (t) => postCpix(t, "/api/SpekeV2", "<cpix:CPIX", { "X-Speke-Version": "2.0" })],
  [
    "an unknown secret",
    "/api/KeySeeds",
    401,
    (t) => SELF.fetch(`${BASE}/api/KeySeeds`, { headers: { Authorization: basic(t.tenantId, "wrong") } }),
  ],
  [
    "a cross-site form POST",
    "/api/KeySeeds",
    403,
    (t) =>
      api(t, "POST", "/api/KeySeeds", "{}", {
        "Content-Type": "text/plain",
        Origin: "https://evil.example",
        "Sec-Fetch-Site": "cross-site",
      }),
  ],
  ["an unknown path", "/nowhere", 404, () => SELF.fetch(`${BASE}/nowhere`)],
  ["an unknown key seed", "/api/KeySeeds/x", 404, (t) => api(t, "GET", `/api/KeySeeds/${crypto.randomUUID()}`)],
  [
    "a seed id that exists",
    "/api/Import/KeySeeds",
    409,
    (t) => api(t, "POST", "/api/Import/KeySeeds", [{ Id: t.keySeedId, Data: randomBase64(30) }]),
  ],
  [
    "a body over 1 MiB",
    "/api/SpekeV2",
    413,
    (t) =>
      postCpix(
        t,
        "/api/SpekeV2",
        VALID_SPEKE_V2.replace("<cpix:ContentKeyList>", `<!--${"x".repeat(1024 * 1024)}--><cpix:ContentKeyList>`),
        { "X-Speke-Version": "2.0" },
      ),
  ],
  [
    "a management write that is not JSON",
    "/api/KeySeeds",
    415,
    (t) => api(t, "POST", "/api/KeySeeds", "Name=x", { "Content-Type": "application/x-www-form-urlencoded" }),
  ],
  [
    "a CPIX request SPEKE v2 refuses",
    "/api/SpekeV2",
    422,
    (t) => postCpix(t, "/api/SpekeV2", VALID_SPEKE_V2.replace(/ contentId="[^"]*"/, ""), { "X-Speke-Version": "2.0" }),
  ],
  [
    "too many failed authentications from one address",
    "/api/KeySeeds",
    429,
    async (t) => {
      const guesser = { Authorization: basic(t.tenantId, "guess"), "CF-Connecting-IP": `198.51.100.${Math.floor(Math.random() * 250)}` };
      // Until the limit answers; a minute that ends half way renews the budget once (rate-limits.test.ts).
      let response = await SELF.fetch(`${BASE}/api/KeySeeds`, { headers: guesser });
      for (let i = 0; response.status === 401 && i < 2 * AUTH_FAILURES_PER_MINUTE + 1; i++) {
        response = await SELF.fetch(`${BASE}/api/KeySeeds`, { headers: guesser });
      }
      return response;
    },
  ],
  [
    "an unexpected error",
    "/api/KeySeeds",
    500,
    async (t) => {
      const bug = vi.spyOn(TenantStore.prototype, "load").mockRejectedValueOnce(new TypeError("a bug (injected)"));
      try {
        return await api(t, "GET", "/api/KeySeeds");
      } finally {
        bug.mockRestore();
      }
    },
  ],
  [
    "a Worker without its secrets",
    "/api/KeySeeds",
    503,
    (t) => fetchWithBindings({ KEY_ENCRYPTION_KEY: undefined }, "/api/KeySeeds", { headers: { Authorization: t.authorization } }),
  ],
  [
    "KV down",
    "/api/KeySeeds",
    503,
    (t) => {
      TenantStore.clear();
      const down = new Proxy(env.SNAPSHOTS, { get: () => () => Promise.reject(new Error("KV unavailable (injected)")) });
      return fetchWithBindings({ SNAPSHOTS: down }, "/api/KeySeeds", { headers: { Authorization: t.authorization } });
    },
  ],
];

describe("every response of the Worker carries nosniff, and no-store unless its route sets its own caching", () => {
  it.each(ROUTES)("%s %s without credentials", async (method, path) => {
    const response = await SELF.fetch(`${BASE}${path}`, {
      method,
      ...(method !== "GET" && { headers: { "Content-Type": "application/json" }, body: "{}" }),
    });
    expectHeadersFor(path, response);
  });

  it("covers the public paths and more than a few routes", () => {
    expect(ROUTES.length).toBeGreaterThan(40);
    for (const path of PUBLIC_PATHS) expect(ROUTES.map(([, route]) => route)).toContain(path);
  });

  it.each(STATUSES)("%s (%s, %i)", async (_name, path, status, send) => {
    const tenant = await createTenant();
    const response = await send(tenant);
    expect(response.status).toBe(status);
    expectHeadersFor(path, response);
  });

  it("on a request without credentials, an unknown path and the health check", async () => {
    expectNoStoreNoSniff(await SELF.fetch(`${BASE}/api/KeySeeds`));
    expectNoStoreNoSniff(await SELF.fetch(`${BASE}/nowhere`));
    expect((await SELF.fetch(`${BASE}/healthz`)).headers.get("X-Content-Type-Options")).toBe("nosniff");
  });
});
