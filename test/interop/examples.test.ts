/// <reference types="node" />
import { randomBytes, randomUUID } from "node:crypto";
import { readFile, readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keySeedFromBytes } from "../../src/domain/content-key";
import { deriveContentKey } from "../../src/domain/key-derivation";
import { KeyId } from "../../src/domain/key-id";
import { TEST_BINDINGS } from "../test-bindings";
import { startService, type RunningService } from "./service";
import { PROJECT_ROOT, cloneLikeFolder, runCommand } from "./walkthrough";

/** examples/: every file is listed in its README, and the Widevine examples are played against the service. */
let service: RunningService;
let folder: string;
let seed: Buffer;
let signer: { ProviderName: string; SigningKeyHex: string; SigningIvHex: string };

async function call(path: string, method: string, body: unknown, authorization: string) {
  const response = await fetch(`${service.url}${path}`, {
    method,
    headers: { Authorization: authorization, "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  expect(response.status, await response.clone().text()).toBeLessThan(300);
  return response.json() as Promise<Record<string, string>>;
}

beforeAll(async () => {
  service = await startService();
  folder = await cloneLikeFolder();
  const tenant = await call("/admin/tenants", "POST", { name: "examples" }, `Bearer ${TEST_BINDINGS.ADMIN_TOKEN}`);
  const authorization = `Basic ${Buffer.from(`${tenant.tenantId}:${tenant.managementKey}`).toString("base64")}`;
  seed = randomBytes(30);
  const seedId = randomUUID();
  await call("/api/Import/KeySeeds", "POST", [{ Id: seedId, Data: seed.toString("base64") }], authorization);
  await call(`/api/KeySeeds/${seedId}`, "PUT", { IsDefault: true }, authorization);
  const provider = `examples-${randomBytes(4).toString("hex")}`;
  signer = (await call("/api/WidevineProtectionInfoCredentials", "POST", { ProviderName: provider }, authorization)) as typeof signer;
}, 180_000);

afterAll(async () => {
  await service?.stop();
  if (folder) await rm(folder, { recursive: true, force: true });
});

function keyRequestScript(extra: string[], signingKey = signer.SigningKeyHex) {
  const args = ["examples/widevine-key-request.py", "--url", `${service.url}/api/WidevineProtectionInfo`, "--signer", signer.ProviderName];
  return runCommand("python3", [...args, "--signing-key", signingKey, "--signing-iv", signer.SigningIvHex, ...extra], folder);
}

async function derivedHex(kid: string): Promise<string> {
  return Buffer.from((await deriveContentKey(keySeedFromBytes(seed), KeyId.require(kid))).bytes).toString("hex");
}

describe("examples/", () => {
  it("lists every example in examples/README.md", async () => {
    const listed = await readFile(join(PROJECT_ROOT, "examples", "README.md"), "utf8");
    for (const name of await readdir(join(PROJECT_ROOT, "examples"))) {
      if (name !== "README.md") expect(listed, name).toContain(`\`${name}\``);
    }
  });

  it("widevine-key-request.py sends widevine-cenc-request.json signed, and prints its GUID's seed-derived key", async () => {
    const request = JSON.parse(await readFile(join(PROJECT_ROOT, "examples", "widevine-cenc-request.json"), "utf8"));
    const kid = Buffer.from(request.content_id, "base64").toString("utf8");
    const result = await keyRequestScript([]);
    expect(result.code, result.stderr).toBe(0);
    const kidHex = kid.replace(/-/g, "");
    expect(result.stdout).toContain(`# KID ${kid}`);
    expect(result.stdout).toContain(`--widevine.key=${kidHex}:${await derivedHex(kid)} --widevine.drm_specific_data=`);
    expect(result.stdout).toContain(`--iss.key=${kidHex}:${await derivedHex(kid)} --iss.drm_specific_data=`);
    expect(result.stdout).toMatch(/--hls\.key=:[0-9a-f]{32} --hls\.key_iv=[0-9a-f]{32} --hls\.license_server_url=skd:\/\//);
  });

  it("widevine-key-request.py --kid asks for that Key ID as the seed script does", async () => {
    const kid = randomUUID();
    const result = await keyRequestScript(["--kid", kid]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`--widevine.key=${kid.replace(/-/g, "")}:${await derivedHex(kid)}`);
  });

  it("widevine-key-request.py with a wrong signing key reports SIGNATURE_FAILED and exits 1", async () => {
    const result = await keyRequestScript(["--kid", randomUUID()], "00".repeat(32));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("SIGNATURE_FAILED");
    expect(result.stdout).toBe("");
  });
});
