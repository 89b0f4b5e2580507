import { SELF, env, runInDurableObject } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ROUTE_ACCESS, createApp } from "../../src/app";
import { TEST_BINDINGS } from "../test-bindings";
import { BASE, api, basic, createTenant } from "./support/api";
import { createCredential, operatorCredential } from "./support/credentials";
import { readPublishedSnapshot } from "./support/kv-values";

afterEach(() => vi.restoreAllMocks());

/** Everything the Worker and the tenant objects write to the console while `run` runs. */
async function consoleOutput(run: () => Promise<void>): Promise<string> {
  const lines: unknown[] = [];
  for (const method of ["log", "info", "warn", "error", "debug"] as const) {
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => void lines.push(args));
  }
  await run();
  return JSON.stringify(lines);
}

describe("credential secrets", () => {
  it("appear in no GET answer, header, log entry, console line, KV value or stored row, and neither do their hashes", async () => {
    const tenant = await createTenant();
    const secrets = [tenant.managementKey];
    const bodies: string[] = [];
    let credentialId = "";
    const output = await consoleOutput(async () => {
      const acquire = await createCredential(tenant, { Name: "packager", Scopes: ["acquire"] });
      const manage = await createCredential(tenant, { Name: "console", Scopes: ["manage"] });
      const doomed = await createCredential(tenant, { Name: "doomed", Scopes: ["acquire", "manage"] });
      const recovered = await (await operatorCredential(tenant.tenantId)).json<{ Secret: string }>();
      secrets.push(acquire.credential.Secret, manage.credential.Secret, doomed.credential.Secret, recovered.Secret);
      credentialId = acquire.credential.Id;
      // Uses, refusals and a revocation, so every path that could log a credential runs.
      expect((await api(acquire.as, "GET", "/api/Cpix/c?kid=339c45b5-fb6d-4bd9-994c-eabd9d41c95b")).status).toBe(200);
      expect((await api(acquire.as, "GET", "/api/KeySeeds")).status).toBe(403);
      expect((await api(manage.as, "GET", "/api/Cpix/c")).status).toBe(403);
      expect(
        (await api({ ...tenant, authorization: basic(tenant.tenantId, `${acquire.credential.Secret}x`) }, "GET", "/api/KeySeeds")).status,
      ).toBe(401);
      expect((await api(manage.as, "DELETE", `/api/Credentials/${doomed.credential.Id}`)).status).toBe(204);
      expect((await api(doomed.as, "GET", "/api/KeySeeds")).status).toBe(401);

      // Every GET route of the tenant and operator APIs, with real ids where the path takes one.
      const app = createApp();
      const ids: Record<string, string> = {
        "/api/credentials/:id": credentialId,
        "/api/keyseeds/:id": tenant.keySeedId,
        "/admin/tenants/:id": tenant.tenantId,
      };
      for (const route of app.routes.filter((candidate) => candidate.method === "GET")) {
        const access = ROUTE_ACCESS.get(app)?.get(route.path);
        if (!access || access.kind === "signed-request") continue;
        const path = route.path.replace(/\/:[a-zA-Z]+$/, ids[route.path] ? `/${ids[route.path]}` : "/339c45b5-fb6d-4bd9-994c-eabd9d41c95b");
        const authorization = access.kind === "operator" ? `Bearer ${TEST_BINDINGS.ADMIN_TOKEN}` : tenant.authorization;
        const response = await SELF.fetch(`${BASE}${path}`, { headers: { Authorization: authorization } });
        bodies.push(`${path} ${response.status} ${JSON.stringify([...response.headers])} ${await response.text()}`);
      }
      for (let attempt = 0; attempt < 50 && !bodies.some((body) => body.includes('"Category":100')); attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        bodies.push(await (await api(tenant, "GET", "/api/Logs")).text());
      }
    });
    expect(bodies.some((body) => body.startsWith("/api/credentials 200"))).toBe(true);
    expect(bodies.some((body) => body.includes('"Category":100'))).toBe(true);
    expect(bodies.some((body) => body.includes('"Action":"AddCredential"'))).toBe(true);

    const snapshot = (await readPublishedSnapshot(tenant.tenantId))!;
    const hashes = snapshot.credentials.map((credential) => credential.hash);
    expect(hashes).toHaveLength(4);
    const rows = await runInDurableObject(env.TENANTS.get(env.TENANTS.idFromName(tenant.tenantId)), (_instance, state) =>
      state.storage.sql
        .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'")
        .toArray()
        .flatMap(({ name }) =>
          state.storage.sql
            .exec(`SELECT * FROM "${name}"`)
            .toArray()
            .map((row) => JSON.stringify(row)),
        ),
    );
    const kvValues = await Promise.all((await env.SNAPSHOTS.list()).keys.map(async ({ name }) => (await env.SNAPSHOTS.get(name)) ?? ""));

    for (const secret of secrets) {
      for (const body of bodies) expect(body).not.toContain(secret);
      expect(output).not.toContain(secret);
      for (const row of rows) expect(row).not.toContain(secret);
      for (const value of kvValues) expect(value).not.toContain(secret);
    }
    for (const hash of hashes) {
      for (const body of bodies) expect(body).not.toContain(hash);
      expect(output).not.toContain(hash);
    }
  });
});
