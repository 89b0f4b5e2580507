import {
  planDefaultSwitch,
  retiredDefaultSeed,
  ruleDefaultSeedId,
  seedsInUseAsDefault,
  settleSwitch,
  withdrawnPendingSeed,
  type SeedOrdering,
} from "../key-seed-rules";
import type { MigrationStep } from "../schema";
import type { DefaultSeedSwitch } from "../snapshot";
import { SNAPSHOT_STALENESS_BOUND_SECONDS } from "../snapshot-freshness";
import type { KeySeedView, ManagementFailure } from "../tenant-types";
import { DefaultSwitchStore } from "./default-switch-store";

/** A key seed as stored; its value stays sealed under the tenant's data key (docs/storage.md). */
export interface StoredKeySeed extends SeedOrdering {
  readonly name: string;
  readonly sealedValue: string;
  readonly updated: string;
  readonly generated: boolean;
  readonly madeDefault: string | null;
}

export interface NewStoredSeed {
  readonly id: string;
  readonly name: string;
  readonly sealedValue: string;
  readonly generated: boolean;
  readonly now: string;
}

export interface KeySeedStoreOptions {
  /** How far ahead a new default is published (DEFAULT_SEED_SWITCH_DELAY_SECONDS). */
  readonly switchDelaySeconds: number;
}

interface SeedRow extends Record<string, SqlStorageValue> {
  rowid: number;
  id: string;
  name: string;
  sealed_value: string;
  created: string;
  updated: string;
  generated: number;
  made_default: string | null;
  made_default_seq: number | null;
}

const SEED_COLUMNS = "rowid, id, name, sealed_value, created, updated, generated, made_default, made_default_seq";

/**
 * The `key_seeds`, `default_switch` and `seed_protection` tables: seeds, the default rule applied to them, and
 * the published switch that moves every location to a new default at one instant (docs/storage.md §Consistency).
 */
export class KeySeedStore {
  static readonly migrations: readonly MigrationStep[] = [
    {
      version: 1,
      sql:
        `CREATE TABLE key_seeds (id TEXT PRIMARY KEY, name TEXT NOT NULL, sealed_value TEXT NOT NULL, ` +
        `created TEXT NOT NULL, updated TEXT NOT NULL, generated INTEGER NOT NULL, ` +
        `made_default TEXT, made_default_seq INTEGER)`,
    },
    ...DefaultSwitchStore.migrations,
  ];

  readonly #sql: SqlStorage;
  readonly #switch: DefaultSwitchStore;
  readonly #switchDelaySeconds: number;

  constructor(sql: SqlStorage, options: KeySeedStoreOptions) {
    this.#sql = sql;
    this.#switch = new DefaultSwitchStore(sql);
    this.#switchDelaySeconds = options.switchDelaySeconds;
  }

  /** Every seed in creation order. */
  all(): StoredKeySeed[] {
    return this.#sql.exec<SeedRow>(`SELECT ${SEED_COLUMNS} FROM key_seeds ORDER BY created, rowid`).toArray().map(toStoredSeed);
  }

  find(id: string): StoredKeySeed | undefined {
    const row = this.#sql.exec<SeedRow>(`SELECT ${SEED_COLUMNS} FROM key_seeds WHERE id = ?`, id).toArray()[0];
    return row && toStoredSeed(row);
  }

  count(): number {
    return this.#sql.exec<{ n: number }>("SELECT count(*) AS n FROM key_seeds").one().n;
  }

  /** Sealed seed values by seed id, in creation order, as the snapshot carries them. */
  sealedValues(): Record<string, string> {
    const seeds: Record<string, string> = {};
    for (const seed of this.all()) seeds[seed.id] = seed.sealedValue;
    return seeds;
  }

