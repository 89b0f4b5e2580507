import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium, openConsole, openPage, openSignedIn, signIn } from "./console-browser";
import { startService, type RunningService } from "./service";
import { createServiceTenant } from "./walkthrough";

/** Issue 18: the tenant console's tasks, done in headless Chromium against the production bundle and its assets. */
let service: RunningService;
let browser: Browser;
let tenant: Awaited<ReturnType<typeof createServiceTenant>>;

beforeAll(async () => {
  // The deployed delay (wrangler.toml), not the test bindings' 0, so a default switch stays pending long enough to see.
  [service, browser] = await Promise.all([startService({ bindings: { DEFAULT_SEED_SWITCH_DELAY_SECONDS: "120" } }), launchChromium()]);
  tenant = await createServiceTenant(service.url);
});
afterAll(async () => {
  await browser?.close();
  await service?.stop();
});

function signedIn() {
  return openSignedIn(browser, service.url, tenant);
}

describe("signing in", () => {
  it("shows the service's own message for wrong credentials and stores nothing", async () => {
    const { page, errors } = await openConsole(browser, service.url);
    await signIn(page, tenant.tenantId, "not-the-key");
    await expect
      .poll(() => page.getByRole("alert").textContent())
      .toBe("Authentication failed: send Authorization: Basic base64(tenantId:managementKey)");
    expect(await page.evaluate(() => (globalThis as unknown as { sessionStorage: { length: number } }).sessionStorage.length)).toBe(0);
    expect(errors).toEqual([]);
  });

  it("keeps the credential in sessionStorage only, sends it as Authorization, and forgets it on Sign out", async () => {
    const { page, errors } = await signedIn();
    const apiRequest = page.waitForRequest((request) => request.url().includes("/api/Credentials"));
    await openPage(page, "Credentials");
    const sent = await apiRequest;
    expect(await sent.headerValue("authorization")).toBe(tenant.authorization);
    expect(sent.url()).not.toContain(tenant.managementKey);
    expect(await page.context().cookies()).toEqual([]);
    const stored = () => page.evaluate(() => JSON.stringify((globalThis as unknown as { sessionStorage: object }).sessionStorage));
    expect(await stored()).toContain(tenant.managementKey);
    expect(await page.evaluate(() => (globalThis as unknown as { localStorage: { length: number } }).localStorage.length)).toBe(0);
    await page.getByRole("button", { name: "Sign out" }).click();
    await expect.poll(() => page.getByRole("heading", { level: 1 }).textContent()).toBe("Sign in");
    expect(await stored()).not.toContain(tenant.managementKey);
    await page.reload();
    await expect.poll(() => page.getByRole("button", { name: "Sign in" }).count()).toBe(1);
    expect(errors).toEqual([]);
  });
});

describe("keyboard use", () => {
  it("signs in, moves between pages and creates a seed with the keyboard alone", async () => {
    const { page, errors } = await openConsole(browser, service.url);
    // The sign-in page focuses the first field.
    await page.keyboard.type(tenant.tenantId);
    await page.keyboard.press("Tab");
    await page.keyboard.type(tenant.managementKey);
    await page.keyboard.press("Enter");
    await expect.poll(() => page.getByRole("heading", { level: 1 }).textContent()).toBe("Key seeds");
    // Each page focuses its heading, so the next Tab starts in the page, not back at the top.
    expect(
      await page.evaluate(
        () => (globalThis as unknown as { document: { activeElement: { tagName: string } } }).document.activeElement.tagName,
      ),
    ).toBe("H1");
    await page.getByRole("link", { name: "Credentials" }).focus();
    await page.keyboard.press("Enter");
    await expect.poll(() => page.getByRole("heading", { level: 1 }).textContent()).toBe("Credentials");
    await page.getByRole("link", { name: "Key seeds" }).focus();
    await page.keyboard.press("Enter");
    await expect.poll(() => page.getByRole("heading", { level: 1 }).textContent()).toBe("Key seeds");
    await page.getByLabel("Name").focus();
    await page.keyboard.type("keyboard-seed");
    await page.keyboard.press("Enter");
    await expect
      .poll(() =>
        page
          .getByRole("table", { name: "Key seeds" })
          .getByRole("row", { name: /keyboard-seed/ })
          .count(),
      )
      .toBe(1);
    expect(errors).toEqual([]);
  });
});

