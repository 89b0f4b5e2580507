import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from "vitest";
import { fromBase64, fromHex, toBase64, utf8 } from "../../src/domain/bytes";
import worker from "../../src/index";
import { aesRequestSignature } from "../../src/protocols/widevine-cenc/signature";
import { TEST_BINDINGS } from "../test-bindings";
import { BASE, api, type TestTenant } from "./support/api";
import { VALID_SPEKE_V2 } from "./support/cpix-requests";
import { tenantWithTestSeed } from "./support/tenant-with-seed";

/**
 * The request log (issue 28 items 3 and 4): one JSON line per request and one Analytics Engine data point when
 * `USAGE_EVENTS` is bound, with the tenant, route pattern, protocol, status, keys and duration; never a key, secret,
 * body, query or raw path. The test bindings turn the line off (REQUEST_LOG = "off"), so these tests turn it on.
 */

interface LoggedRequest {
  tenant: string | null;
  route: string | null;
  method: string;
  protocol: string | null;
  status: number;
  keys: number;
  ms: number;
}

/** An Analytics Engine dataset that keeps what it is given (locally the real binding does nothing). */
function recordingDataset(): AnalyticsEngineDataset & { points: AnalyticsEngineDataPoint[] } {
  const points: AnalyticsEngineDataPoint[] = [];
  return { points, writeDataPoint: (point) => void points.push(point ?? {}) };
}

let logLines: MockInstance<typeof console.log>;
beforeEach(() => {
  logLines = vi.spyOn(console, "log").mockImplementation(() => {});
});
afterEach(() => logLines.mockRestore());

/** The Worker with the request log on and a recording dataset (or the bindings given); answers, lines and points. */
async function logged(request: Request, bindings: Partial<Env> = {}) {
  const usage = recordingDataset();
  const context = createExecutionContext();
  logLines.mockClear();
  const response = await worker.fetch(request, { ...env, REQUEST_LOG: "on", USAGE_EVENTS: usage, ...bindings } as Env, context);
  const text = await response.text();
  await waitOnExecutionContext(context);
  const lines = logLines.mock.calls.map((call) => String(call[0]));
  return { response, text, lines, entries: lines.map((line) => JSON.parse(line) as LoggedRequest), points: usage.points };
}

function spekeV2(tenant: TestTenant, version = "2.0"): Request {
  return new Request(`${BASE}/api/SpekeV2`, {
    method: "POST",
    headers: { Authorization: tenant.authorization, "Content-Type": "application/xml", "X-Speke-Version": version },
    body: VALID_SPEKE_V2,
  });
}

