import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { TEST_BINDINGS } from "../test-bindings";
import { createTenant } from "./support/api";
import { Deployment } from "./support/deployment";

const OLD_KEY = TEST_BINDINGS.KEY_ENCRYPTION_KEY;
/** The bytes 0x20..0x3f. */
const NEW_KEY = "ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8=";
const ADMIN = { Authorization: `Bearer ${TEST_BINDINGS.ADMIN_TOKEN}`, "Content-Type": "application/json" };

async function wrappedDataKey(tenantId: string): Promise<string> {
  return runInDurableObject(
    env.TENANTS.get(env.TENANTS.idFromName(tenantId)),
    (_instance, state) =>
      state.storage.sql.exec<{ wrapped_data_key: string }>("SELECT wrapped_data_key FROM tenant").one().wrapped_data_key,
  );
}

function rotate(deployment: Deployment, body: unknown = {}, headers: Record<string, string> = ADMIN): Promise<Response> {
  return deployment.fetch("/admin/kek-rotation", { method: "POST", headers, body: typeof body === "string" ? body : JSON.stringify(body) });
}

describe("key-encryption key rotation guards", () => {
  it("answers 503 naming the tenant and both versions while the tenant objects still run the previous configuration, and changes nothing", async () => {
    const tenant = await createTenant();
    const before = await wrappedDataKey(tenant.tenantId);
    // The Worker already runs with version 2 current; the objects have not restarted with it yet.
    const response = await rotate(new Deployment({ KEY_ENCRYPTION_KEY: `2:${NEW_KEY},1:${OLD_KEY}` }));
    expect(response.status).toBe(503);
    expect(response.headers.get("Retry-After")).toBe("10");
    const body = await response.json<Record<string, unknown>>();
    expect(body.error).toBe(
      `The object of tenant ${tenant.tenantId} runs with key-encryption key version 1 as current, this Worker with 2: ` +
        "a deploy is still rolling out; call again with the same cursor shortly",
    );
    expect(body).toMatchObject({ keyVersion: 2, rewrapped: 0, remaining: 1, cursor: null, done: false });
    expect(await wrappedDataKey(tenant.tenantId)).toBe(before);
  });

  it("stops with 409 naming the tenant and the version no configured key opens, and never reports done past it", async () => {
    const tenant = await createTenant();
    const before = await wrappedDataKey(tenant.tenantId);
    const withoutVersion1 = await Deployment.roll({ KEY_ENCRYPTION_KEY: `3:${NEW_KEY}` });
    const response = await rotate(withoutVersion1);
    expect(response.status).toBe(409);
    const body = await response.json<Record<string, unknown>>();
    expect(body.error).toMatch(
      /^The data key of tenant [0-9a-f-]{36} cannot be opened: wrapped under key-encryption key version 1, which KEY_ENCRYPTION_KEY does not list \(it lists 3\)\. Add the key-encryption key of version 1 back to KEY_ENCRYPTION_KEY/,
    );
    expect(body).toMatchObject({ keyVersion: 3, rewrapped: 0, done: false });
    expect(body.error).not.toContain(NEW_KEY);
    expect(response.headers.get("X-AxDRM-ErrorMessage")).toBe(body.error);
    expect(await wrappedDataKey(tenant.tenantId)).toBe(before);
    // Called again, it stops at the same tenant.
    expect((await rotate(withoutVersion1, { cursor: body.cursor })).status).toBe(409);
  });

  it.each([
    ["a cursor that is not a tenant id", { cursor: "x" }, /^cursor must be the cursor a previous call returned/],
    ["a limit of 0", { limit: 0 }, /^limit must be an integer from 1 to 40$/],
    ["a limit over 40", { limit: 41 }, /^limit must be an integer from 1 to 40$/],
    ["a limit that is a string", { limit: "5" }, /^limit must be an integer from 1 to 40$/],
    ["malformed JSON", "{cursor", /^Malformed JSON/],
  ])("refuses %s with 400", async (_case, body, message) => {
    const response = await rotate(new Deployment({}), body);
    expect(response.status).toBe(400);
    expect((await response.json<{ error: string }>()).error).toMatch(message);
  });

  it("requires the operator's token", async () => {
    const response = await rotate(new Deployment({}), {}, { Authorization: "Bearer wrong", "Content-Type": "application/json" });
    expect(response.status).toBe(401);
  });
});