describe("key seeds", () => {
  it("creates a seed, makes it default and counts down to the switch's effectiveAt", async () => {
    const { page, errors } = await signedIn();
    await page.getByLabel("Name").fill("console-seed");
    await page.getByRole("button", { name: "Create" }).click();
    const table = page.getByRole("table", { name: "Key seeds" });
    await expect.poll(() => table.getByRole("row", { name: /console-seed/ }).count()).toBe(1);
    await page.getByRole("button", { name: "Make console-seed the default key seed" }).click();
    const countdown = page.getByRole("timer");
    await expect.poll(() => countdown.count()).toBe(1);
    const first = await countdown.textContent();
    // DEFAULT_SEED_SWITCH_DELAY_SECONDS is 120 in wrangler.toml: the countdown starts near 2:00 and goes down.
    expect(first).toMatch(/^[12]:\d\d$/);
    await expect.poll(() => countdown.textContent(), { timeout: 5000 }).not.toBe(first);
    expect(await page.getByRole("region", { name: "Pending default switch" }).textContent()).toContain("console-seed");
    // The API agrees: the new default carries DefaultEffectiveAt.
    const seeds = (await (
      await fetch(`${service.url}/api/KeySeeds`, { headers: { Authorization: tenant.authorization } })
    ).json()) as KeySeedJson[];
    expect(seeds.find((seed) => seed.Name === "console-seed")?.DefaultEffectiveAt).toBeDefined();
    expect(errors).toEqual([]);
  });

  it("shows the service's refusal to delete the default seed, and deletes nothing", async () => {
    const { page, errors } = await signedIn();
    const listed = async () =>
      (await (await fetch(`${service.url}/api/KeySeeds`, { headers: { Authorization: tenant.authorization } })).json()) as KeySeedJson[];
    const before = await listed();
    const defaultSeed = before.find((seed) => seed.IsDefault)!;
    page.on("dialog", (dialog) => dialog.accept());
    await page.getByRole("button", { name: `Delete key seed ${defaultSeed.Name}`, exact: true }).click();
    const alert = page.getByRole("alert");
    await expect.poll(() => alert.count()).toBe(1);
    // The same refusal the API gives a client that tries it (409 naming the rule).
    const refused = await fetch(`${service.url}/api/KeySeeds/${defaultSeed.Id}`, {
      method: "DELETE",
      headers: { Authorization: tenant.authorization },
    });
    expect(refused.status).toBe(409);
    expect(await alert.textContent()).toBe(((await refused.json()) as { error: string }).error);
    expect(await listed()).toEqual(before);
    expect(errors).toEqual([]);
  });
});

interface KeySeedJson {
  Id: string;
  Name: string;
  IsDefault: boolean;
  DefaultEffectiveAt?: string;
}

describe("credentials", () => {
  it("shows a new secret once with a copy button and a warning; revoked, the API refuses it", async () => {
    const { page, errors } = await signedIn();
    await openPage(page, "Credentials");
    await page.getByLabel("Name").fill("packager-1");
    await page.getByRole("button", { name: "Create credential" }).click();
    const once = page.getByRole("region", { name: "Secret of packager-1" });
    const secret = await once.getByRole("textbox", { name: "Secret" }).inputValue();
    expect(secret.length).toBeGreaterThan(20);
    expect(await once.textContent()).toContain("shows it only this once");
    expect(await once.getByRole("button", { name: "Copy Secret" }).count()).toBe(1);
    const acquire = () =>
      fetch(`${service.url}/api/Cpix/console-movie?kid=${crypto.randomUUID()}`, {
        headers: { Authorization: `Basic ${Buffer.from(`${tenant.tenantId}:${secret}`).toString("base64")}` },
      });
    expect((await acquire()).status).toBe(200);
    // Shown once: after leaving the page and coming back it is gone, and no answer of the list carries it.
    await openPage(page, "Key seeds");
    await openPage(page, "Credentials");
    expect(await page.content()).not.toContain(secret);
    page.on("dialog", (dialog) => dialog.accept());
    await page.getByRole("button", { name: "Revoke credential packager-1" }).click();
    await expect.poll(() => page.getByRole("table", { name: "Credentials" }).getByText("packager-1").count()).toBe(0);
    expect((await acquire()).status).toBe(401);
    expect(errors).toEqual([]);
  });
});

