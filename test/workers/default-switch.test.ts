import { describe, expect, it } from "vitest";
import {
  planDefaultSwitch,
  ruleDefaultSeedId,
  seedsInUseAsDefault,
  settleSwitch,
  withdrawnPendingSeed,
} from "../../src/tenancy/key-seed-rules";
import { defaultSeedIdAt } from "../../src/tenancy/snapshot";

const t0 = new Date("2026-11-23T12:00:00.000Z");
const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);

describe("default-seed switch publication", () => {
  it("keeps the seed in force until effectiveAt, then flips every reader to the new one", () => {
    const published = planDefaultSwitch({ current: "a", next: null, effectiveAt: null }, "b", t0, 60);
    expect(published).toEqual({ current: "a", next: "b", effectiveAt: "2026-11-23T12:01:00.000Z" });
    expect(defaultSeedIdAt(published, at(59.999))).toBe("a");
    expect(defaultSeedIdAt(published, at(60))).toBe("b");
  });

  it("switches at once when the delay is 0", () => {
    expect(planDefaultSwitch({ current: "a", next: null, effectiveAt: null }, "b", t0, 0)).toEqual({
      current: "b",
      next: null,
      effectiveAt: null,
    });
  });

  it("starts a second switch from the seed in force, not from the pending one", () => {
    const first = planDefaultSwitch({ current: "a", next: null, effectiveAt: null }, "b", t0, 60);
    const second = planDefaultSwitch(first, "c", at(10), 60);
    expect(second).toEqual({ current: "a", next: "c", effectiveAt: at(70).toISOString() });
    const afterFirstFlipped = planDefaultSwitch(first, "c", at(61), 60);
    expect(afterFirstFlipped).toEqual({ current: "b", next: "c", effectiveAt: at(121).toISOString() });
  });

  it("cancels a pending switch when the default returns to the seed in force", () => {
    const pending = planDefaultSwitch({ current: "a", next: null, effectiveAt: null }, "b", t0, 60);
    expect(planDefaultSwitch(pending, "a", at(5), 60)).toEqual({ current: "a", next: null, effectiveAt: null });
  });

  it("keeps an identical pending switch instead of pushing its instant back", () => {
    const pending = planDefaultSwitch({ current: "a", next: null, effectiveAt: null }, "b", t0, 60);
    expect(planDefaultSwitch(pending, "b", at(30), 60)).toBe(pending);
  });

  it("protects both ends of a pending switch from deletion, and only the new one once it settled", () => {
    const pending = planDefaultSwitch({ current: "a", next: null, effectiveAt: null }, "b", t0, 60);
    expect([...seedsInUseAsDefault("b", settleSwitch(pending, at(1)))].sort()).toEqual(["a", "b"]);
    expect([...seedsInUseAsDefault("b", settleSwitch(pending, at(61)))]).toEqual(["b"]);
  });
});

describe("withdrawn switches", () => {
  it("names the seed a cancelled or replaced pending switch was heading to, and nothing once it took effect", () => {
    const pending = planDefaultSwitch({ current: "a", next: null, effectiveAt: null }, "b", t0, 60);
    expect(withdrawnPendingSeed(pending, planDefaultSwitch(pending, "a", at(5), 60), at(5))).toBe("b");
    expect(withdrawnPendingSeed(pending, planDefaultSwitch(pending, "c", at(5), 60), at(5))).toBe("b");
    expect(withdrawnPendingSeed(pending, planDefaultSwitch(pending, "b", at(5), 60), at(5))).toBeUndefined();
    expect(withdrawnPendingSeed(pending, planDefaultSwitch(pending, "c", at(61), 60), at(61))).toBeUndefined();
  });
});

describe("Axinom default rule", () => {
  const seed = (id: string, created: string, insertOrder: number, madeDefaultSeq: number | null = null) => ({
    id,
    created,
    insertOrder,
    madeDefaultSeq,
  });

  it("picks the seed made default last", () => {
    expect(ruleDefaultSeedId([seed("a", "1", 1, 2), seed("b", "2", 2, 5), seed("c", "3", 3, 1)])).toBe("b");
  });

  it("picks the oldest when none was made default, breaking ties by insertion order", () => {
    expect(ruleDefaultSeedId([seed("b", "2", 2), seed("a", "1", 3), seed("z", "1", 1)])).toBe("z");
  });
});
