/// <reference types="node" />
import { readFile, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startService, type RunningService } from "./service";
import { PROJECT_ROOT, cloneLikeFolder, runCommand } from "./walkthrough";

/**
 * The README's walk-through, as written: every `sh` block between "## Walk-through" and "## Troubleshooting",
 * run by bash with `set -euo pipefail` in a folder laid out like a fresh clone, against the running service.
 * The only change is the service's address (a free port instead of 8787). It must run twice in a row.
 */
const README_PORT_LINE = "URL=http://127.0.0.1:8787";

let service: RunningService;
let folder: string;
let script: string;

beforeAll(async () => {
  service = await startService();
  folder = await cloneLikeFolder();
  const readme = await readFile(join(PROJECT_ROOT, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("## Walk-through"), readme.indexOf("## Troubleshooting"));
  const blocks = [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((match) => match[1]!);
  expect(blocks.length).toBeGreaterThanOrEqual(3);
  const walkthrough = blocks.join("\n");
  expect(walkthrough).toContain(README_PORT_LINE);
  script = `set -euo pipefail\n${walkthrough.replace(README_PORT_LINE, `URL=${service.url}`)}`;
}, 180_000);

afterAll(async () => {
  await service?.stop();
  if (folder) await rm(folder, { recursive: true, force: true });
});

/** `<pskc:PlainValue>KEY` from step 6, then `KEY HEX` from derive-key.mjs, then the Python example's options. */
function checkKeysAgree(stdout: string): void {
  const served = /<pskc:PlainValue>([A-Za-z0-9+/=]+)/.exec(stdout)?.[1];
  const derived = /^([A-Za-z0-9+/=]{24}) ([0-9a-f]{32})$/m.exec(stdout);
  expect(served, stdout).toBeDefined();
  expect(derived, stdout).not.toBeNull();
  expect(derived![1]).toBe(served);
  // Step 9 asks the Widevine API for the same Key ID: the same seed gives the same key there too.
  expect(stdout).toContain(`--widevine.key=3f2f6a147b3c4b5e9d7a1c2b3d4e5f60:${derived![2]}`);
  // Step 12: the key openssl decrypted from the encrypted answer (RSA-OAEP, then AES-256-CBC) is the same key.
  expect(/^decrypted ([A-Za-z0-9+/=]{24})$/m.exec(stdout)?.[1], stdout).toBe(served);
}

describe("README walk-through", () => {
  it("runs top to bottom as written, and the served keys equal what derive-key.mjs re-creates from the seed", async () => {
    const result = await runCommand("bash", ["-c", script], folder, 240_000);
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
    checkKeysAgree(result.stdout);
    expect((await stat(join(folder, "local", "video.mp4"))).size).toBeGreaterThan(0);
    expect(await readFile(join(folder, "local", "movie.mpd"), "utf8")).toContain("urn:uuid:edef8ba9-79d6-4ace-a3c8-27dcd51d21ed");
    // Step 10: the packager's old credential, deleted after the switch, is refused.
    expect(result.stdout).toMatch(/^401$/m);
    // Step 13: xmlsec1 verifies the signed answer with the signing key's certificate.
    expect(`${result.stdout}\n${result.stderr}`).toMatch(/^OK$/m);
  }, 300_000);

  it("runs a second time in the same folder without an error", async () => {
    const result = await runCommand("bash", ["-c", script], folder, 240_000);
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
    checkKeysAgree(result.stdout);
  }, 300_000);
});