describe("settings", () => {
  it("shows the service's validation message beside the field it names", async () => {
    const { page, errors } = await signedIn();
    await openPage(page, "Settings");
    await page.getByLabel("Log retention (days)").fill("0");
    await page.getByRole("button", { name: "Save" }).click();
    const field = page.getByLabel("Log retention (days)");
    await expect.poll(() => field.getAttribute("aria-invalid")).toBe("true");
    const describedBy = (await field.getAttribute("aria-describedby")) ?? "";
    expect(describedBy).toContain("LogRetentionDays-error");
    expect(await page.locator("#LogRetentionDays-error").textContent()).toBe(
      "LogRetentionDays must be a whole number of days from 1 to 3650",
    );
    await field.fill("30");
    await page.getByRole("button", { name: "Save" }).click();
    await expect.poll(() => page.getByText("Settings saved.").count()).toBe(1);
    expect(errors).toEqual([]);
  });
});

describe("try it and the logs", () => {
  it("issues keys from a SPEKE v2 preset request, shows them, and finds the KID's seed in the log search", async () => {
    const { page, errors } = await signedIn();
    await openPage(page, "Try it");
    await page.getByLabel("Video preset").selectOption("PRESET-VIDEO-3");
    await page.getByLabel("Audio preset").selectOption("PRESET-AUDIO-1");
    await page.getByRole("button", { name: "Build request" }).click();
    await page.getByRole("button", { name: "Send" }).click();
    const keys = page.getByRole("table", { name: "Keys in the answer" });
    await expect.poll(() => keys.getByRole("row").count()).toBe(5);
    const kid = (await keys.getByRole("row").nth(1).getByRole("cell").first().textContent())!;
    expect(kid).toMatch(/^[0-9a-f-]{36}$/);
    expect(await keys.getByRole("row").nth(1).getByRole("cell").nth(2).textContent()).toMatch(/^[0-9a-f]{32}$/);
    await openPage(page, "Logs");
    await page.getByLabel("KID").fill(kid);
    const entries = page.getByRole("table", { name: "Log entries" });
    // Issuance records are written just after the answer (README "Logs"): search until it is there.
    await expect
      .poll(async () => {
        await page.getByRole("button", { name: "Search" }).click();
        return entries.getByText(kid).count();
      })
      .toBe(1);
    const row = entries.getByRole("row").filter({ hasText: kid });
    const seeds = (await (
      await fetch(`${service.url}/api/KeySeeds`, { headers: { Authorization: tenant.authorization } })
    ).json()) as KeySeedJson[];
    const issuing = await row.getByRole("cell").nth(5).textContent();
    expect(seeds.some((seed) => issuing?.includes(seed.Id))).toBe(true);
    expect(errors).toEqual([]);
  });

  it("acquires with a temporary acquire credential for a manage-only sign-in, and revokes it after", async () => {
    const created = await fetch(`${service.url}/api/Credentials`, {
      method: "POST",
      headers: { Authorization: tenant.authorization, "Content-Type": "application/json" },
      body: JSON.stringify({ Name: "console-admin", Scopes: ["manage"] }),
    });
    const { Secret } = (await created.json()) as { Secret: string };
    const { page, errors } = await openConsole(browser, service.url);
    await signIn(page, tenant.tenantId, Secret);
    await openPage(page, "Try it");
    await page.getByRole("button", { name: "Send" }).click();
    await expect.poll(() => page.getByText(/temporary acquire credential, revoked after the answer/).count()).toBe(1);
    expect(await page.getByRole("table", { name: "Keys in the answer" }).getByRole("row").count()).toBeGreaterThan(1);
    const credentials = (await (
      await fetch(`${service.url}/api/Credentials`, { headers: { Authorization: tenant.authorization } })
    ).json()) as {
      Name: string;
    }[];
    expect(credentials.map((credential) => credential.Name)).not.toContain("console Try it (temporary)");
    expect(errors).toEqual([]);
  });
});
