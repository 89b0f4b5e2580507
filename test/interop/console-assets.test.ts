import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startService, type RunningService } from "./service";
import { createServiceTenant } from "./walkthrough";

/**
 * Issue 18: the console is Workers Static Assets (wrangler.toml `[assets]`), served before and without the Worker,
 * with the headers of public/_headers; the Worker's browser guard lets the console's same-origin calls through
 * and still refuses other origins.
 */
let service: RunningService;
beforeAll(async () => {
  service = await startService();
});
afterAll(() => service?.stop());

const CONSOLE_DIR = join(import.meta.dirname, "..", "..", "public", "console");

async function consoleFiles(dir = CONSOLE_DIR, prefix = ""): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((entry) =>
      entry.isDirectory() ? consoleFiles(join(dir, entry.name), `${prefix}${entry.name}/`) : [`${prefix}${entry.name}`],
    ),
  );
  return nested.flat();
}

describe("the console's static files", () => {
  it("serves /console/ with a strict Content-Security-Policy, no framing and nosniff", async () => {
    const response = await fetch(`${service.url}/console/`);
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toMatch(/^text\/html/);
    const csp = response.headers.get("Content-Security-Policy") ?? "";
    const directives = new Map(
      csp
        .split(";")
        .map((part) => part.trim().split(/\s+/) as [string, ...string[]])
        .map(([name, ...values]) => [name, values]),
    );
    expect(directives.get("default-src")).toEqual(["'self'"]);
    expect(directives.get("script-src")).toEqual(["'self'"]);
    expect(directives.get("style-src")).toEqual(["'self'"]);
    expect(directives.get("frame-ancestors")).toEqual(["'none'"]);
    expect(csp).not.toContain("unsafe-inline");
    expect(csp).not.toContain("unsafe-eval");
    expect(response.headers.get("X-Content-Type-Options")).toBe("nosniff");
    expect(response.headers.get("X-Frame-Options")).toBe("DENY");
    expect(response.headers.get("Referrer-Policy")).toBe("no-referrer");
  });

  it("serves every console file with the same headers and its own type", async () => {
    const files = await consoleFiles();
    expect(files).toContain("js/app.js");
    for (const file of files) {
      const response = await fetch(`${service.url}/console/${file}`);
      const type = response.headers.get("Content-Type") ?? "";
      expect({ file, status: response.status }).toEqual({ file, status: 200 });
      if (file.endsWith(".js")) expect(type).toMatch(/javascript/);
      if (file.endsWith(".css")) expect(type).toMatch(/^text\/css/);
      expect(response.headers.get("Content-Security-Policy")).toContain("frame-ancestors 'none'");
      expect(await response.text()).toBe(await readFile(join(CONSOLE_DIR, file), "utf8"));
    }
  });

  it("holds no inline script, inline style or style attribute, and loads nothing from another origin", async () => {
    for (const file of await consoleFiles()) {
      const text = await readFile(join(CONSOLE_DIR, file), "utf8");
      if (file.endsWith(".html")) {
        expect(text).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
        expect(text).not.toMatch(/<style|\sstyle=|\son[a-z]+=/i);
      }
      expect({ file, foreign: text.match(/(?:src|href|url\()\s*=?\s*["']?(?:https?:)?\/\/[^"')\s]+/g) }).toEqual({ file, foreign: null });
      expect({ file, inner: /innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(|new Function/.test(text) }).toEqual({
        file,
        inner: false,
      });
    }
  });

  it("redirects /console to /console/, does not serve _headers, and leaves the Worker's routes to the Worker", async () => {
    const bare = await fetch(`${service.url}/console`, { redirect: "manual" });
    expect(bare.status).toBe(307);
    expect(bare.headers.get("Location")).toBe("/console/");
    expect((await fetch(`${service.url}/_headers`)).status).toBe(404);
    expect(await (await fetch(`${service.url}/healthz`)).text()).toBe("ok");
    expect((await fetch(`${service.url}/api/KeySeeds`)).status).toBe(401);
  });
});

describe("the browser guard and the console's calls", () => {
  it("lets same-origin browser calls (Origin = the service, Sec-Fetch-Site: same-origin) through", async () => {
    const tenant = await createServiceTenant(service.url);
    const response = await fetch(`${service.url}/api/KeySeeds`, {
      method: "POST",
      headers: {
        Authorization: tenant.authorization,
        "Content-Type": "application/json",
        Origin: service.url,
        "Sec-Fetch-Site": "same-origin",
        "Sec-Fetch-Mode": "cors",
      },
      body: JSON.stringify({ Name: "from-the-console" }),
    });
    expect(response.status).toBe(201);
    expect(response.headers.get("Access-Control-Allow-Origin")).toBeNull();
  });

  it("still refuses the same call from another origin, which the console's presence does not allow", async () => {
    const tenant = await createServiceTenant(service.url);
    const response = await fetch(`${service.url}/api/KeySeeds`, {
      method: "POST",
      headers: {
        Authorization: tenant.authorization,
        "Content-Type": "application/json",
        Origin: "https://attacker.example",
        "Sec-Fetch-Site": "cross-site",
        "Sec-Fetch-Mode": "cors",
      },
      body: JSON.stringify({ Name: "forged" }),
    });
    expect(response.status).toBe(403);
    expect(((await response.json()) as { error: string }).error).toContain("Cross-origin request from https://attacker.example refused");
    // workerd closes the connection of a request whose body it did not read; the GET goes on a new one.
    const list = () => fetch(`${service.url}/api/KeySeeds`, { headers: { Authorization: tenant.authorization } });
    const seeds = (await (await list().catch(list)).json()) as { Name: string }[];
    expect(seeds.map((seed) => seed.Name)).not.toContain("forged");
  });
});
