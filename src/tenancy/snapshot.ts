import type { CredentialScope } from "./credentials";
import type { TenantSettings } from "./settings";

/** Format of the snapshot JSON; a reader refuses formats it does not know (docs/storage.md). */
export const SNAPSHOT_FORMAT = 1;

/** The published default-seed switch (DESIGN.md §Default-seed switching). */
export interface DefaultSeedSwitch {
  /** The seed in force until `effectiveAt` (or for good when there is no `next`). */
  readonly current: string;
  readonly next: string | null;
  /** ISO 8601 instant at which every location starts using `next`. */
  readonly effectiveAt: string | null;
}

/** Everything an acquisition request needs about a tenant; written only by the tenant's Durable Object. */
export interface TenantSnapshot {
  readonly format: typeof SNAPSHOT_FORMAT;
  readonly tenantId: string;
  readonly version: number;
  readonly name: string;
  readonly dataKeyVersion: number;
  readonly wrappedDataKey: string;
  readonly credentials: readonly SnapshotCredential[];
  /** Sealed seed values by seed id. */
  readonly seeds: Readonly<Record<string, string>>;
  readonly defaultSeed: DefaultSeedSwitch;
  readonly settings: TenantSettings;
}

export interface SnapshotCredential {
  readonly id: string;
  readonly scopes: readonly CredentialScope[];
  readonly hash: string;
}

/** The KV key of a tenant's snapshot. */
export function snapshotKey(tenantId: string): string {
  return `tenant/${tenantId}/snapshot`;
}

/** The seed id acquisitions use at `now`: `next` from `effectiveAt` on, else `current`. */
export function defaultSeedIdAt(defaultSeed: DefaultSeedSwitch, now: Date): string {
  if (defaultSeed.next !== null && defaultSeed.effectiveAt !== null && now.getTime() >= Date.parse(defaultSeed.effectiveAt)) {
    return defaultSeed.next;
  }
  return defaultSeed.current;
}
