import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { api } from "./support/api";
import { tenantWithTestSeed } from "./support/tenant-with-seed";

/**
 * Security review of the base64 readers (src/domain/bytes.ts): `fromBase64Url` decodes loosely (pad bits ignored, a
 * trailing `=` taken), so a signed CPIX URL's MAC, 32 bytes in 43 base64url characters whose last carries two pad bits
 * (RFC 4648 §3.5), was accepted in eight spellings. README promises that a changed URL is refused: each other
 * spelling is a changed URL, refused as a token this service does not issue. The URL as issued still answers.
 */

const KID = "339c45b5-fb6d-4bd9-994c-eabd9d41c95b";
const BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/** The URL with its MAC's last character changed in its pad bits only: the same 32 bytes. */
function otherPadBits(url: string, flip: number): string {
  const last = url.at(-1)!;
  return url.slice(0, -1) + BASE64URL[BASE64URL.indexOf(last) ^ flip]!;
}

describe("a signed CPIX URL's token", () => {
  it("is refused in any spelling but the one issued, and answered in that one", async () => {
    const tenant = await tenantWithTestSeed();
    const expiresAt = new Date(Date.now() + 3600_000).toISOString();
    const minted = await api(tenant, "POST", "/api/CpixUrls", { ContentId: "movie", Query: `kid=${KID}`, ExpiresAt: expiresAt });
    expect(minted.status).toBe(201);
    const { Url: url } = await minted.json<{ Url: string }>();
    expect(url).toMatch(/\.[A-Za-z0-9_-]{43}$/);
    for (const respelled of [otherPadBits(url, 1), otherPadBits(url, 2), otherPadBits(url, 3), `${url}=`]) {
      const response = await SELF.fetch(respelled);
      expect(response.status, respelled.slice(-8)).toBe(403);
      expect(await response.json()).toEqual({ error: "Signed URL refused: its token is not one this service issues" });
    }
    expect((await SELF.fetch(url)).status).toBe(200);
  });
});
