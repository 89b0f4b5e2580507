import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { readCpix } from "../../src/cpix/reader";
import { KeyId } from "../../src/domain/key-id";
import { deriveContentKey } from "../../src/domain/key-derivation";
import { api, createTenant, type TestTenant } from "./support/api";
import { auditEntries, logs } from "./support/logs";
import { TEST_SEED, tenantWithTestSeed } from "./support/tenant-with-seed";

const KID = "339c45b5-fb6d-4bd9-994c-eabd9d41c95b";
const inOneHour = () => new Date(Date.now() + 3600_000).toISOString();

async function signedUrl(tenant: TestTenant, body: Record<string, unknown>): Promise<string> {
  const response = await api(tenant, "POST", "/api/CpixUrls", body);
  expect(response.status).toBe(201);
  const json = await response.json<{ Url: string; ExpiresAt: string }>();
  expect(json.ExpiresAt).toBe(new Date(Math.floor(Date.parse(body["ExpiresAt"] as string) / 1000) * 1000).toISOString());
  return json.Url;
}

/** A GET with no headers at all, as a packager given only a URL sends it. */
const bare = (url: string) => SELF.fetch(url);

describe("signed CPIX URLs for readers that only GET", () => {
  it("issues a URL answered without an Authorization header, and records neither token nor URL", async () => {
    const tenant = await tenantWithTestSeed();
    const url = await signedUrl(tenant, { ContentId: "Movie 1/ä", Query: `kid=${KID}&drm=widevine&scheme=cenc`, ExpiresAt: inOneHour() });
    expect(url).toMatch(
      new RegExp(
        `^https://keys\\.test/api/cpix/Movie%201%2F%C3%A4\\?kid=${KID}&drm=widevine&scheme=cenc&tenant=${tenant.tenantId}&expires=\\d+&token=`,
      ),
    );
    const response = await bare(url);
    expect(response.status).toBe(200);
    const read = readCpix(new TextEncoder().encode(await response.text()));
    if (!read.ok) throw new Error("unreadable");
    expect(read.document.contentId).toBe("Movie 1/ä");
    const key = read.document.contentKeyList!.items[0]!;
    expect(key.kid.toString()).toBe(KID);
    expect(key.value!.bytes).toEqual((await deriveContentKey(TEST_SEED, KeyId.require(KID))).bytes);

    const token = new URL(url).searchParams.get("token")!;
    const audit = (await auditEntries(tenant)).find((entry) => entry.Action === "IssueCpixUrl")!;
    expect(audit).toMatchObject({ Category: 111, RequestPath: "/api/CpixUrls" });
    expect(audit.ObjectId).toMatch(/^Movie 1\/ä until /);
    const everything = JSON.stringify(await logs(tenant));
    expect(everything).not.toContain(token);
    expect(everything).not.toContain(token.split(".")[1]);
  });

  it("keeps Basic credentials working on the same route", async () => {
    const tenant = await tenantWithTestSeed();
    expect((await api(tenant, "GET", `/api/Cpix/movie-1?kid=${KID}`)).status).toBe(200);
  });

  it("refuses an expired URL with 403 naming the expiry", async () => {
    const tenant = await createTenant();
    const url = await signedUrl(tenant, { ContentId: "short", ExpiresAt: new Date(Date.now() + 1500).toISOString() });
    await new Promise((resolve) => setTimeout(resolve, 1600));
    const response = await bare(url);
    expect(response.status).toBe(403);
    expect(await response.text()).toMatch(/Signed URL refused: it expired at \d{4}-/);
  });

  it.each([
    ["a changed content id", (url: string) => url.replace("/api/cpix/movie-9", "/api/cpix/movie-8")],
    ["a changed kid", (url: string) => url.replace(KID, "00000000-0000-0000-0000-000000000001")],
    ["an added parameter", (url: string) => url.replace("?kid=", "?drm=playready&kid=")],
    ["a later expiry", (url: string) => url.replace(/expires=(\d+)/, (_m, n: string) => `expires=${Number(n) + 3600}`)],
    [
      "a changed MAC",
      (url: string) => url.replace(/token=([^.]+)\.(.)/, (_m, id: string, c: string) => `token=${id}.${c === "A" ? "B" : "A"}`),
    ],
  ])("refuses %s with 403 naming tampering", async (_case, change) => {
    const tenant = await createTenant();
    const url = await signedUrl(tenant, { ContentId: "movie-9", Query: `kid=${KID}`, ExpiresAt: inOneHour() });
    const response = await bare(change(url));
    expect(response.status).toBe(403);
    expect(await response.text()).toMatch(/Signed URL refused: its path or query was changed after signing/);
  });

  it("refuses another tenant's URL with 403 naming the tenant", async () => {
    const [a, b] = [await createTenant(), await createTenant()];
    await signedUrl(b, { ContentId: "movie-1", ExpiresAt: inOneHour() });
    const url = await signedUrl(a, { ContentId: "movie-1", ExpiresAt: inOneHour() });
    const response = await bare(url.replace(`tenant=${a.tenantId}`, `tenant=${b.tenantId}`));
    expect(response.status).toBe(403);
    expect(await response.text()).toContain(`Signed URL refused: its token was not issued for tenant ${b.tenantId}`);
    // A tenant without any URL secret, or none at all, is refused the same way.
    const nobody = crypto.randomUUID();
    const unknown = await bare(url.replace(`tenant=${a.tenantId}`, `tenant=${nobody}`));
    expect(unknown.status).toBe(403);
    expect(await unknown.text()).toContain(`not issued for tenant ${nobody}`);
  });

  it("refuses every URL issued before a secret rotation, and signs new ones with the new secret", async () => {
    const tenant = await createTenant();
    const old = await signedUrl(tenant, { ContentId: "movie-1", ExpiresAt: inOneHour() });
    expect((await bare(old)).status).toBe(200);
    const rotated = await api(tenant, "POST", "/api/CpixUrls/rotate-secret");
    expect(rotated.status).toBe(200);
    const { SecretId } = await rotated.json<{ SecretId: string }>();
    const response = await bare(old);
    expect(response.status).toBe(403);
    expect(await response.text()).toMatch(/has since been rotated/);
    const fresh = await signedUrl(tenant, { ContentId: "movie-1", ExpiresAt: inOneHour() });
    expect(new URL(fresh).searchParams.get("token")!.startsWith(`${SecretId}.`)).toBe(true);
    expect((await bare(fresh)).status).toBe(200);
    expect((await auditEntries(tenant)).find((entry) => entry.Action === "RotateCpixUrlSecret")).toMatchObject({
      Category: 112,
      ObjectId: SecretId,
    });
  });

  it.each([
    ["no ContentId", { ExpiresAt: "2999-01-01T00:00:00Z" }, /ContentId/],
    ["a past ExpiresAt", { ContentId: "m", ExpiresAt: "2000-01-01T00:00:00Z" }, /ExpiresAt must be in the future/],
    ["an ExpiresAt too far ahead", { ContentId: "m", ExpiresAt: "2999-01-01T00:00:00Z" }, /at most 366 days ahead/],
    ["an ExpiresAt without a zone", { ContentId: "m", ExpiresAt: "2030-01-01T00:00:00" }, /ISO 8601 instant/],
    ["a Query naming token", { ContentId: "m", Query: "token=x", ExpiresAt: inOneHour() }, /Query may not name token/],
  ])("refuses %s with 400", async (_case, body, message) => {
    const tenant = await createTenant();
    const response = await api(tenant, "POST", "/api/CpixUrls", body);
    expect(response.status).toBe(400);
    expect(await response.text()).toMatch(message);
  });

  it("refuses a token without its tenant or expiry", async () => {
    const tenant = await createTenant();
    const url = await signedUrl(tenant, { ContentId: "movie-1", ExpiresAt: inOneHour() });
    const response = await bare(url.replace(/&expires=\d+/, ""));
    expect(response.status).toBe(403);
    expect(await response.text()).toMatch(/needs exactly one each of tenant, expires and token/);
  });
});
