import { SELF, createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from "vitest";
import * as v from "valibot";
import worker from "../../src/index";
import { routeDocs } from "../../src/openapi/document";
import { TEST_BINDINGS } from "../test-bindings";
import { BASE } from "./support/api";

/** `GET /admin/health` (issue 28 item 4): KV write and read, a Durable Object round trip, every KEK version's canary. */

const ADMIN = { Authorization: `Bearer ${TEST_BINDINGS.ADMIN_TOKEN}` };

interface HealthAnswer {
  status: "ok" | "failing";
  error?: string;
  checks: { name: string; ok: boolean; ms: number; versions?: number[]; problem?: string }[];
}

/** `GET /admin/health` with some bindings replaced (storage-faults.test.ts does the same for the other routes). */
async function health(bindings: Partial<Env> = {}): Promise<{ response: Response; text: string; answer: HealthAnswer }> {
  const context = createExecutionContext();
  const response = await worker.fetch(new Request(`${BASE}/admin/health`, { headers: ADMIN }), { ...env, ...bindings } as Env, context);
  await waitOnExecutionContext(context);
  const text = await response.text();
  return { response, text, answer: JSON.parse(text) };
}

/** A fresh key-encryption key, base64 of 32 random bytes. */
function newKek(): string {
  return btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))));
}

function failing(answer: HealthAnswer): string[] {
  return answer.checks.filter((check) => !check.ok).map((check) => check.name);
}

/** KV that accepts every write and keeps none of them (a lost write), reads passing through. */
const forgetfulKv = new Proxy(env.SNAPSHOTS, {
  get: (target, property) => (property === "put" ? async () => {} : Reflect.get(target, property).bind(target)),
});

/** KV that fails every call, as a KV outage does. */
const failingKv = new Proxy(env.SNAPSHOTS, { get: () => () => Promise.reject(new Error("KV unavailable (injected)")) });

/** The tenant directory's namespace with an object that fails every RPC call. */
const failingDirectory = new Proxy(env.TENANT_DIRECTORY, {
  get: (target, property) => {
    if (property === "get") return () => new Proxy({}, { get: () => () => Promise.reject(new Error("Durable Object reset (injected)")) });
    const value: unknown = Reflect.get(target, property);
    return typeof value === "function" ? value.bind(target) : value;
  },
});

/** What the route logged about failing checks (console.error, silenced here). */
let errorLog: MockInstance<typeof console.error>;
beforeEach(() => {
  errorLog = vi.spyOn(console, "error").mockImplementation(() => {});
});
afterEach(() => errorLog.mockRestore());

