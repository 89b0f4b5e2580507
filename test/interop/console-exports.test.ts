import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium, openSignedIn } from "./console-browser";
import { validatePskcXml } from "./pskc-tools";
import { startService, type RunningService } from "./service";
import { opensslCertificate, scratchFolder } from "./tools";
import { createServiceTenant } from "./walkthrough";

/** Issue 18: the key seeds leave the console only as PSKC, encrypted with a password or for an uploaded certificate. */
let service: RunningService;
let browser: Browser;
let tenant: Awaited<ReturnType<typeof createServiceTenant>>;
const scratch = scratchFolder();

beforeAll(async () => {
  [service, browser] = await Promise.all([startService(), launchChromium()]);
  tenant = await createServiceTenant(service.url);
});
afterAll(async () => {
  await browser?.close();
  await service?.stop();
  scratch.remove();
});

function signedIn() {
  return openSignedIn(browser, service.url, tenant);
}

describe("exporting key seeds", () => {
  it("downloads a schema-valid password-protected PSKC document with every seed and no plain value", async () => {
    const { page, errors } = await signedIn();
    await page.getByLabel("Export password").fill("correct horse battery staple");
    const downloading = page.waitForEvent("download");
    await page.getByRole("button", { name: "Export as PSKC" }).click();
    const download = await downloading;
    expect(download.suggestedFilename()).toBe("key-seeds.pskc.xml");
    const xml = await readFile((await download.path())!, "utf8");
    expect(await validatePskcXml(xml)).toEqual({ valid: true, errors: [] });
    expect(xml).toContain("PBKDF2-params");
    expect(xml).not.toContain("PlainValue");
    const seeds = (await (await fetch(`${service.url}/api/KeySeeds`, { headers: { Authorization: tenant.authorization } })).json()) as {
      Id: string;
    }[];
    for (const seed of seeds) expect(xml).toContain(seed.Id);
    expect(await page.getByLabel("Export password").inputValue()).toBe("");
    expect(errors).toEqual([]);
  });

  it("encrypts the export for an uploaded DER certificate", async () => {
    const { page, errors } = await signedIn();
    const certificate = await opensslCertificate(scratch.dir, "license-service", "rsa:2048");
    const derPath = join(scratch.dir, "license-service.der");
    await writeFile(derPath, certificate.certDer);
    await page.getByLabel("Or a recipient certificate").setInputFiles(derPath);
    const downloading = page.waitForEvent("download");
    await page.getByRole("button", { name: "Export as PSKC" }).click();
    const xml = await readFile((await (await downloading).path())!, "utf8");
    expect(await validatePskcXml(xml)).toEqual({ valid: true, errors: [] });
    expect(xml).toContain("rsa-oaep");
    expect(errors).toEqual([]);
  });

  it("shows the service's message for a password that is too short, and downloads nothing", async () => {
    const { page } = await signedIn();
    let downloads = 0;
    page.on("download", () => (downloads += 1));
    await page.getByLabel("Export password").fill("short");
    await page.getByRole("button", { name: "Export as PSKC" }).click();
    await expect.poll(() => page.getByRole("alert").textContent()).toMatch(/Password/);
    expect(downloads).toBe(0);
  });
});
