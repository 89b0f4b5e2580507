/// <reference types="node" />
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startService, type RunningService } from "./service";
import { PROJECT_ROOT, createServiceTenant, runCommand } from "./walkthrough";

/**
 * Readers that can only GET a URL (Unified Streaming mp4split `--mpd.cpix=URL`; Unified Streaming docs, CPIX
 * command-line options) send no Authorization header: a signed URL from `POST /api/CpixUrls` is all they get.
 */
let service: RunningService;
let authorization: string;

beforeAll(async () => {
  service = await startService();
  ({ authorization } = await createServiceTenant(service.url));
}, 120_000);

afterAll(async () => service?.stop());

async function signedUrl(): Promise<string> {
  const response = await fetch(`${service.url}/api/CpixUrls`, {
    method: "POST",
    headers: { Authorization: authorization, "Content-Type": "application/json" },
    body: JSON.stringify({
      ContentId: "movie-42",
      Query: "kid=339c45b5-fb6d-4bd9-994c-eabd9d41c95b&drm=widevine&drm=playready&scheme=cenc",
      ExpiresAt: new Date(Date.now() + 600_000).toISOString(),
    }),
  });
  expect(response.status).toBe(201);
  return ((await response.json()) as { Url: string }).Url;
}

describe("an mp4split-style GET of a signed CPIX URL (curl, no headers)", () => {
  it("gets the CPIX document with keys", async () => {
    const result = await runCommand("curl", ["-s", "-w", "\n%{http_code}", await signedUrl()], PROJECT_ROOT);
    const lines = result.stdout.trim().split("\n");
    expect(lines.at(-1)).toBe("200");
    expect(result.stdout).toContain('contentId="movie-42"');
    expect(result.stdout).toContain("<pskc:PlainValue>");
  });

  it("is refused once the URL is changed", async () => {
    const url = (await signedUrl()).replace("drm=playready", "drm=fairplay");
    const result = await runCommand("curl", ["-s", "-w", "\n%{http_code}", url], PROJECT_ROOT);
    expect(result.stdout.trim().split("\n").at(-1)).toBe("403");
    expect(result.stdout).toContain("Signed URL refused");
  });
});
