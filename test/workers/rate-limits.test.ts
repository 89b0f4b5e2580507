import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { fromBase64, fromHex, toBase64, utf8 } from "../../src/domain/bytes";
import { aesRequestSignature } from "../../src/protocols/widevine-cenc/signature";
import { TEST_RATE_LIMITS } from "../test-bindings";
import { BASE, api, basic, createTenant } from "./support/api";

/** The test project's limits (vitest.config.ts), which Miniflare's Rate Limiting simulation enforces. */
const ACQUISITIONS_PER_MINUTE = TEST_RATE_LIMITS.ACQUISITION_RATE_LIMITER.simple.limit;
const MANAGEMENT_PER_MINUTE = TEST_RATE_LIMITS.MANAGEMENT_RATE_LIMITER.simple.limit;
const AUTH_FAILURES_PER_MINUTE = TEST_RATE_LIMITS.AUTH_FAILURE_RATE_LIMITER.simple.limit;

/** Every test limiter's period in milliseconds (Miniflare allows 10 and 60 seconds). */
const PERIODS_MS = [...new Set(Object.values(TEST_RATE_LIMITS).map((limiter) => limiter.simple.period * 1000))];

/**
 * Miniflare's Rate Limiting simulation counts in fixed windows aligned to the clock and clears every budget when one
 * ends (its ratelimit.worker: `epoch = floor(Date.now() / (period * 1000))`), as a period of the binding does.
 */
const windowsAt = (time: number) => PERIODS_MS.map((period) => Math.floor(time / period)).join();

/**
 * Runs a test's body inside one window of every limiter. A body that crossed into the next window saw its budget
 * renewed half way and proves nothing either way, so it runs again, from the start (fresh tenants and addresses):
 * it now starts early in a window and ends long before the next, since filling a budget takes a few seconds (about
 * 5 s alone, 8 s beside `npm test`'s other files). Only a run inside one window is judged, by every assertion; none
 * waits for a window to pass.
 */
async function inOneWindow(body: () => Promise<void>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const started = windowsAt(Date.now());
    let failure: unknown;
    try {
      await body();
    } catch (error) {
      failure = error;
    }
    if (windowsAt(Date.now()) === started) {
      if (failure !== undefined) throw failure;
      return;
    }
    if (attempt === 2) throw new Error("two runs in a row crossed a rate-limit window: a test took longer than a window");
  }
}

describe("rate limits", () => {
  it("limits failed authentications per client address, then refuses even right credentials from it for the minute", () =>
    inOneWindow(async () => {
      const tenant = await createTenant();
      const guesser = `198.51.100.${Math.floor(Math.random() * 250)}`;
      const guess = () =>
        SELF.fetch(`${BASE}/api/KeySeeds`, { headers: { Authorization: basic(tenant.tenantId, "guess"), "CF-Connecting-IP": guesser } });
      for (let i = 0; i < AUTH_FAILURES_PER_MINUTE; i++) expect((await guess()).status).toBe(401);
      const limited = await guess();
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get("Retry-After"))).toBeGreaterThan(0);
      const right = await api(tenant, "GET", "/api/KeySeeds", undefined, { "CF-Connecting-IP": guesser });
      expect(right.status).toBe(429);
      expect((await api(tenant, "GET", "/api/KeySeeds", undefined, { "CF-Connecting-IP": "203.0.113.9" })).status).toBe(200);
    }));

  it("limits management calls per tenant with 429 and Retry-After, leaving acquisition and other tenants alone", () =>
    inOneWindow(async () => {
      const busy = await createTenant();
      const quiet = await createTenant();
      let status = 200;
      let calls = 0;
      while (status === 200 && calls <= MANAGEMENT_PER_MINUTE) {
        status = (await api(busy, "GET", "/api/Settings")).status;
        calls++;
      }
      expect(calls).toBe(MANAGEMENT_PER_MINUTE + 1);
      const limited = await api(busy, "GET", "/api/Settings");
      expect(limited.status).toBe(429);
      expect(limited.headers.get("Retry-After")).toBe("60");
      expect((await limited.json<{ error: string }>()).error).toBe("Rate limit of management requests for this tenant reached");
      expect((await api(busy, "GET", "/api/Cpix/movie?drm=widevine")).status).toBe(200);
      expect((await api(quiet, "GET", "/api/Settings")).status).toBe(200);
    }));

  it("limits acquisitions per tenant with 429 and Retry-After, leaving management and other tenants alone", () =>
    inOneWindow(async () => {
      const busy = await createTenant();
      const quiet = await createTenant();
      let status = 200;
      let calls = 0;
      while (status === 200 && calls <= ACQUISITIONS_PER_MINUTE) {
        status = (await api(busy, "GET", "/api/Cpix/movie?drm=widevine")).status;
        calls++;
      }
      expect(calls).toBe(ACQUISITIONS_PER_MINUTE + 1);
      const limited = await api(busy, "GET", "/api/Cpix/movie?drm=widevine");
      expect(limited.status).toBe(429);
      expect(limited.headers.get("Retry-After")).toBe("60");
      expect((await api(busy, "GET", "/api/Settings")).status).toBe(200);
      expect((await api(quiet, "GET", "/api/Cpix/movie?drm=widevine")).status).toBe(200);
    }));

  it("limits Widevine CENC acquisitions per signer's tenant once the signature verified: 429 with Retry-After", () =>
    inOneWindow(async () => {
      const tenant = await createTenant();
      const signer = await (
        await api(tenant, "POST", "/api/WidevineProtectionInfoCredentials", { ProviderName: `p-${crypto.randomUUID()}` })
      ).json<{ ProviderName: string; SigningKeyHex: string; SigningIvHex: string }>();
      const request = utf8(JSON.stringify({ content_id: toBase64(utf8("movie")), tracks: [{ type: "SD" }] }));
      const signature = await aesRequestSignature(request, fromHex(signer.SigningKeyHex)!, fromHex(signer.SigningIvHex)!);
      const body = JSON.stringify({ request: toBase64(request), signature: toBase64(signature), signer: signer.ProviderName });
      const post = () =>
        SELF.fetch(`${BASE}/api/WidevineProtectionInfo`, { method: "POST", headers: { "Content-Type": "application/json" }, body });
      let status = 200;
      let calls = 0;
      while (status === 200 && calls <= ACQUISITIONS_PER_MINUTE) {
        status = (await post()).status;
        calls++;
      }
      expect(calls).toBe(ACQUISITIONS_PER_MINUTE + 1);
      const limited = await post();
      expect(limited.status).toBe(429);
      expect(limited.headers.get("Retry-After")).toBe("60");
      const inner = JSON.parse(new TextDecoder().decode(fromBase64((await limited.json<{ response: string }>()).response)!));
      expect(inner.status).toBe("INTERNAL_ERROR");
      expect(inner.tracks).toBeUndefined();
    }));
});
