/// <reference types="node" />
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TEST_BINDINGS } from "../test-bindings";
import { buildServiceBundle, startPersistedService, type KillableService, type ServiceBundle } from "./service";

/**
 * Issue 25: what a crash (SIGKILL of workerd and its host, no chance to flush) may lose. Several clients acquire keys
 * and write through the Management API while the service is killed mid-run, three times; each time it starts again on
 * the same persisted state. Afterwards every 2xx management write is there, every answered acquisition has its
 * issuance record (recorded before answered, docs/storage.md §Issuance delivery), and every key answers as before.
 */

const ACQUIRING_CLIENTS = 6;
const MANAGING_CLIENTS = 2;
const KILLS = 3;

interface Tenant {
  readonly tenantId: string;
  readonly authorization: string;
}

/** What the clients saw answered before the kills: KID → key (base64), and the content keys created. */
interface Answered {
  readonly keys: Map<string, string>;
  readonly contentKeyIds: string[];
}

let bundle: ServiceBundle;
let persistDir: string;
let service: KillableService | undefined;

beforeAll(async () => {
  bundle = await buildServiceBundle();
  persistDir = await mkdtemp(join(tmpdir(), "eks-kill-"));
});

afterAll(async () => {
  await service?.kill();
  await bundle?.remove();
  if (persistDir) await rm(persistDir, { recursive: true, force: true });
});

async function createTenant(url: string): Promise<Tenant> {
  const response = await fetch(`${url}/admin/tenants`, {
    method: "POST",
    headers: { Authorization: `Bearer ${TEST_BINDINGS.ADMIN_TOKEN}`, "Content-Type": "application/json" },
    body: JSON.stringify({ name: "kill" }),
  });
  expect(response.status).toBe(201);
  const body = (await response.json()) as { tenantId: string; managementKey: string };
  return { tenantId: body.tenantId, authorization: `Basic ${btoa(`${body.tenantId}:${body.managementKey}`)}` };
}

/** One acquisition of a fresh KID: its key when answered 200 in full, else undefined (killed mid-request). */
async function acquire(url: string, tenant: Tenant, kid: string): Promise<string | undefined> {
  try {
    const response = await fetch(`${url}/api/Cpix/kill-test?kid=${kid}`, { headers: { Authorization: tenant.authorization } });
    const text = await response.text();
    if (response.status !== 200) return undefined;
    return /<pskc:PlainValue>([^<]+)<\/pskc:PlainValue>/.exec(text)?.[1];
  } catch {
    return undefined;
  }
}

/** Clients acquiring and writing until the service dies; resolves with what was answered. */
async function runUntilKilled(url: string, tenant: Tenant, killAfterMs: number, answered: Answered): Promise<void> {
  let alive = true;
  const acquirer = async () => {
    while (alive) {
      const kid = crypto.randomUUID();
      const key = await acquire(url, tenant, kid);
      if (key !== undefined) answered.keys.set(kid, key);
    }
  };
  const manager = async () => {
    while (alive) {
      try {
        const response = await fetch(`${url}/api/ContentKeys`, {
          method: "POST",
          headers: { Authorization: tenant.authorization, "Content-Type": "application/json" },
          body: JSON.stringify({ Name: "kill-test" }),
        });
        const body = await response.text();
        if (response.status === 201) answered.contentKeyIds.push((JSON.parse(body) as { Id: string }).Id);
      } catch {
        // Killed mid-request: not a 2xx, so nothing is owed.
      }
    }
  };
  const clients = [...Array.from({ length: ACQUIRING_CLIENTS }, acquirer), ...Array.from({ length: MANAGING_CLIENTS }, manager)];
  await new Promise((resolve) => setTimeout(resolve, killAfterMs));
  await service!.kill();
  alive = false;
  await Promise.all(clients);
}

/** Every issuance record's KIDs, read page by page. */
async function issuedKids(url: string, tenant: Tenant): Promise<Set<string>> {
  const kids = new Set<string>();
  for (let skip = 0; ; skip += 100) {
    const response = await fetch(`${url}/api/Logs?category=100&$top=100&$skip=${skip}`, {
      headers: { Authorization: tenant.authorization },
    });
    expect(response.status).toBe(200);
    const page = (await response.json()) as { KeyIds: string[] }[];
    for (const entry of page) for (const kid of entry.KeyIds) kids.add(kid);
    if (page.length < 100) return kids;
  }
}

describe("a crash loses nothing that was answered", () => {
  it("keeps every 2xx management write, the issuance record of every answered acquisition and every key, across three SIGKILLs", async () => {
    service = await startPersistedService(bundle, persistDir, { unlimitedRates: true });
    const tenant = await createTenant(service.url);
    const answered: Answered = { keys: new Map(), contentKeyIds: [] };
    for (let kill = 0; kill < KILLS; kill++) {
      // Warm up, then kill at a moment the clients cannot anticipate.
      await runUntilKilled(service.url, tenant, 1_500 + Math.random() * 1_000, answered);
      service = await startPersistedService(bundle, persistDir, { unlimitedRates: true });
    }
    const url = service.url;
    expect(answered.keys.size).toBeGreaterThan(100);
    expect(answered.contentKeyIds.length).toBeGreaterThan(5);

    const issued = await issuedKids(url, tenant);
    const unrecorded = [...answered.keys.keys()].filter((kid) => !issued.has(kid));
    expect(unrecorded, `${unrecorded.length} of ${answered.keys.size} answered KIDs have no issuance record`).toEqual([]);

    const missingWrites: string[] = [];
    for (const id of answered.contentKeyIds) {
      const response = await fetch(`${url}/api/ContentKeys/${id}`, { headers: { Authorization: tenant.authorization } });
      if (response.status !== 200) missingWrites.push(`${id}: ${response.status}`);
    }
    expect(missingWrites).toEqual([]);

    const changed: string[] = [];
    const kids = [...answered.keys.keys()];
    await Promise.all(
      Array.from({ length: ACQUIRING_CLIENTS }, async (_, client) => {
        for (let index = client; index < kids.length; index += ACQUIRING_CLIENTS) {
          const kid = kids[index]!;
          const key = await acquire(url, tenant, kid);
          if (key !== answered.keys.get(kid)) changed.push(kid);
        }
      }),
    );
    expect(changed).toEqual([]);
  }, 120_000);
});
