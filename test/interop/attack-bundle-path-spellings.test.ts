/// <reference types="node" />
import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startService, type RunningService } from "./service";
import { createServiceTenant } from "./walkthrough";

/**
 * Attack on SegmentRouter and the Hono stand-ins, in the Worker bundle (wrangler.toml `[alias]` replaces Hono's path
 * reading, mount, form bodies and html with throwing stand-ins there, src/http/hono-unused-parts.ts; the Workers pool
 * runs Hono whole, so only this bundle can show a request that reaches one). With one tenant's `acquire` credential,
 * every spelling of a guarded path, sent as written (node:http, no client normalisation), under every method, must
 * meet its guard or no route, never a handler without its guard and never a 5xx. test/workers/attack-path-spellings
 * runs the same attack over every route in the Workers pool.
 */

let service: RunningService;
let acquireOnly: string;
/** Another tenant's secret, presented under this tenant's id. */
let otherTenantsSecret: string;

const SOME_ID = "0b9c7a1e-5c1d-4e2f-9a3b-4c5d6e7f8091";
const KID = "339c45b5-fb6d-4bd9-994c-eabd9d41c95b";

beforeAll(async () => {
  service = await startService({ unlimitedRates: true });
  const tenant = await createServiceTenant(service.url);
  const other = await createServiceTenant(service.url);
  const created = await fetch(`${service.url}/api/Credentials`, {
    method: "POST",
    headers: { Authorization: tenant.authorization, "Content-Type": "application/json" },
    body: JSON.stringify({ Name: "packager", Scopes: ["acquire"] }),
  });
  const { Secret } = (await created.json()) as { Secret: string };
  acquireOnly = basic(tenant.tenantId, Secret);
  otherTenantsSecret = basic(tenant.tenantId, other.managementKey);
}, 120_000);

afterAll(async () => service?.stop());

function basic(user: string, secret: string): string {
  return `Basic ${Buffer.from(`${user}:${secret}`).toString("base64")}`;
}

/** Sends `path` exactly as written (fetch would resolve `..`, `%2e%2e` and `//` first); answers the status and body. */
function send(method: string, path: string, authorization: string): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(service.url);
  return new Promise((resolve, reject) => {
    const body = method === "GET" || method === "HEAD" || method === "OPTIONS" ? undefined : "{}";
    const sent = request(
      {
        agent: false,
        host: hostname,
        port,
        method,
        path,
        headers: { Authorization: authorization, ...(body && { "Content-Type": "application/json", "Content-Length": 2 }) },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () => resolve({ status: response.statusCode!, body: Buffer.concat(chunks).toString() }));
      },
    );
    sent.on("error", reject);
    sent.end(body);
  });
}

/** Spellings a router, a proxy or an attacker may give the same path. */
function spellings(path: string): string[] {
  const last = path.lastIndexOf("/");
  return [
    path,
    path.toUpperCase(),
    `${path}/`,
    `/${path}`,
    `${path.slice(0, last)}/${path.slice(last)}`,
    `${path}%2F`,
    `${path.slice(0, last)}%2F${path.slice(last + 1)}`,
    `${path.slice(0, last)}/x/%2e%2e${path.slice(last)}`,
    `${path.slice(0, last)}/x/..${path.slice(last)}`,
    `${path};x`,
    `${path}/:id`,
    `${path}/*`,
    `${path}/${"a/".repeat(300)}`,
    `${path}${"x".repeat(4000)}`,
    path.replace(/[a-z]/, (letter) => `%${letter.charCodeAt(0).toString(16)}`),
    `${path}%C3%A9`,
  ];
}

const METHODS = ["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "PROPFIND"];

/** One path of each guarded group: the status its guard answers the attacker's acquire credential. */
const GUARDED = [
  { group: "Management API", path: "/api/KeySeeds", guard: 403 },
  { group: "Management API, an id", path: `/api/Credentials/${SOME_ID}`, guard: 403 },
  { group: "Operator API", path: "/admin/tenants", guard: 401 },
  { group: "Operator API, an id", path: `/admin/tenants/${SOME_ID}/credentials`, guard: 401 },
];

describe("the Worker bundle against every spelling of a guarded path", () => {
  it.each(GUARDED)("$group: $path meets its guard or no route, under every method", async ({ path, guard }) => {
    const answers = await Promise.all(
      spellings(path).flatMap((spelling) =>
        METHODS.map(async (method) => `${method} ${spelling.slice(0, 80)} ${(await send(method, spelling, acquireOnly)).status}`),
      ),
    );
    const elsewhere = answers.filter((answer) => ![guard, 404].map(String).includes(answer.split(" ").at(-1)!));
    expect(elsewhere).toEqual([]);
  });

  it("answers an acquisition path under every spelling with its own guard, a key answer or no route, never 5xx", async () => {
    const answers = await Promise.all(
      spellings(`/api/Cpix/content-1`).flatMap((spelling) =>
        METHODS.map(async (method) => {
          const { status: own } = await send(method, `${spelling}?kid=${KID}`, acquireOnly);
          const { status: other } = await send(method, `${spelling}?kid=${KID}`, otherTenantsSecret);
          return { sent: `${method} ${spelling.slice(0, 80)}`, own, other };
        }),
      ),
    );
    expect(answers.filter(({ own }) => own >= 500 || ![200, 400, 404].includes(own))).toEqual([]);
    // Another tenant's secret under this tenant's id: the 401 of an unknown secret wherever a route is matched.
    expect(answers.filter(({ other }) => ![401, 404].includes(other))).toEqual([]);
    expect(answers.some(({ own }) => own === 200)).toBe(true);
  });
});