describe("one JSON line per request", () => {
  it("an acquisition: the tenant, the route pattern, method, protocol, status, keys answered and duration", async () => {
    const tenant = await tenantWithTestSeed();
    const { response, text, lines, entries } = await logged(spekeV2(tenant));
    expect(response.status).toBe(200);
    expect(entries).toEqual([
      { tenant: tenant.tenantId, route: "/api/spekev2", method: "POST", protocol: "SpekeV2", status: 200, keys: 2, ms: expect.any(Number) },
    ]);
    expect(entries[0]!.ms).toBeGreaterThanOrEqual(0);
    // Neither a key of the answer, the credential nor the body.
    const keyValues = [...text.matchAll(/<pskc:PlainValue>([^<]+)</g)].map((match) => match[1]!);
    expect(keyValues).toHaveLength(2);
    for (const secret of [...keyValues, tenant.managementKey, tenant.authorization, "content-1"]) expect(lines[0]).not.toContain(secret);
  });

  it("CPIX GET: the pattern stands for the path, so neither the content id nor the query is logged", async () => {
    const tenant = await tenantWithTestSeed();
    const request = new Request(`${BASE}/api/Cpix/secret-title-42?drm=widevine`, { headers: { Authorization: tenant.authorization } });
    const { response, lines, entries } = await logged(request);
    expect(response.status).toBe(200);
    expect(entries[0]).toMatchObject({ route: "/api/cpix/:contentId", method: "GET", protocol: "CpixGet", status: 200, keys: 1 });
    expect(lines[0]).not.toContain("secret-title-42");
    expect(lines[0]).not.toContain("widevine");
  });

  it("Widevine CENC API: the tenant of the signer that signed it, protocol WidevineCenc, the keys of every track", async () => {
    const tenant = await tenantWithTestSeed();
    const signer = await (
      await api(tenant, "POST", "/api/WidevineProtectionInfoCredentials", { ProviderName: `p-${crypto.randomUUID()}` })
    ).json<{
      ProviderName: string;
      SigningKeyHex: string;
      SigningIvHex: string;
    }>();
    const keyRequest = utf8(JSON.stringify({ content_id: btoa("movie-9"), tracks: [{ type: "SD" }, { type: "AUDIO" }] }));
    const signature = await aesRequestSignature(keyRequest, fromHex(signer.SigningKeyHex)!, fromHex(signer.SigningIvHex)!);
    const body = JSON.stringify({ request: toBase64(keyRequest), signature: toBase64(signature), signer: signer.ProviderName });
    const { text, lines, entries } = await logged(new Request(`${BASE}/api/WidevineProtectionInfo`, { method: "POST", body }));
    const answer = JSON.parse(new TextDecoder().decode(fromBase64(JSON.parse(text).response)!));
    expect(answer.status).toBe("OK");
    expect(entries).toEqual([
      {
        tenant: tenant.tenantId,
        route: "/api/widevineprotectioninfo",
        method: "POST",
        protocol: "WidevineCenc",
        status: 200,
        keys: 2,
        ms: expect.any(Number),
      },
    ]);
    for (const track of answer.tracks) expect(lines[0]).not.toContain(track.key);
    expect(lines[0]).not.toContain(signer.SigningKeyHex);
  });

  it("a refused acquisition: its status, no keys, the protocol of the route that refused it", async () => {
    const tenant = await tenantWithTestSeed();
    const { response, entries } = await logged(spekeV2(tenant, "9.9"));
    expect(response.status).toBe(422);
    expect(entries).toEqual([
      { tenant: tenant.tenantId, route: "/api/spekev2", method: "POST", protocol: "SpekeV2", status: 422, keys: 0, ms: expect.any(Number) },
    ]);
  });

  it("a request refused before its route ran: no tenant, no protocol; an unknown path: no route", async () => {
    const unauthenticated = await logged(new Request(`${BASE}/api/SpekeV2`, { method: "POST", body: VALID_SPEKE_V2 }));
    expect(unauthenticated.entries).toEqual([
      { tenant: null, route: "/api/spekev2", method: "POST", protocol: null, status: 401, keys: 0, ms: expect.any(Number) },
    ]);
    const unknown = await logged(new Request(`${BASE}/api/NoSuchThing/abc`));
    expect(unknown.entries).toEqual([
      { tenant: null, route: null, method: "GET", protocol: null, status: 404, keys: 0, ms: expect.any(Number) },
    ]);
    expect(unknown.lines[0]).not.toContain("NoSuchThing");
  });

  it("management and operator routes: the tenant when one authenticated, never the operator's token", async () => {
    const tenant = await tenantWithTestSeed();
    const seeds = await logged(new Request(`${BASE}/api/KeySeeds/${tenant.seedId}`, { headers: { Authorization: tenant.authorization } }));
    expect(seeds.entries).toEqual([
      { tenant: tenant.tenantId, route: "/api/keyseeds/:id", method: "GET", protocol: null, status: 200, keys: 0, ms: expect.any(Number) },
    ]);
    expect(seeds.lines[0]).not.toContain(tenant.seedId);
    const admin = { Authorization: `Bearer ${TEST_BINDINGS.ADMIN_TOKEN}` };
    const metadata = await logged(new Request(`${BASE}/admin/tenants/${tenant.tenantId}`, { headers: admin }));
    expect(metadata.entries).toEqual([
      { tenant: null, route: "/admin/tenants/:id", method: "GET", protocol: null, status: 200, keys: 0, ms: expect.any(Number) },
    ]);
    expect(metadata.lines[0]).not.toContain(TEST_BINDINGS.ADMIN_TOKEN);
  });

  it("REQUEST_LOG = off leaves the line out and still writes the data point", async () => {
    const { response, lines, points } = await logged(new Request(`${BASE}/healthz`), { REQUEST_LOG: "off" });
    expect(response.status).toBe(200);
    expect(lines).toEqual([]);
    expect(points).toHaveLength(1);
  });
});

describe("one Analytics Engine data point per request, when USAGE_EVENTS is bound", () => {
  it("index: the tenant; blobs: route, protocol, status class, method; doubles: status, keys, duration", async () => {
    const tenant = await tenantWithTestSeed();
    const { entries, points } = await logged(spekeV2(tenant));
    expect(points).toEqual([
      {
        indexes: [tenant.tenantId],
        blobs: ["/api/spekev2", "SpekeV2", "2xx", "POST"],
        doubles: [200, 2, entries[0]!.ms],
      },
    ]);
    const refused = await logged(new Request(`${BASE}/api/SpekeV2`, { method: "POST", body: VALID_SPEKE_V2 }));
    expect(refused.points).toEqual([
      { indexes: [""], blobs: ["/api/spekev2", "", "4xx", "POST"], doubles: [401, 0, refused.entries[0]!.ms] },
    ]);
  });

  it("writes nothing without the binding, and the answer is the same", async () => {
    const tenant = await tenantWithTestSeed();
    const { response, entries } = await logged(spekeV2(tenant), { USAGE_EVENTS: undefined });
    expect(response.status).toBe(200);
    expect(entries).toHaveLength(1);
  });

  it("a data point that fails never changes the answer: logged as a failure of the log, by name only", async () => {
    const tenant = await tenantWithTestSeed();
    const failing: AnalyticsEngineDataset = {
      writeDataPoint: () => {
        throw new TypeError("blobs too large (injected)");
      },
    };
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      const { response, text } = await logged(spekeV2(tenant), { USAGE_EVENTS: failing });
      expect(response.status).toBe(200);
      expect(text).toContain("<pskc:PlainValue>");
      expect(errors.mock.calls).toEqual([["request log failed", { error: "TypeError" }]]);
    } finally {
      errors.mockRestore();
    }
  });
});