  insert(seed: NewStoredSeed): void {
    this.#sql.exec(
      "INSERT INTO key_seeds (id, name, sealed_value, created, updated, generated) VALUES (?, ?, ?, ?, ?, ?)",
      seed.id,
      seed.name,
      seed.sealedValue,
      seed.now,
      seed.now,
      seed.generated ? 1 : 0,
    );
  }

  rename(id: string, name: string, now: string): void {
    this.#sql.exec("UPDATE key_seeds SET name = ?, updated = ? WHERE id = ?", name, now, id);
  }

  /** Marks the seed as the one made default last (Axinom `MadeDefault`). */
  markDefault(id: string, now: string): void {
    const last = this.#sql
      .exec<{ seq: number | null; at: string | null }>(
        "SELECT made_default_seq AS seq, made_default AS at FROM key_seeds ORDER BY made_default_seq DESC LIMIT 1",
      )
      .toArray()[0];
    // Requests reach the object in another order than their clocks read: keep MadeDefault increasing in the
    // order the object applied them, so "the last made default" reads the same by time and by sequence.
    const lastAt = last?.at ? Date.parse(last.at) : Number.NEGATIVE_INFINITY;
    const madeAt = Date.parse(now) > lastAt ? now : new Date(lastAt + 1).toISOString();
    this.#sql.exec(
      "UPDATE key_seeds SET made_default = ?, made_default_seq = ?, updated = ? WHERE id = ?",
      madeAt,
      (last?.seq ?? 0) + 1,
      now,
      id,
    );
  }

  /**
   * Withdraws the seed's default mark. Axinom API help, PUT api/KeySeeds/{id} (License Service page),
   * IsDefault=false: the previous default is treated as the default again.
   */
  clearDefaultMark(id: string, now: string): void {
    this.#sql.exec("UPDATE key_seeds SET made_default = NULL, made_default_seq = NULL, updated = ? WHERE id = ?", now, id);
  }

  delete(id: string): void {
    this.#sql.exec("DELETE FROM key_seeds WHERE id = ?", id);
  }

  /**
   * Why a delete must refuse the seed, if it must: it is the default or named by the published switch, or it was a
   * default (or a withdrawn switch's) until recently and some location may still issue keys from it.
   */
  deletionRefusal(id: string, now: string): ManagementFailure | undefined {
    const published = this.readSwitch();
    const inUse = seedsInUseAsDefault(ruleDefaultSeedId(this.all()), published && settleSwitch(published, new Date(now)));
    if (inUse.has(id)) return { reason: "default-seed", id };
    const until = this.#switch.protectedUntil(id);
    return until !== undefined && Date.parse(until) > Date.parse(now) ? { reason: "seed-retained", id, until } : undefined;
  }

  /** One seed as the Management API shows it, or undefined when there is none with that id. */
  view(id: string, now: string): KeySeedView | undefined {
    return this.views(now).find((view) => view.id === id);
  }

  /** Every seed as the Management API shows it, in creation order. */
  views(now: string): KeySeedView[] {
    const seeds = this.all();
    const ruleDefault = ruleDefaultSeedId(seeds);
    const published = this.readSwitch();
    return seeds.map((seed) => {
      const pendingSince = published?.next === seed.id ? published.effectiveAt : null;
      return {
        id: seed.id,
        name: seed.name,
        created: seed.created,
        updated: seed.updated,
        generated: seed.generated,
        madeDefault: seed.madeDefault,
        isDefault: seed.id === ruleDefault,
        defaultEffectiveAt: pendingSince !== null && Date.parse(pendingSince) > Date.parse(now) ? pendingSince : null,
      };
    });
  }

  /** The seed acquisitions use at `now`, by the published switch. */
  effectiveDefault(now: Date): string | undefined {
    const published = this.readSwitch();
    return published && settleSwitch(published, now).current;
  }

  /** Recomputes the rule's default and schedules a switch to it when it changed. */
  scheduleDefaultSwitch(now: string): void {
    const ruleDefault = ruleDefaultSeedId(this.all());
    if (!ruleDefault) return;
    const previous = this.readSwitch();
    const planned = planDefaultSwitch(previous, ruleDefault, new Date(now), this.#switchDelaySeconds);
    const retired = retiredDefaultSeed(previous, planned, new Date(now), SNAPSHOT_STALENESS_BOUND_SECONDS);
    if (retired) this.#switch.protect(retired.seedId, retired.until);
    const withdrawn = previous && withdrawnPendingSeed(previous, planned, new Date(now));
    if (withdrawn) {
      // Locations that still hold the withdrawn switch flip to its seed at its instant until they read the
      // new snapshot (within the staleness bound): keep that seed deletable only after then.
      this.#switch.protect(withdrawn, new Date(Date.parse(now) + SNAPSHOT_STALENESS_BOUND_SECONDS * 1000).toISOString());
    }
    this.#switch.write(planned);
  }

  /** The default-seed switch as last published (what the snapshot carries). */
  readSwitch(): DefaultSeedSwitch | undefined {
    return this.#switch.read();
  }

  /** Makes a seed the default at once, with no pending switch (a new tenant's first seed). */
  startWithDefault(id: string): void {
    this.#switch.write({ current: id, next: null, effectiveAt: null });
  }
}

function toStoredSeed(row: SeedRow): StoredKeySeed {
  return {
    id: row.id,
    name: row.name,
    sealedValue: row.sealed_value,
    created: row.created,
    updated: row.updated,
    generated: row.generated === 1,
    madeDefault: row.made_default,
    madeDefaultSeq: row.made_default_seq,
    insertOrder: row.rowid,
  };
}