describe("GET /admin/health", () => {
  it("answers 200 with the three checks in order, each ok with its time, and the configured KEK versions", async () => {
    const { response, answer } = await health();
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toBe("application/json; charset=utf-8");
    expect(answer.status).toBe("ok");
    expect(answer.checks.map((check) => check.name)).toEqual(["kv", "durable-object", "kek-canaries"]);
    expect(errorLog).not.toHaveBeenCalled();
    for (const check of answer.checks) {
      expect(check.ok).toBe(true);
      expect(check.ms).toBeGreaterThanOrEqual(0);
      expect(check.problem).toBeUndefined();
    }
    expect(answer.checks[2]!.versions).toEqual([1]);
  });

  it("needs the operator's token, like every /admin route, and matches its path in any case", async () => {
    const anonymous = await SELF.fetch(`${BASE}/admin/health`);
    expect(anonymous.status).toBe(401);
    expect((await SELF.fetch(`${BASE}/Admin/Health`, { headers: ADMIN })).status).toBe(200);
  });

  it("writes each KEK version's canary once, sealed under that version, and never the key itself", async () => {
    await health();
    const canary = await env.SNAPSHOTS.get("kek-canary/1");
    expect(canary).toMatch(/^v1\.1\.[A-Za-z0-9_-]{40,}$/);
    expect(canary).not.toContain(TEST_BINDINGS.KEY_ENCRYPTION_KEY);
    await health();
    expect(await env.SNAPSHOTS.get("kek-canary/1")).toBe(canary);
  });

  it("probes KV under a fresh health/probe/ key each time, which expires within a minute", async () => {
    const before = new Set((await env.SNAPSHOTS.list({ prefix: "health/probe/" })).keys.map((key) => key.name));
    await health();
    await health();
    const written = (await env.SNAPSHOTS.list({ prefix: "health/probe/" })).keys.filter((key) => !before.has(key.name));
    expect(written).toHaveLength(2);
    for (const key of written) {
      expect(key.name).toMatch(/^health\/probe\/[0-9a-f-]{36}$/);
      expect(key.expiration).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000) + 60);
    }
  });

  it("answers 503 naming kv alone when KV accepts a write and loses it", async () => {
    const { response, answer } = await health({ SNAPSHOTS: forgetfulKv });
    expect(response.status).toBe(503);
    expect(failing(answer)).toEqual(["kv"]);
    const message = "Health check failed: kv (KV accepted a write and did not return it when read back)";
    expect(answer).toMatchObject({ status: "failing", error: message });
    expect(response.headers.get("X-AxDRM-ErrorMessage")).toBe(message);
  });

  it("answers 503 naming kv with the error when every KV call fails (the canaries, kept in KV, cannot be read either)", async () => {
    const { response, answer } = await health({ SNAPSHOTS: failingKv });
    expect(response.status).toBe(503);
    expect(failing(answer)).toEqual(["kv", "kek-canaries"]);
    expect(answer.checks[0]!.problem).toBe("Error: KV unavailable (injected)");
    expect(answer.checks[1]!.ok).toBe(true);
  });

  it("answers 503 naming durable-object alone when the tenant directory object throws", async () => {
    const { response, answer } = await health({ TENANT_DIRECTORY: failingDirectory });
    expect(response.status).toBe(503);
    expect(failing(answer)).toEqual(["durable-object"]);
    expect(answer.error).toBe("Health check failed: durable-object (Error: Durable Object reset (injected))");
  });

  it("answers 503 naming kek-canaries alone when KEY_ENCRYPTION_KEY holds another key under the same version", async () => {
    await health();
    const other = newKek();
    const { response, text, answer } = await health({ KEY_ENCRYPTION_KEY: other });
    expect(response.status).toBe(503);
    expect(failing(answer)).toEqual(["kek-canaries"]);
    expect(answer.checks[2]!.problem).toMatch(
      /^key-encryption key version 1 does not open its canary \(kek-canary\/1 in KV\): KEY_ENCRYPTION_KEY holds another key under that version/,
    );
    expect(text).not.toContain(other);
    expect(text).not.toContain(TEST_BINDINGS.KEY_ENCRYPTION_KEY);
    // The log names the check and its reason, nothing else.
    expect(errorLog.mock.calls).toEqual([
      ["health check failed", { checks: [{ name: "kek-canaries", reason: "kek-canary-does-not-open" }] }],
    ]);
  });

  it("follows a KEK rotation: a new version gets its canary, a removed one is no longer checked, a replaced one fails", async () => {
    const current = TEST_BINDINGS.KEY_ENCRYPTION_KEY;
    const next = newKek();
    const during = await health({ KEY_ENCRYPTION_KEY: `2:${next},1:${current}` });
    expect(during.response.status).toBe(200);
    expect(during.answer.checks[2]!.versions).toEqual([2, 1]);
    expect(await env.SNAPSHOTS.get("kek-canary/2")).toMatch(/^v1\.2\./);

    const after = await health({ KEY_ENCRYPTION_KEY: `2:${next}` });
    expect(after.response.status).toBe(200);
    expect(after.answer.checks[2]!.versions).toEqual([2]);

    const replaced = await health({ KEY_ENCRYPTION_KEY: `2:${newKek()}` });
    expect(replaced.response.status).toBe(503);
    expect(failing(replaced.answer)).toEqual(["kek-canaries"]);
    expect(replaced.answer.error).toContain("key-encryption key version 2 does not open its canary (kek-canary/2 in KV)");
  });

  it("a canary of another version or tampered with does not open", async () => {
    await health();
    const canary = (await env.SNAPSHOTS.get("kek-canary/1"))!;
    const flipped = canary.slice(0, -2) + (canary.at(-2) === "A" ? "B" : "A") + canary.at(-1);
    for (const stored of [flipped, canary.replace(/^v1\.1\./, "v1.2."), "not a canary"]) {
      await env.SNAPSHOTS.put("kek-canary/1", stored);
      const { response, answer } = await health();
      expect(response.status).toBe(503);
      expect(failing(answer)).toEqual(["kek-canaries"]);
    }
    await env.SNAPSHOTS.put("kek-canary/1", canary);
    expect((await health()).response.status).toBe(200);
  });

  it("answers in the shapes the OpenAPI document gives its 200 and its 503", async () => {
    const route = routeDocs().find((doc) => doc.method === "get" && doc.path === "/admin/health")!;
    for (const { response, answer } of [await health(), await health({ SNAPSHOTS: forgetfulKv })]) {
      const documented = route.responses[response.status];
      if (documented?.kind !== "json") throw new Error(`no JSON answer documented for ${response.status}`);
      expect(v.safeParse(documented.schema, answer).issues ?? []).toEqual([]);
    }
  });
});
