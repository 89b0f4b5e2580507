/// <reference types="node" />
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startService, type RunningService } from "./service";
import { PROJECT_ROOT, createServiceTenant, runCommand } from "./walkthrough";

/**
 * Clients that send credentials only after a `Basic` challenge must keep working now that browsers get none:
 * libcurl's `--anyauth` first asks without credentials, reads `WWW-Authenticate`, then retries with them.
 */
let service: RunningService;
let user: string;

beforeAll(async () => {
  service = await startService();
  const { tenantId, managementKey } = await createServiceTenant(service.url);
  user = `${tenantId}:${managementKey}`;
}, 120_000);

afterAll(async () => service?.stop());

describe("curl --anyauth (credentials sent only when challenged)", () => {
  it("reads the key seeds", async () => {
    const result = await runCommand(
      "curl",
      ["-s", "--anyauth", "-u", user, "-w", "\n%{http_code}", `${service.url}/api/KeySeeds`],
      PROJECT_ROOT,
    );
    expect(result.stdout.trim().split("\n").at(-1)).toBe("200");
  });

  it("posts a SPEKE v2 request and gets keys", async () => {
    const result = await runCommand(
      "curl",
      [
        "-s",
        "--anyauth",
        "-u",
        user,
        "-H",
        "Content-Type: application/xml",
        "-H",
        "X-Speke-Version: 2.0",
        "--data-binary",
        "@examples/speke-v2-preset-video-3-audio-1.xml",
        "-w",
        "\n%{http_code}",
        `${service.url}/api/SpekeV2`,
      ],
      PROJECT_ROOT,
    );
    const lines = result.stdout.trim().split("\n");
    expect(lines.at(-1)).toBe("200");
    expect(result.stdout).toContain("<pskc:PlainValue>");
  });
});
