import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium, openPage, openSignedIn, seriousViolations } from "./console-browser";
import { startService, type RunningService } from "./service";
import { opensslCertificate, scratchFolder } from "./tools";
import { createServiceTenant } from "./walkthrough";

/**
 * The console's Content keys page (over `/api/ContentKeys`, `/api/Import/ContentKeys`, `/api/Export/ContentKeys`) and
 * its API page (the reference rendered from `/api/openapi.json`), in headless Chromium.
 */
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

async function signedInOn(title: string) {
  const opened = await openSignedIn(browser, service.url, tenant);
  await openPage(opened.page, title);
  return opened;
}

interface ContentKeyJson {
  Id: string;
  Name: string;
  CreationMethod: number;
}

async function contentKeys(): Promise<ContentKeyJson[]> {
  return (await (
    await fetch(`${service.url}/api/ContentKeys`, { headers: { Authorization: tenant.authorization } })
  ).json()) as ContentKeyJson[];
}

describe("content keys", () => {
  it("creates a random key and one from a seed, imports one, filters, and deletes", async () => {
    const { page, errors } = await signedInOn("Content keys");
    const list = page.getByRole("table", { name: "Content keys" });

    await page.getByLabel("Name", { exact: true }).fill("random-key");
    await page.getByRole("button", { name: "Create content key" }).click();
    await expect.poll(() => list.getByRole("row", { name: /random-key/ }).count()).toBe(1);

    await page.getByLabel("Name", { exact: true }).fill("seed-key");
    await page.getByLabel("Key value").selectOption({ label: "From key seed Default" });
    await page.getByRole("button", { name: "Create content key" }).click();
    await expect.poll(() => list.getByRole("row", { name: /seed-key/ }).count()).toBe(1);

    const importedId = crypto.randomUUID();
    const data = Buffer.alloc(16, 7).toString("base64");
    await page.getByLabel("Keys to import").fill(JSON.stringify([{ Id: importedId, Name: "imported-key", Data: data }]));
    await page.getByRole("button", { name: "Import" }).click();
    await expect.poll(() => list.getByText(importedId).count()).toBe(1);

    const byName = new Map((await contentKeys()).map((key) => [key.Name, key]));
    expect(byName.get("random-key")?.CreationMethod).toBe(0);
    expect(byName.get("seed-key")?.CreationMethod).toBe(1);
    expect(byName.get("imported-key")?.CreationMethod).toBe(2);

    await page.getByLabel("Filter ($filter, OData)").fill("Name eq 'seed-key'");
    await page.getByRole("button", { name: "Filter", exact: true }).click();
    await expect.poll(() => list.getByRole("row").count()).toBe(2);

    page.on("dialog", (dialog) => dialog.accept());
    await page.getByRole("button", { name: "Delete content key seed-key" }).click();
    await expect.poll(() => page.getByText("none matches.").count()).toBe(1);
    expect((await contentKeys()).map((key) => key.Name)).not.toContain("seed-key");
    expect(errors).toEqual([]);
  });

  it("exports content keys as CPIX encrypted for an uploaded certificate", async () => {
    const { page, errors } = await signedInOn("Content keys");
    await page.getByLabel("Name", { exact: true }).fill("export-me");
    await page.getByRole("button", { name: "Create content key" }).click();
    await expect.poll(async () => (await contentKeys()).some((key) => key.Name === "export-me")).toBe(true);
    const certificate = await opensslCertificate(scratch.dir, "packager", "rsa:2048");
    const pemPath = join(scratch.dir, "packager.pem");
    await writeFile(pemPath, certificate.certPem);
    await page.getByLabel("Recipient certificate").setInputFiles(pemPath);
    const downloading = page.waitForEvent("download");
    await page.getByRole("button", { name: "Export as CPIX" }).click();
    const download = await downloading;
    const xml = await import("node:fs/promises").then(async (fs) => fs.readFile((await download.path())!, "utf8"));
    expect(xml).toContain("DeliveryData");
    expect(xml).not.toContain("PlainValue");
    expect(errors).toEqual([]);
  });
});

describe("the API reference", () => {
  it("renders every operation of /api/openapi.json, offline, and finds one by path", async () => {
    const spec = (await (await fetch(`${service.url}/api/openapi.json`, { headers: { Authorization: tenant.authorization } })).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    const operations = Object.values(spec.paths).flatMap((item) =>
      Object.keys(item).filter((key) => ["get", "put", "post", "delete", "patch"].includes(key)),
    );
    const { page, errors } = await signedInOn("API");
    const requests: string[] = [];
    page.on("request", (request) => requests.push(request.url()));
    await expect.poll(() => page.locator("details.operation").count()).toBe(operations.length);
    await page.getByLabel("Find an operation").fill("/api/KeySeeds");
    const keySeeds = page.locator("details.operation").filter({ hasText: "/api/KeySeeds" }).first();
    await keySeeds.locator("summary").click();
    await expect.poll(() => keySeeds.getByRole("heading", { name: "Responses" }).count()).toBe(1);
    expect(await seriousViolations(page)).toEqual([]);
    expect(requests.filter((url) => !url.startsWith(service.url))).toEqual([]);
    expect(errors).toEqual([]);
  });
});
