import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { fromBase64, toBase64, toHex } from "../../src/domain/bytes";
import { randomBytes } from "../../src/runtime/random";
import { importAesGcmKey, open, seal, unwrapDataKey, wrapDataKey, SealedValueError } from "../../src/tenancy/envelope";
import { importKeyEncryptionKeys } from "../../src/tenancy/key-encryption-keys";
import type { TenantObject } from "../../src/tenancy/tenant-object";
import { TEST_BINDINGS } from "../test-bindings";
import { api, createTenant } from "./support/api";

const seedContext = (tenantId: string, seedId: string) => ({ purpose: "key-seed", tenantId, seedId }) as const;

async function dataKey(version = 1) {
  return { version, key: await importAesGcmKey(randomBytes(32)) };
}

describe("envelope encryption", () => {
  it("opens what it sealed, and each seal uses a fresh IV", async () => {
    const key = await dataKey();
    const secret = randomBytes(30);
    const first = await seal(secret, key, seedContext("t1", "s1"));
    const second = await seal(secret, key, seedContext("t1", "s1"));
    expect(first).not.toBe(second);
    expect(first).toMatch(/^v1\.1\.[A-Za-z0-9_-]+$/);
    expect(await open(first, key, seedContext("t1", "s1"))).toEqual(secret);
  });

  it("rejects a tampered value", async () => {
    const key = await dataKey();
    const sealed = await seal(randomBytes(30), key, seedContext("t1", "s1"));
    const payload = sealed.split(".")[2]!;
    const flipped = payload.slice(0, 20) + (payload[20] === "A" ? "B" : "A") + payload.slice(21);
    await expect(open(`v1.1.${flipped}`, key, seedContext("t1", "s1"))).rejects.toThrow(SealedValueError);
    await expect(open(sealed.slice(0, -2), key, seedContext("t1", "s1"))).rejects.toThrow(SealedValueError);
    await expect(open("garbage", key, seedContext("t1", "s1"))).rejects.toThrow(/not a sealed value/);
  });

  it("rejects a value moved to another tenant or another seed", async () => {
    const key = await dataKey();
    const sealed = await seal(randomBytes(30), key, seedContext("t1", "s1"));
    await expect(open(sealed, key, seedContext("t2", "s1"))).rejects.toThrow(/authentication failed/);
    await expect(open(sealed, key, seedContext("t1", "s2"))).rejects.toThrow(/authentication failed/);
  });

  it("names the key version and refuses a value sealed under another version", async () => {
    const sealed = await seal(randomBytes(30), await dataKey(2), seedContext("t1", "s1"));
    expect(sealed.startsWith("v1.2.")).toBe(true);
    await expect(open(sealed, await dataKey(1), seedContext("t1", "s1"))).rejects.toThrow(/key version 2/);
  });

  it("wraps a data key under the KEK bound to its tenant", async () => {
    const kek = (await importKeyEncryptionKeys({ KEY_ENCRYPTION_KEY: TEST_BINDINGS.KEY_ENCRYPTION_KEY, KEY_ENCRYPTION_KEY_VERSION: "1" }))
      .current;
    const wrapped = await wrapDataKey(randomBytes(32), kek, "tenant-a");
    await expect(unwrapDataKey(wrapped, kek, "tenant-a", 1)).resolves.toBeDefined();
    await expect(unwrapDataKey(wrapped, kek, "tenant-b", 1)).rejects.toThrow(SealedValueError);
  });

  it("refuses a KEK that is not base64 of 32 bytes", async () => {
    await expect(
      importKeyEncryptionKeys({ KEY_ENCRYPTION_KEY: toBase64(randomBytes(16)), KEY_ENCRYPTION_KEY_VERSION: "1" }),
    ).rejects.toThrow(/exactly 32 bytes/);
    await expect(importKeyEncryptionKeys({ KEY_ENCRYPTION_KEY_VERSION: "1" })).rejects.toThrow(/KEY_ENCRYPTION_KEY/);
  });
});

describe("storage holds no plaintext", () => {
  it("never shows an imported seed's bytes in any KV value or Durable Object row", async () => {
    const tenant = await createTenant();
    const seedBytes = randomBytes(30);
    const seedId = crypto.randomUUID();
    expect((await api(tenant, "POST", "/api/Import/KeySeeds", [{ Id: seedId, Data: toBase64(seedBytes) }])).status).toBe(200);
    expect((await api(tenant, "PUT", `/api/KeySeeds/${seedId}`, { IsDefault: true })).status).toBe(200);

    const forms = [toBase64(seedBytes), toHex(seedBytes), toBase64(seedBytes).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "")];
    const containsSeed = (text: string) => forms.some((form) => text.includes(form)) || containsBytes(text);
    const containsBytes = (text: string) => {
      const decoded = [...text.matchAll(/[A-Za-z0-9+/_-]{40,}/g)].map((m) =>
        fromBase64(
          m[0]
            .replace(/-/g, "+")
            .replace(/_/g, "/")
            .padEnd(Math.ceil(m[0].length / 4) * 4, "="),
        ),
      );
      return decoded.some((bytes) => bytes !== undefined && toHex(bytes).includes(toHex(seedBytes)));
    };

    const { keys } = await env.SNAPSHOTS.list();
    expect(keys.length).toBeGreaterThan(0);
    for (const { name } of keys) {
      const value = (await env.SNAPSHOTS.get(name))!;
      expect(containsSeed(value)).toBe(false);
      expect(value).not.toContain(tenant.managementKey);
    }
    const stub = env.TENANTS.get(env.TENANTS.idFromName(tenant.tenantId));
    const rows = await runInDurableObject(stub, (_instance: TenantObject, state) => {
      const tables = state.storage.sql.exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'").toArray();
      return tables.flatMap(({ name }) =>
        state.storage.sql
          .exec(`SELECT * FROM "${name}"`)
          .toArray()
          .map((row) => JSON.stringify(row)),
      );
    });
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      expect(containsSeed(row)).toBe(false);
      expect(row).not.toContain(tenant.managementKey);
    }
  });
});
