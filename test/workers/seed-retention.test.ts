import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { DEFAULT_SWITCH_DELAY_SECONDS, planDefaultSwitch, retiredDefaultSeed, switchDelaySeconds } from "../../src/tenancy/key-seed-rules";
import { OPERATOR_ACTOR } from "../../src/tenancy/tenant-types";
import { SNAPSHOT_STALENESS_BOUND_SECONDS } from "../../src/tenancy/snapshot-freshness";
import { KeySeedStore } from "../../src/tenancy/stores/key-seed-store";
import { tenantObject as tenantClient } from "../../src/tenancy/tenant-client";
import type { TenantObject } from "../../src/tenancy/tenant-object";
import { api, createTenant, type KeySeedJson } from "./support/api";

/**
 * Who the audit records of these direct RPC calls name, at the instant each call is judged: the operator, since the
 * calls carry none of the tenant's credentials (acting-credential.ts refuses a credential that is not the tenant's).
 */
const actorAt = (time: string | Date) => ({ credentialId: OPERATOR_ACTOR, requestPath: "/api/KeySeeds", time: new Date(time) });

const t0 = new Date("2026-11-23T12:00:00.000Z");
const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);

/** The tenant object as src/ calls it (faults mapped, each record target released after its call). */
function tenantObject(tenantId: string): DurableObjectStub<TenantObject> {
  return tenantClient(env, tenantId);
}

describe("how long a location may act on an older snapshot", () => {
  it("adds up KV propagation (60 s), KV's edge cache (30 s) and the isolate cache (5 s + 15 s)", () => {
    expect(SNAPSHOT_STALENESS_BOUND_SECONDS).toBe(110);
  });

  it("is shorter than the default switch delay (120 s), so every location holds a switch before it takes effect", () => {
    expect(DEFAULT_SWITCH_DELAY_SECONDS).toBe(120);
    expect(switchDelaySeconds(undefined)).toBe(120);
    expect(switchDelaySeconds("not a number")).toBe(120);
    expect(DEFAULT_SWITCH_DELAY_SECONDS).toBeGreaterThan(SNAPSHOT_STALENESS_BOUND_SECONDS);
  });
});

describe("the seed a default switch retires", () => {
  const settled = { current: "a", next: null, effectiveAt: null };

  it("is kept until the switch's effectiveAt plus the staleness bound", () => {
    const planned = planDefaultSwitch(settled, "b", t0, 120);
    expect(retiredDefaultSeed(settled, planned, t0, 110)).toEqual({ seedId: "a", until: at(230).toISOString() });
  });

  it("is kept for the staleness bound from now when the switch has no delay", () => {
    const planned = planDefaultSwitch(settled, "b", t0, 0);
    expect(retiredDefaultSeed(settled, planned, t0, 110)).toEqual({ seedId: "a", until: at(110).toISOString() });
  });

  it("is the seed in force, until the replacing switch's instant, when a pending switch is replaced", () => {
    const pending = planDefaultSwitch(settled, "b", t0, 120);
    const replaced = planDefaultSwitch(pending, "c", at(30), 120);
    expect(retiredDefaultSeed(pending, replaced, at(30), 110)).toEqual({ seedId: "a", until: at(260).toISOString() });
  });

  it("is none when the seed in force stays the default", () => {
    const pending = planDefaultSwitch(settled, "b", t0, 120);
    expect(retiredDefaultSeed(pending, planDefaultSwitch(pending, "a", at(5), 120), at(5), 110)).toBeUndefined();
    expect(retiredDefaultSeed(settled, planDefaultSwitch(settled, "a", t0, 120), t0, 110)).toBeUndefined();
  });
});

