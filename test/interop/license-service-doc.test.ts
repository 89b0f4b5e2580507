/// <reference types="node" />
/**
 * docs/license-service.md, run as written: its `sh` blocks of steps 2–4 by bash (`set -euo pipefail`) against PSKC
 * documents our module wrote and against the running service's issuance log. The seeds they print equal the ones
 * imported, and derive-key.mjs re-creates the key the service served. Step 1 exports from the running service.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { readPskcPackage } from "../../src/pskc/reader";
import { writePskcCertificatePackage, writePskcPasswordPackage } from "../../src/pskc/writer";
import { describeSeedExportCertificateProblem } from "../../src/x509/certificate-failure";
import { TEST_BINDINGS } from "../test-bindings";
import { requireTools } from "./pskc-tools";
import { startService, type RunningService } from "./service";
import { opensslCertificate } from "./tools";
import { PROJECT_ROOT, cloneLikeFolder, runCommand } from "./walkthrough";

const PASSWORD = "a generated passphrase: 7 words long";
const KID = "5d7f9b1c-3e5a-4c7e-9f1b-3d5f7a9c1e3b";
const seeds = [
  { id: randomUUID(), name: "Main", value: new Uint8Array(randomBytes(30)) },
  { id: randomUUID(), name: "Backup", value: new Uint8Array(randomBytes(30)) },
];
let service: RunningService;
let folder: string;
let doc: string;
let auth: string;
let servedKey: string;

/** The `sh` blocks of the doc section under `heading`, up to the next heading (lines in code fences are not headings). */
function blocksUnder(heading: string): string {
  const blocks: string[] = [];
  let inSection = false;
  let fence: { sh: boolean; lines: string[] } | undefined;
  for (const line of doc.split("\n")) {
    if (fence) {
      if (!line.startsWith("```")) fence.lines.push(line);
      else {
        if (fence.sh && inSection) blocks.push(fence.lines.join("\n"));
        fence = undefined;
      }
    } else if (line.startsWith("```")) fence = { sh: line === "```sh", lines: [] };
    else if (/^#{1,6} /.test(line)) inSection = line === heading;
  }
  expect(blocks.length, heading).toBeGreaterThan(0);
  return blocks.join("\n");
}

function runDoc(headings: string[], cwd: string, password = PASSWORD) {
  const environment = `export URL=${service.url} AUTH="${auth}" PSKC_PASSWORD='${password}'\n`;
  return runCommand("bash", ["-c", `set -euo pipefail\n${environment}${headings.map(blocksUnder).join("\n")}`], cwd);
}

async function call(path: string, init: RequestInit & { headers: Record<string, string> }): Promise<Response> {
  const response = await fetch(`${service.url}${path}`, init);
  expect(response.status, `${path}: ${await response.clone().text()}`).toBeLessThan(300);
  return response;
}

// Every test fails naming the missing tool; none is skipped.
beforeEach(requireTools);

beforeAll(async () => {
  doc = await readFile(join(PROJECT_ROOT, "docs", "license-service.md"), "utf8");
  service = await startService();
  folder = await cloneLikeFolder();
  const json = { "Content-Type": "application/json" };
  const created = await call("/admin/tenants", {
    method: "POST",
    headers: { ...json, Authorization: `Bearer ${TEST_BINDINGS.ADMIN_TOKEN}` },
    body: JSON.stringify({ name: "license-service-doc" }),
  });
  const tenant = (await created.json()) as { tenantId: string; managementKey: string };
  auth = `Authorization: Basic ${Buffer.from(`${tenant.tenantId}:${tenant.managementKey}`).toString("base64")}`;
  const headers = { ...json, Authorization: auth.slice("Authorization: ".length) };
  const imports = seeds.map((seed) => ({ Id: seed.id, Data: Buffer.from(seed.value).toString("base64") }));
  await call("/api/Import/KeySeeds", { method: "POST", headers, body: JSON.stringify(imports) });
  await call(`/api/KeySeeds/${seeds[0]!.id}`, { method: "PUT", headers, body: JSON.stringify({ IsDefault: true }) });
  const cpix = await (await call(`/api/Cpix/movie-7?kid=${KID}&drm=playready&scheme=cenc`, { headers })).text();
  servedKey = /<pskc:PlainValue>([^<]+)</.exec(cpix)![1]!;
  // The issuance record is written off the response's path: wait until the log shows it.
  for (let attempt = 0; attempt < 50; attempt++) {
    const log = await (await call("/api/Logs", { headers })).text();
    if (log.includes(KID)) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}, 240_000);

afterAll(async () => {
  await service?.stop();
  if (folder) await rm(folder, { recursive: true, force: true });
});

const seedLines = () => seeds.map((seed) => `${seed.id} ${Buffer.from(seed.value).toString("base64")}`).join("\n");

describe("docs/license-service.md", () => {
  it("step 1's password form exports every seed from the running service, readable with the password", async () => {
    const block = blocksUnder("## 1. Export the seeds");
    const passwordForm = block.slice(0, block.indexOf("\n\n"));
    expect(passwordForm).toContain('curl -sf -X POST "$URL/api/Export/KeySeeds"');
    const cwd = join(folder, "step1");
    await mkdir(cwd, { recursive: true });
    const environment = `export URL=${service.url} AUTH="${auth}" PSKC_PASSWORD='${PASSWORD}'\n`;
    const result = await runCommand("bash", ["-c", `set -euo pipefail\n${environment}${passwordForm}`], cwd);
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
    const read = await readPskcPackage(await readFile(join(cwd, "seeds.pskcxml"), "utf8"), { password: PASSWORD });
    if (!read.ok) throw new Error(JSON.stringify(read.failure));
    for (const seed of seeds) expect(Buffer.from(read.keys.find((key) => key.id === seed.id)!.value)).toEqual(Buffer.from(seed.value));
  }, 120_000);

  it("password form: steps 2 and 3 print every seed, and step 4 re-creates the key the service served", async () => {
    await writeFile(join(folder, "seeds.pskcxml"), await writePskcPasswordPackage(seeds, PASSWORD));
    const result = await runDoc(["### Password form", "## 3. Check and decrypt every seed", "## 4. Re-create the key of a Key ID"], folder);
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
    expect(result.stdout).toContain(seedLines());
    expect(result.stdout.trim().split("\n").at(-1)).toBe(`${servedKey} ${Buffer.from(servedKey, "base64").toString("hex")}`);
  }, 120_000);

  it("certificate form: step 2 opens the transport key with openssl pkeyutl, step 3 prints every seed", async () => {
    const cwd = join(folder, "certificate");
    await mkdir(cwd);
    // The doc's commands name these files: license-service.key.pem and license-service.cert.pem.
    const der = (await opensslCertificate(cwd, "license-service", "rsa:2048", 2)).certDer;
    const written = await writePskcCertificatePackage(seeds, der, { now: new Date() });
    if (!written.ok) throw new Error(describeSeedExportCertificateProblem(written.problem));
    await writeFile(join(cwd, "seeds.pskcxml"), written.xml);
    const result = await runDoc(["### Certificate form", "## 3. Check and decrypt every seed"], cwd);
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
    expect(result.stdout.trim()).toBe(seedLines());
  }, 120_000);

  it("a wrong password stops at the MAC check and prints no seed", async () => {
    const cwd = join(folder, "wrong-password");
    await mkdir(cwd);
    await writeFile(join(cwd, "seeds.pskcxml"), await writePskcPasswordPackage(seeds, PASSWORD));
    const result = await runDoc(["### Password form", "## 3. Check and decrypt every seed"], cwd, "not the password at all");
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/bad decrypt|ValueMAC of .* does not match/);
    for (const seed of seeds) expect(result.stdout).not.toContain(Buffer.from(seed.value).toString("base64"));
  }, 120_000);
});
