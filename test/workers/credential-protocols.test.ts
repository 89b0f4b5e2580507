/**
 * A credential narrowed to acquisition protocols (`POST /api/Credentials {…, Protocols}`, issue 24): stored, listed,
 * published in the snapshot and audited; every acquisition route refuses a credential whose Protocols leave it out
 * with 403 in the route's own error shape, naming the credential's protocols. A signed CPIX URL speaks CpixGet only.
 */
import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { TenantStore } from "../../src/tenancy/tenant-store";
import { ACQUISITION_PROTOCOL_NAMES, DOCUMENT_ROUTES, URL_ROUTES } from "./support/acquisition-routes";
import { BASE, api, createTenant } from "./support/api";
import { createCredential } from "./support/credentials";
import { auditEntries } from "./support/logs";
import { tenantWithTestSeed } from "./support/tenant-with-seed";
import { readPublishedSnapshot } from "./support/kv-values";

const ROUTES = [...DOCUMENT_ROUTES, ...URL_ROUTES];
const PROTOCOLS_RULE = `Protocols must be a non-empty array of distinct protocols from ${ACQUISITION_PROTOCOL_NAMES.join(", ")}`;

describe("a credential's Protocols", () => {
  it("are stored, answered in the 201, listed (null for every protocol) and audited like its other fields", async () => {
    const tenant = await createTenant();
    const response = await api(tenant, "POST", "/api/Credentials", {
      Name: "encoder",
      Scopes: ["acquire"],
      Protocols: ["Harmonic", "SpekeV2"],
    });
    expect(response.status).toBe(201);
    const created = await response.json<{ Id: string; Protocols: string[] }>();
    // Listed in one order (ACQUISITION_PROTOCOLS') whatever the request's.
    expect(created.Protocols).toEqual(["SpekeV2", "Harmonic"]);
    const listed = await (await api(tenant, "GET", "/api/Credentials")).json<{ Id: string; Protocols: string[] | null }[]>();
    expect(listed.map((credential) => credential.Protocols)).toEqual([null, ["SpekeV2", "Harmonic"]]);
    expect(await (await api(tenant, "GET", `/api/Credentials/${created.Id}`)).json()).toEqual(listed[1]);
    const added = (await auditEntries(tenant)).filter((entry) => entry.Action === "AddCredential" && entry.ObjectId === created.Id);
    expect(added).toMatchObject([{ Category: 101, RequestPath: "/api/Credentials" }]);
  });

  it("are published in the snapshot the read path authenticates from; a credential without them has none there", async () => {
    const tenant = await createTenant();
    const { credential } = await createCredential(tenant, { Name: "encoder", Scopes: ["acquire"], Protocols: ["Harmonic"] });
    const snapshot = await readPublishedSnapshot(tenant.tenantId);
    const published = snapshot!.credentials;
    expect(published.find((entry) => entry.id === credential.Id)).toMatchObject({ protocols: ["Harmonic"] });
    expect(published.filter((entry) => entry.id !== credential.Id).map((entry) => "protocols" in entry)).toEqual([false]);
  });

  it("are absent from the credentials of a snapshot written before them, which every route answers in a fresh isolate", async () => {
    const tenant = await tenantWithTestSeed();
    const snapshot = (await readPublishedSnapshot(tenant.tenantId))!;
    expect(snapshot.credentials.every((credential) => !("protocols" in credential))).toBe(true);
    TenantStore.clear();
    for (const route of ROUTES) expect((await route.send(tenant)).status, route.name).toBe(200);
  });

  it.each([
    ["empty Protocols", [], PROTOCOLS_RULE],
    ["Protocols as a string", "Harmonic", PROTOCOLS_RULE],
    ["an unknown protocol", ["Harmonic", "Widevine"], `${PROTOCOLS_RULE}; Protocols[1] is not one of them`],
    ["a protocol twice", ["Cpix", "Cpix"], `${PROTOCOLS_RULE}; Cpix appears twice`],
  ])("refuses %s with 400 naming the rule, and creates nothing", async (_case, protocols, message) => {
    const tenant = await createTenant();
    const response = await api(tenant, "POST", "/api/Credentials", { Name: "x", Scopes: ["acquire"], Protocols: protocols });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: message });
    expect(await (await api(tenant, "GET", "/api/Credentials")).json()).toHaveLength(1);
  });
});

describe.each(ROUTES)("$name", (route) => {
  it("refuses a credential whose Protocols leave it out with 403 naming them, in the protocol's error shape", async () => {
    const tenant = await tenantWithTestSeed();
    const others = ACQUISITION_PROTOCOL_NAMES.filter((protocol) => protocol !== route.protocol);
    const { as } = await createCredential(tenant, { Name: "elsewhere", Scopes: ["acquire"], Protocols: others });
    const response = await route.send(as);
    expect(response.status).toBe(403);
    expect(response.headers.get("Content-Type")).toMatch(/^text\/plain/);
    const message = `This credential may acquire keys only over ${others.join(", ")} (its Protocols), not ${route.protocol}`;
    expect(await response.text()).toBe(message);
    expect(response.headers.get("X-AxDRM-ErrorMessage")).toBe(message);
  });

  it("answers a credential limited to its protocol", async () => {
    const tenant = await tenantWithTestSeed();
    const { as } = await createCredential(tenant, { Name: "here", Scopes: ["acquire"], Protocols: [route.protocol] });
    const response = await route.send(as);
    expect(response.status, await response.clone().text()).toBe(200);
  });
});

describe("Harmonic RequireSignatures with a credential limited to Harmonic", () => {
  it("holds: the same credential gets no keys unsigned from /api/Cpix or any other route", async () => {
    const tenant = await tenantWithTestSeed();
    const { as } = await createCredential(tenant, { Name: "encoder", Scopes: ["acquire"], Protocols: ["Harmonic"] });
    const plain = DOCUMENT_ROUTES.find((route) => route.protocol === "Cpix")!;
    const response = await plain.send(as);
    expect(response.status).toBe(403);
    expect(await response.text()).toMatch(/only over Harmonic \(its Protocols\), not Cpix$/);
  });
});

describe("a signed CPIX URL", () => {
  it("speaks CpixGet: its token opens no other route", async () => {
    const tenant = await tenantWithTestSeed();
    const minted = await api(tenant, "POST", "/api/CpixUrls", {
      ContentId: "c1",
      Query: "drm=widevine",
      ExpiresAt: new Date(Date.now() + 3_600_000).toISOString(),
    });
    const url = new URL((await minted.json<{ Url: string }>()).Url);
    expect((await SELF.fetch(url)).status).toBe(200);
    const elsewhere = await SELF.fetch(`${BASE}/api/Anevia${url.search}`);
    expect(elsewhere.status).toBe(401);
  });
});
