import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { launchChromium, openConsole, openPage, screenshot, seriousViolations, signIn } from "./console-browser";
import { startService, type RunningService } from "./service";
import { createServiceTenant } from "./walkthrough";

/**
 * Issue 18: axe-core finds no serious or critical violation on any page of the console, in the states a user sees
 * (lists filled, a secret shown once, a refused setting), and each page is kept as a screenshot in
 * test/.console-screenshots/ (git-ignored).
 */
let service: RunningService;
let browser: Browser;

beforeAll(async () => {
  [service, browser] = await Promise.all([startService({ bindings: { DEFAULT_SEED_SWITCH_DELAY_SECONDS: "120" } }), launchChromium()]);
});
afterAll(async () => {
  await browser?.close();
  await service?.stop();
});

it("has no serious or critical axe-core violation on the sign-in page or any console page", async () => {
  const tenant = await createServiceTenant(service.url);
  const { page, errors } = await openConsole(browser, service.url);
  expect(await seriousViolations(page)).toEqual([]);
  await screenshot(page, "sign-in");

  await signIn(page, tenant.tenantId, tenant.managementKey);
  await expect.poll(() => page.getByRole("heading", { level: 1 }).textContent()).toBe("Key seeds");
  // Some content on every page: a pending default switch, a credential, a signer, an issuance.
  await page.getByLabel("Name").fill("studio-2026");
  await page.getByRole("button", { name: "Create" }).click();
  await page.getByRole("button", { name: "Make studio-2026 the default key seed" }).click();
  await expect.poll(() => page.getByRole("timer").count()).toBe(1);

  const titles = await page.getByRole("navigation", { name: "Console pages" }).getByRole("link").allTextContents();
  expect(titles.length).toBeGreaterThanOrEqual(6);
  for (const title of titles) {
    await openPage(page, title);
    await fillIn(title);
    expect({ title, violations: await seriousViolations(page) }).toEqual({ title, violations: [] });
    await screenshot(page, title.toLowerCase().replace(/\W+/g, "-"));
  }
  expect(errors).toEqual([]);

  async function fillIn(title: string): Promise<void> {
    switch (title) {
      case "Credentials":
        await page.getByLabel("Name").fill("packager-1");
        await page.getByRole("button", { name: "Create credential" }).click();
        await expect.poll(() => page.getByRole("region", { name: "Secret of packager-1" }).count()).toBe(1);
        return;
      case "Widevine signers":
        await page.getByLabel("Provider name").fill(`console-${tenant.tenantId.slice(0, 8)}`);
        await page.getByRole("button", { name: "Create signer" }).click();
        await expect.poll(() => page.getByRole("region", { name: /^Signing key and IV/ }).count()).toBe(1);
        return;
      case "Settings":
        await page.getByLabel("Allowed origins").fill("https://console.example.com/path");
        await page.getByRole("button", { name: "Save" }).click();
        await expect.poll(() => page.locator("#AllowedOrigins-error").isVisible()).toBe(true);
        return;
      case "Try it":
        await page.getByLabel("Video preset").selectOption("PRESET-VIDEO-3");
        await page.getByRole("button", { name: "Build request" }).click();
        await page.getByRole("button", { name: "Send" }).click();
        await expect.poll(() => page.getByRole("table", { name: "Keys in the answer" }).count()).toBe(1);
        return;
    }
  }
});

it("reports a control without a label as a critical violation, so the check above can fail", async () => {
  const { page } = await openConsole(browser, service.url);
  // Through the DOM, as the console itself builds elements: an input with no label.
  await page.evaluate(() => {
    const { document } = globalThis as unknown as {
      document: { body: { append(node: unknown): void }; createElement(tag: string): unknown };
    };
    document.body.append(document.createElement("input"));
  });
  expect((await seriousViolations(page)).map((violation) => violation.id)).toContain("label");
});
