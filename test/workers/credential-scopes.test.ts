import { SELF } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { ROUTE_ACCESS, createApp } from "../../src/app";
import type { CredentialScope } from "../../src/tenancy/credentials";
import { BASE, basic, createTenant, type TestTenant } from "./support/api";
import { createCredential } from "./support/credentials";

/** Every route behind tenant credentials, with the scope it declares (ROUTE_ACCESS in src/app.ts). */
const app = createApp();
const TENANT_ROUTES = app.routes
  .filter((route) => route.method !== "ALL")
  .flatMap((route) => {
    const access = ROUTE_ACCESS.get(app)!.get(route.path);
    return access?.kind === "tenant" ? [{ method: route.method, path: route.path, scope: access.scope }] : [];
  });

/** A tenant and one credential of each kind, each on a tenant of its own so no budget runs out. */
const callers: Record<"acquire" | "manage" | "both", TestTenant> = {} as never;

beforeAll(async () => {
  for (const [kind, scopes] of [
    ["acquire", ["acquire"]],
    ["manage", ["manage"]],
    ["both", ["acquire", "manage"]],
  ] as const) {
    callers[kind] = (await createCredential(await createTenant(), { Name: kind, Scopes: [...scopes] })).as;
  }
});

function call(authorization: string, method: string, path: string): Promise<Response> {
  return SELF.fetch(`${BASE}${path.replace(/:[a-zA-Z]+/g, "339c45b5-fb6d-4bd9-994c-eabd9d41c95b")}`, {
    method,
    headers: { Authorization: authorization, "Content-Type": "application/json" },
    ...(method !== "GET" && { body: "{}" }),
  });
}

describe("credential scopes on every tenant route", () => {
  it("covers acquisition and management routes alike", () => {
    expect(TENANT_ROUTES.filter((route) => route.scope === "acquire").length).toBeGreaterThanOrEqual(4);
    expect(TENANT_ROUTES.filter((route) => route.scope === "manage").length).toBeGreaterThanOrEqual(10);
    expect(TENANT_ROUTES.some((route) => route.path === "/api/credentials")).toBe(true);
  });

  it.each(TENANT_ROUTES.map((route) => [route.method, route.path, route.scope] as const))(
    "%s %s (%s): 403 naming the scope for a credential without it, passes authentication for one with it",
    async (method, path, scope: CredentialScope) => {
      const other: CredentialScope = scope === "acquire" ? "manage" : "acquire";
      const lacking = await call(callers[other].authorization, method, path);
      expect(lacking.status).toBe(403);
      const message = (await lacking.json<{ error: string }>()).error;
      expect(message).toContain(`lacks the ${scope} scope`);
      expect(lacking.headers.get("X-AxDRM-ErrorMessage")).toBe(message);
      expect(lacking.headers.get("WWW-Authenticate")).toBeNull();
      for (const holder of [callers[scope], callers.both]) {
        const answer = await call(holder.authorization, method, path);
        if (method === "POST" && path === "/api/export/contentkeys") {
          // `{}` asks for a plain export, which the tenant has not allowed: its own 403, past the scope check.
          expect(answer.status).toBe(403);
          expect(await answer.text()).toContain("Plain export of content keys is not allowed");
        } else expect([401, 403]).not.toContain(answer.status);
      }
    },
  );

  it.each(TENANT_ROUTES.map((route) => [route.method, route.path] as const))(
    "%s %s: 401, never 403, for a secret that is no credential of the tenant",
    async (method, path) => {
      const tenant = callers.both;
      const response = await call(basic(tenant.tenantId, "not-a-credential"), method, path);
      expect(response.status).toBe(401);
    },
  );
});