describe("deleting a seed that was the default", () => {
  it("is refused with 409 naming until when, right after the switch took effect", async () => {
    const tenant = await createTenant();
    const next = await (await api(tenant, "POST", "/api/KeySeeds", { Name: "next", IsDefault: true })).json<KeySeedJson>();
    expect(next.IsDefault).toBe(true);
    const before = Date.now();
    const refused = await api(tenant, "DELETE", `/api/KeySeeds/${tenant.keySeedId}`);
    expect(refused.status).toBe(409);
    const { error } = await refused.json<{ error: string }>();
    const until = /it can be deleted from (\S+)$/.exec(error)?.[1];
    expect(error).toBe(
      `Key seed ${tenant.keySeedId} was the default key seed until recently and some location may still issue keys from it; ` +
        `it can be deleted from ${until}`,
    );
    // The test bindings switch at once (delay 0): the old default is kept for the staleness bound from the switch.
    expect(Date.parse(until!)).toBeGreaterThan(before + (SNAPSHOT_STALENESS_BOUND_SECONDS - 5) * 1000);
    expect(Date.parse(until!)).toBeLessThanOrEqual(Date.now() + SNAPSHOT_STALENESS_BOUND_SECONDS * 1000);
    expect((await api(tenant, "GET", `/api/KeySeeds/${tenant.keySeedId}`)).status).toBe(200);
  });

  it("succeeds once the staleness bound has passed after the switch", async () => {
    const tenant = await createTenant();
    const stub = tenantObject(tenant.tenantId);
    const now = new Date();
    const switched = await stub.keySeeds().create({ name: "next", isDefault: true }, actorAt(now));
    expect(switched.ok).toBe(true);
    const later = (seconds: number) => new Date(now.getTime() + seconds * 1000).toISOString();
    const until = later(SNAPSHOT_STALENESS_BOUND_SECONDS);
    expect(await stub.keySeeds().delete(tenant.keySeedId, actorAt(later(1)))).toEqual({
      ok: false,
      failure: { reason: "seed-retained", id: tenant.keySeedId, until },
    });
    expect(await stub.keySeeds().delete(tenant.keySeedId, actorAt(later(SNAPSHOT_STALENESS_BOUND_SECONDS - 0.001)))).toMatchObject({
      ok: false,
    });
    expect(await stub.keySeeds().delete(tenant.keySeedId, actorAt(until))).toEqual({ ok: true, value: { id: tenant.keySeedId } });
  });

  it("with the default delay, is refused until the switch's effectiveAt plus the bound, then allowed", async () => {
    const tenant = await createTenant();
    const stub = tenantObject(tenant.tenantId);
    // Instants after the tenant's creation, so its first seed stays the oldest (the rule's default).
    const base = Date.now();
    const at = (seconds: number) => new Date(base + seconds * 1000);
    await stub.keySeeds().create({ id: "5b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d", name: "next" }, actorAt(at(0)));
    // The tenant's seeds through a store that publishes switches with the default delay (the test bindings use 0).
    const refusals = await runInDurableObject(env.TENANTS.get(env.TENANTS.idFromName(tenant.tenantId)), (_instance, state) => {
      const seeds = new KeySeedStore(state.storage.sql, { switchDelaySeconds: DEFAULT_SWITCH_DELAY_SECONDS });
      seeds.markDefault("5b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d", at(1).toISOString());
      seeds.scheduleDefaultSwitch(at(1).toISOString());
      const effectiveAt = seeds.readSwitch()!.effectiveAt!;
      return {
        effectiveAt,
        pending: seeds.deletionRefusal(tenant.keySeedId, at(60).toISOString()),
        justEffective: seeds.deletionRefusal(tenant.keySeedId, effectiveAt),
        beforeBound: seeds.deletionRefusal(tenant.keySeedId, at(1 + 120 + 109).toISOString()),
        afterBound: seeds.deletionRefusal(tenant.keySeedId, at(1 + 120 + 110).toISOString()),
      };
    });
    expect(refusals.effectiveAt).toBe(at(121).toISOString());
    expect(refusals.pending).toEqual({ reason: "default-seed", id: tenant.keySeedId });
    const retained = { reason: "seed-retained", id: tenant.keySeedId, until: at(231).toISOString() };
    expect(refusals.justEffective).toEqual(retained);
    expect(refusals.beforeBound).toEqual(retained);
    expect(refusals.afterBound).toBeUndefined();
  });
});
