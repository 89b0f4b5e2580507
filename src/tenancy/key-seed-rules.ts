import type { DefaultSeedSwitch } from "./snapshot";
import { defaultSeedIdAt } from "./snapshot";

/** The fields of a stored seed that the default rule reads. */
export interface SeedOrdering {
  readonly id: string;
  readonly created: string;
  /** Insertion order, to break ties between seeds created in the same millisecond. */
  readonly insertOrder: number;
  /** Sequence number of the last time it was made default, or null. */
  readonly madeDefaultSeq: number | null;
}

/**
 * Axinom's default rule (Axinom Key Service API help, KeySeed `MadeDefault`): "The default key seed is the last
 * key seed that was made as the default one. If no key seeds were ever made as the default ones, the oldest key
 * seed will be treated as the default one."
 */
export function ruleDefaultSeedId(seeds: readonly SeedOrdering[]): string | undefined {
  let lastMadeDefault: SeedOrdering | undefined;
  let oldest: SeedOrdering | undefined;
  for (const seed of seeds) {
    if (seed.madeDefaultSeq !== null && (!lastMadeDefault || seed.madeDefaultSeq > lastMadeDefault.madeDefaultSeq!)) {
      lastMadeDefault = seed;
    }
    if (!oldest || seed.created < oldest.created || (seed.created === oldest.created && seed.insertOrder < oldest.insertOrder)) {
      oldest = seed;
    }
  }
  return (lastMadeDefault ?? oldest)?.id;
}

/**
 * The switch to publish when the rule's default may have changed: the seed in force now stays `current`
 * and the new default becomes `next` after the delay, so every location flips at the same instant. With
 * no delay, or when nothing changes, the new default is simply `current`.
 */
export function planDefaultSwitch(
  previous: DefaultSeedSwitch | undefined,
  newDefault: string,
  now: Date,
  delaySeconds: number,
): DefaultSeedSwitch {
  const inForce = previous ? defaultSeedIdAt(previous, now) : newDefault;
  if (inForce === newDefault || delaySeconds === 0) return { current: newDefault, next: null, effectiveAt: null };
  if (previous?.next === newDefault && previous.current === inForce) return previous; // already scheduled
  return { current: inForce, next: newDefault, effectiveAt: new Date(now.getTime() + delaySeconds * 1000).toISOString() };
}

/** A switch whose instant has passed, rewritten as the plain state it settled into. */
export function settleSwitch(published: DefaultSeedSwitch, now: Date): DefaultSeedSwitch {
  const inForce = defaultSeedIdAt(published, now);
  return published.next !== null && inForce === published.next ? { current: inForce, next: null, effectiveAt: null } : published;
}

/** Ids a delete must refuse: the rule's default and any seed the published switch still names. */
export function seedsInUseAsDefault(ruleDefault: string | undefined, published: DefaultSeedSwitch | undefined): Set<string> {
  const inUse = new Set<string>();
  if (ruleDefault) inUse.add(ruleDefault);
  if (published) {
    inUse.add(published.current);
    // A switch still pending keeps both ends alive until every location has flipped.
    if (published.next) inUse.add(published.next);
  }
  return inUse;
}

/**
 * The seed a still-pending switch was heading to, when the new plan no longer heads there (the switch was
 * cancelled or replaced before its instant): some locations may still flip to it, so it must stay.
 */
export function withdrawnPendingSeed(previous: DefaultSeedSwitch, planned: DefaultSeedSwitch, now: Date): string | undefined {
  const pending = previous.next !== null && previous.effectiveAt !== null && Date.parse(previous.effectiveAt) > now.getTime();
  if (!pending || previous.next === planned.next || previous.next === planned.current) return undefined;
  return previous.next ?? undefined;
}

/**
 * The seed a plan takes out of use (the one in force now, when the plan ends on another), and until when it must be
 * kept: locations stop using it at the planned `effectiveAt` (at once without a delay), and a location may act on an
 * older snapshot for up to `stalenessSeconds` after that (docs/storage.md §Consistency).
 */
export function retiredDefaultSeed(
  previous: DefaultSeedSwitch | undefined,
  planned: DefaultSeedSwitch,
  now: Date,
  stalenessSeconds: number,
): { readonly seedId: string; readonly until: string } | undefined {
  if (!previous) return undefined;
  const inForce = defaultSeedIdAt(previous, now);
  if ((planned.next ?? planned.current) === inForce) return undefined;
  const switchAt = planned.next !== null && planned.effectiveAt !== null ? Date.parse(planned.effectiveAt) : now.getTime();
  return { seedId: inForce, until: new Date(switchAt + stalenessSeconds * 1000).toISOString() };
}

/**
 * The switch delay when DEFAULT_SEED_SWITCH_DELAY_SECONDS is unset or unusable: more than the longest a location may
 * act on an older snapshot (SNAPSHOT_STALENESS_BOUND_SECONDS, 110 s), so every location holds the switch before it
 * takes effect and all flip at the same instant.
 */
export const DEFAULT_SWITCH_DELAY_SECONDS = 120;

/** Reads DEFAULT_SEED_SWITCH_DELAY_SECONDS: a finite number of seconds, 0 or more, else the default. */
export function switchDelaySeconds(configured: string | undefined): number {
  const delay = Number(configured ?? String(DEFAULT_SWITCH_DELAY_SECONDS));
  return Number.isFinite(delay) && delay >= 0 ? delay : DEFAULT_SWITCH_DELAY_SECONDS;
}
