/// <reference types="node" />
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Miniflare } from "miniflare";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TEST_BINDINGS } from "../test-bindings";
import { buildServiceBundle, startPersistedService, type KillableService, type ServiceBundle } from "./service";

/**
 * Issue 25, item 4: the values of a persisted deployment's KV changed behind the service's back (as a bad disk, a bad
 * tool or a person would): a field name, one base64 character, one random byte, in the snapshot and in a stored key's
 * record. The service is stopped, each value is changed in the persisted KV files through Miniflare's own KV API (not
 * through the Worker), and the service starts again on them. Every acquisition then answers 503 or the right key,
 * never another key, and each tenant answers right again within 10 s with no management write.
 * (test/workers/kv-corruption.test.ts runs many more corruptions inside workerd, through the binding.)
 */

/** wrangler.toml's SNAPSHOTS namespace: the persisted files are kept per namespace id. */
const SNAPSHOTS_ID = "00000000000000000000000000000000";
const HEAL_WITHIN_MS = 10_000;

type Corrupt = (value: Uint8Array) => Uint8Array;

const text = (value: Uint8Array) => new TextDecoder().decode(value);
const bytes = (value: string) => new TextEncoder().encode(value);

/** Renames a JSON field, keeping the value valid JSON. */
const renamed =
  (field: string, to: string): Corrupt =>
  (value) => {
    expect(text(value)).toContain(`"${field}"`);
    return bytes(text(value).replace(`"${field}"`, `"${to}"`));
  };

/** Changes the base64 character `offset` characters into a string field's value to another base64 character. */
const base64Changed =
  (field: string, offset: number): Corrupt =>
  (value) => {
    const at = text(value).indexOf(`"${field}":"`) + field.length + 4 + offset;
    expect(at).toBeGreaterThan(field.length + 4 + offset - 1);
    const current = text(value)[at]!;
    return bytes(text(value).slice(0, at) + (current === "A" ? "B" : "A") + text(value).slice(at + 1));
  };

/** Flips one bit of the byte at a fixed fraction of the value (a seeded "random" byte, so a failure replays). */
const byteFlipped =
  (fraction: number, bit: number): Corrupt =>
  (value) => {
    const changed = value.slice();
    changed[Math.floor(fraction * changed.length)]! ^= 1 << bit;
    return changed;
  };

interface Case {
  readonly name: string;
  readonly value: "snapshot" | "record";
  readonly corrupt: Corrupt;
}

const CASES: readonly Case[] = [
  { name: "the snapshot's field contentKeys renamed", value: "snapshot", corrupt: renamed("contentKeys", "contentKeyz") },
  { name: "one base64 character of the snapshot's membership filter", value: "snapshot", corrupt: base64Changed("data", 3) },
  { name: "one random byte of the snapshot", value: "snapshot", corrupt: byteFlipped(0.61, 3) },
  { name: "the record's field sealedValue renamed", value: "record", corrupt: renamed("sealedValue", "sealedvalue") },
  { name: "one base64 character of the record's sealed value", value: "record", corrupt: base64Changed("sealedValue", 12) },
  { name: "one random byte of the record", value: "record", corrupt: byteFlipped(0.37, 5) },
];

interface Tenant {
  readonly tenantId: string;
  readonly authorization: string;
  readonly storedKid: string;
  readonly derivedKid: string;
  /** KID → the key (base64) answered before the corruption. */
  readonly keys: Map<string, string>;
}

let bundle: ServiceBundle;
let persistDir: string;
let service: KillableService | undefined;

beforeAll(async () => {
  bundle = await buildServiceBundle();
  persistDir = await mkdtemp(join(tmpdir(), "eks-corrupt-"));
});

afterAll(async () => {
  await service?.kill();
  await bundle?.remove();
  if (persistDir) await rm(persistDir, { recursive: true, force: true });
});

async function createTenant(url: string): Promise<Tenant> {
  const created = await fetch(`${url}/admin/tenants`, {
    method: "POST",
    headers: { Authorization: `Bearer ${TEST_BINDINGS.ADMIN_TOKEN}`, "Content-Type": "application/json" },
    body: JSON.stringify({ name: "corruption" }),
  });
  expect(created.status).toBe(201);
  const { tenantId, managementKey } = (await created.json()) as { tenantId: string; managementKey: string };
  const authorization = `Basic ${btoa(`${tenantId}:${managementKey}`)}`;
  const storedKid = crypto.randomUUID();
  const stored = await fetch(`${url}/api/ContentKeys`, {
    method: "POST",
    headers: { Authorization: authorization, "Content-Type": "application/json" },
    body: JSON.stringify({ Id: storedKid, Name: "stored" }),
  });
  expect(stored.status).toBe(201);
  const tenant = { tenantId, authorization, storedKid, derivedKid: crypto.randomUUID(), keys: new Map<string, string>() };
  for (const kid of [tenant.storedKid, tenant.derivedKid]) {
    const answer = await acquire(url, tenant, kid);
    expect(answer.status).toBe(200);
    tenant.keys.set(kid, answer.key!);
  }
  return tenant;
}

