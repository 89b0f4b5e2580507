/// <reference types="node" />
import { readFile, mkdir } from "node:fs/promises";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";
import type { Browser, Page } from "playwright-core";

/**
 * The tenant console in a real headless Chromium: Debian's `chromium` (installed by .ci/run), driven by
 * playwright-core, which never downloads a browser of its own. Every page collects the browser's console errors,
 * so a Content-Security-Policy violation (Chromium logs "Refused to …") fails the test that caused it.
 */

/** Where Debian installs Chromium; CHROMIUM_PATH overrides it. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
/** Screenshots of each page, kept as test artifacts (git-ignored). */
export const SCREENSHOT_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", ".console-screenshots");

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: apt-get install chromium (or set CHROMIUM_PATH)`);
  process.env.PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD = "1";
  const { chromium } = await import("playwright-core");
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ["--disable-gpu", "--no-first-run"] });
}

export interface ConsolePage {
  readonly page: Page;
  /** Messages Chromium logged as errors (CSP refusals among them), other than the API's expected 4xx answers. */
  readonly errors: string[];
}

/** A fresh browser context (own sessionStorage) on the console's sign-in page. */
export async function openConsole(browser: Browser, url: string): Promise<ConsolePage> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("console", (message) => {
    // A refused API call is logged by Chromium as a failed resource load; the console shows its message itself.
    if (message.type() === "error" && !/Failed to load resource: the server responded with a status of 4\d\d/.test(message.text())) {
      errors.push(message.text());
    }
  });
  page.on("pageerror", (error) => errors.push(error.message));
  await page.goto(`${url}/console/`);
  return { page, errors };
}

export async function signIn(page: Page, tenantId: string, secret: string): Promise<void> {
  await page.getByLabel("Tenant ID").fill(tenantId);
  await page.getByLabel("Management key").fill(secret);
  await page.getByRole("button", { name: "Sign in" }).click();
}

/** A console opened and signed in with a tenant's management key, on its first page (Key seeds). */
export async function openSignedIn(
  browser: Browser,
  url: string,
  tenant: { readonly tenantId: string; readonly managementKey: string },
): Promise<ConsolePage> {
  const opened = await openConsole(browser, url);
  await signIn(opened.page, tenant.tenantId, tenant.managementKey);
  await expect.poll(() => opened.page.getByRole("heading", { level: 1 }).textContent()).toBe("Key seeds");
  return opened;
}

export async function openPage(page: Page, title: string): Promise<void> {
  await page.getByRole("navigation", { name: "Console pages" }).getByRole("link", { name: title, exact: true }).click();
  await expect.poll(() => page.getByRole("heading", { level: 1 }).textContent()).toBe(title);
  // The page marks itself busy until its first answers are shown.
  await page.locator("main .page:not([aria-busy])").waitFor();
}

let axeSource: string | undefined;

/** axe-core's violations of impact serious or critical on the page as it is now. */
export async function seriousViolations(page: Page): Promise<{ id: string; impact: string; help: string; targets: string[] }[]> {
  axeSource ??= await readFile(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
  // Evaluated through the DevTools protocol, which the page's CSP does not govern (a <script> tag would be refused);
  // once per document: the console changes pages without loading another, and axe.run reads the DOM as it is now.
  if (!(await page.evaluate(() => "axe" in globalThis))) await page.evaluate(axeSource);
  const results = await page.evaluate(async () => {
    const { axe, document } = globalThis as unknown as {
      axe: { run: (context: unknown) => Promise<{ violations: AxeViolation[] }> };
      document: unknown;
    };
    return (await axe.run(document)).violations.map((violation) => ({
      id: violation.id,
      impact: violation.impact ?? "",
      help: violation.help,
      targets: violation.nodes.map((node) => node.target.join(" ")),
    }));
  });
  return results.filter((violation) => violation.impact === "serious" || violation.impact === "critical");
}

interface AxeViolation {
  id: string;
  impact?: string;
  help: string;
  nodes: { target: string[] }[];
}

export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
