/**
 * Issue 25, item 4: one changed byte in a KV value never gives a wrong key with 200. Each corruption the issue reported
 * (a field renamed, one base64 character of the membership filter or a sealed value changed, one random byte changed)
 * is applied to the snapshot and to a stored key's record; every acquisition then answers 503 or the right keys, and
 * the request after the one that found the fault answers the right keys, with no management write in between.
 *
 * KV is edited through the binding (the same storage a persisted `wrangler dev` keeps in its SQLite and blob files),
 * so each case runs in workerd with real KV and Durable Objects, without restarting a server per corruption.
 */
import { env } from "cloudflare:test";
import { beforeEach, describe, expect, it } from "vitest";
import { contentKeyRecordKey, snapshotKey } from "../../src/tenancy/snapshot";
import { TenantStore } from "../../src/tenancy/tenant-store";
import { acquire, changeCharacterAt, expectFaultOrRight, flipRandomByte, tenantStoringKid } from "./support/corruption";
import { KID } from "./support/cpix-requests";
import { TEST_SEED, tenantWithTestSeed } from "./support/tenant-with-seed";
import { api } from "./support/api";
import { toBase64 } from "../../src/domain/bytes";
import { deriveContentKey } from "../../src/domain/key-derivation";
import { KeyId } from "../../src/domain/key-id";
import { KeyIdFilter } from "../../src/tenancy/content-key-filter";

beforeEach(() => TenantStore.clear());

/** A deterministic generator (mulberry32), so a failing random byte can be replayed from its seed. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The index of the first character of `field`'s string value in the JSON part of a value. */
function valueIndex(value: string, field: string, offset = 10): number {
  const at = value.indexOf(`"${field}":"`);
  if (at < 0) throw new Error(`no ${field} in the value`);
  return at + field.length + 4 + offset;
}

type Corruption = readonly [name: string, corrupt: (value: string) => string];

const SNAPSHOT_CORRUPTIONS: readonly Corruption[] = [
  ["the field contentKeys renamed", (value) => value.replace('"contentKeys"', '"contentKeyz"')],
  ["the field filter renamed", (value) => value.replace('"filter"', '"filtre"')],
  ["one base64 character of the membership filter changed", (value) => changeCharacterAt(value, valueIndex(value, "data", 2))],
  ["one base64 character of the wrapped data key changed", (value) => changeCharacterAt(value, valueIndex(value, "wrappedDataKey"))],
  ["one character of the MAC changed", (value) => changeCharacterAt(value, 9)],
  ...[1, 2, 3, 4, 5, 6].map((seed): Corruption => [
    `one random byte changed (seed ${seed})`,
    (value) => flipRandomByte(value, seeded(seed)),
  ]),
];

const RECORD_CORRUPTIONS: readonly Corruption[] = [
  ["the field sealedValue renamed", (value) => value.replace('"sealedValue"', '"sealedvalue"')],
  ["one base64 character of the sealed value changed", (value) => changeCharacterAt(value, valueIndex(value, "sealedValue", 12))],
  ["the whole value replaced by its JSON without the MAC line", (value) => value.slice(value.indexOf("\n") + 1)],
  ...[1, 2, 3, 4, 5, 6].map((seed): Corruption => [
    `one random byte changed (seed ${seed})`,
    (value) => flipRandomByte(value, seeded(seed)),
  ]),
];

describe.each([
  ["the snapshot", SNAPSHOT_CORRUPTIONS, (tenantId: string) => snapshotKey(tenantId)],
  ["a stored key's record", RECORD_CORRUPTIONS, (tenantId: string) => contentKeyRecordKey(tenantId, KID)],
] as const)("%s, corrupted in KV", (_value, corruptions, keyOf) => {
  it.each(corruptions)("%s: 503 or the right keys, never another key; right again at the next request", async (_name, corrupt) => {
    const tenant = await tenantWithTestSeed();
    const stored = await tenantStoringKid(tenant);
    const key = keyOf(tenant.tenantId);
    const original = (await env.SNAPSHOTS.get(key))!;
    const corrupted = corrupt(original);
    expect(corrupted).not.toBe(original);
    await env.SNAPSHOTS.put(key, corrupted);
    await expectFaultOrRight(await acquire(tenant), stored);
    // The first request asked the tenant object to republish (awaited as its background work): no management write.
    expect(await expectFaultOrRight(await acquire(tenant), stored)).toBe("right");
  });
});

describe("a stored key's record missing from KV", () => {
  it("answers 503, never the derived key, while the snapshot still names the KID; right again at the next request", async () => {
    const tenant = await tenantWithTestSeed();
    const stored = await tenantStoringKid(tenant);
    await env.SNAPSHOTS.delete(contentKeyRecordKey(tenant.tenantId, KID));
    expect(await expectFaultOrRight(await acquire(tenant), stored)).toBe("fault");
    expect(await expectFaultOrRight(await acquire(tenant), stored)).toBe("right");
  });

  it("derives a KID the filter names by chance but the tenant never stored (the object says so), with no fault", async () => {
    const tenant = await tenantWithTestSeed();
    await tenantStoringKid(tenant);
    // A false positive of the snapshot's membership filter: a KID it says "maybe" to, with no record and no stored key.
    const snapshot = JSON.parse((await env.SNAPSHOTS.get(snapshotKey(tenant.tenantId)))!.split("\n").slice(1).join("\n"));
    const filter = KeyIdFilter.decode(snapshot.contentKeys.filter)!;
    let falsePositive: KeyId | undefined;
    while (!falsePositive) {
      const candidate = KeyId.require(crypto.randomUUID());
      if (candidate.toString() !== KID && filter.mightContain(candidate.bytes)) falsePositive = candidate;
    }
    TenantStore.clear();
    const response = await api(tenant, "GET", `/api/Cpix/c1?kid=${falsePositive.toString()}&drm=widevine`);
    const body = await response.text();
    expect(response.status, body.slice(0, 200)).toBe(200);
    const derived = toBase64((await deriveContentKey(TEST_SEED, falsePositive)).bytes);
    expect(body).toContain(`<pskc:PlainValue>${derived}</pskc:PlainValue>`);
  });
});