/** A CPIX GET of one KID: its status, and its key when answered 200. */
async function acquire(
  url: string,
  tenant: Pick<Tenant, "authorization">,
  kid: string,
): Promise<{ status: number; key?: string; retryAfter?: string | null }> {
  const response = await fetch(`${url}/api/Cpix/corruption?kid=${kid}`, { headers: { Authorization: tenant.authorization } });
  const body = await response.text();
  if (response.status !== 200) return { status: response.status, retryAfter: response.headers.get("Retry-After") };
  return { status: 200, key: /<pskc:PlainValue>([^<]+)<\/pskc:PlainValue>/.exec(body)?.[1] };
}

/** Changes the values in the persisted KV files while no service runs, through Miniflare's KV API. */
async function corruptPersistedValues(changes: readonly { key: string; corrupt: Corrupt }[]): Promise<void> {
  const miniflare = new Miniflare({
    modules: true,
    script: "export default { fetch() { return new Response(null, { status: 404 }); } };",
    kvNamespaces: { SNAPSHOTS: SNAPSHOTS_ID },
    kvPersist: join(persistDir, "kv"),
  });
  try {
    const kv = await miniflare.getKVNamespace("SNAPSHOTS");
    for (const { key, corrupt } of changes) {
      const original = await kv.get(key, "arrayBuffer");
      expect(original, `${key} is in the persisted KV`).not.toBeNull();
      const corrupted = corrupt(new Uint8Array(original!));
      expect(corrupted).not.toEqual(new Uint8Array(original!));
      await kv.put(key, corrupted);
    }
  } finally {
    await miniflare.dispose();
  }
}

describe("KV values changed in a persisted deployment's files", () => {
  it("answers 503 or the right key, never another key, and each tenant is right again within 10 s", async () => {
    service = await startPersistedService(bundle, persistDir);
    const tenants: Tenant[] = [];
    for (let i = 0; i < CASES.length; i++) tenants.push(await createTenant(service.url));
    await service.kill();

    await corruptPersistedValues(
      CASES.map(({ value, corrupt }, i) => ({
        key:
          value === "snapshot"
            ? `tenant/${tenants[i]!.tenantId}/snapshot`
            : `tenant/${tenants[i]!.tenantId}/content-key/${tenants[i]!.storedKid}`,
        corrupt,
      })),
    );

    service = await startPersistedService(bundle, persistDir);
    const url = service.url;
    const outcomes = await Promise.all(
      CASES.map(async ({ name }, i) => {
        const tenant = tenants[i]!;
        const wrong: string[] = [];
        let faults = 0;
        const started = Date.now();
        let healedAfterMs: number | undefined;
        while (healedAfterMs === undefined && Date.now() - started < HEAL_WITHIN_MS + 2_000) {
          let right = 0;
          for (const kid of [tenant.storedKid, tenant.derivedKid]) {
            const answer = await acquire(url, tenant, kid);
            if (answer.status === 503 && answer.retryAfter !== null) faults++;
            else if (answer.status === 200 && answer.key === tenant.keys.get(kid)) right++;
            else
              wrong.push(
                `${kid === tenant.storedKid ? "stored" : "derived"} KID: HTTP ${answer.status}${answer.status === 200 ? " with another key" : ""}`,
              );
          }
          if (right === 2) healedAfterMs = Date.now() - started;
          else await new Promise((resolve) => setTimeout(resolve, 100));
        }
        return { name, wrong, faults, healedAfterMs };
      }),
    );
    for (const outcome of outcomes) {
      expect(outcome.wrong, outcome.name).toEqual([]);
      // The changed value was read and refused (so the test saw the corruption, not a cached copy)…
      expect(outcome.faults, `${outcome.name}: answered 503 while the value was bad`).toBeGreaterThan(0);
      // …and the tenant object republished it with no management write.
      expect(outcome.healedAfterMs, `${outcome.name}: right again within ${HEAL_WITHIN_MS} ms`).toBeLessThanOrEqual(HEAL_WITHIN_MS);
    }
  }, 120_000);
});
