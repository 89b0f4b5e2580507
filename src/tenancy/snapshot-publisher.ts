import type { ContentKeyPublication } from "./content-key-publication";
import { SNAPSHOT_FORMAT, snapshotKey, type TenantSnapshot } from "./snapshot";
import type { TenantStores } from "./stores/tenant-stores";

/** Where snapshots are published: the SNAPSHOTS KV namespace, or a fault-injecting stand-in in tests. */
export interface SnapshotSink {
  put(key: string, value: string): Promise<void>;
}

/** The sink that writes to a KV namespace. */
export function kvSnapshotSink(kv: KVNamespace): SnapshotSink {
  return { put: (key, value) => kv.put(key, value) };
}

/** Arms the alarm that retries a failed publish; the object's `DurableObjectStorage` is one. */
export interface RetryAlarm {
  setAlarm(scheduledTime: number): Promise<void>;
}

/**
 * The stores a snapshot is built from: every store but the logs. `cpixUrlSecrets` may be absent in callers that build
 * snapshots without signed URLs (tests of the publisher alone).
 */
export type SnapshotSources = Omit<TenantStores, "issuance" | "audit" | "cpixUrlSecrets" | "contentKeys" | "contentKeyRemovals"> &
  Partial<Pick<TenantStores, "cpixUrlSecrets">>;

/** What one publish did. */
export type PublishOutcome =
  | { readonly outcome: "published"; readonly version: number }
  | { readonly outcome: "retry-scheduled"; readonly version: number; readonly retryAt: number }
  | { readonly outcome: "no-tenant" };

/** Delay before the alarm retries a publish whose KV write failed. */
export const PUBLISH_RETRY_MS = 1000;

/**
 * Builds the tenant snapshot from the stores, versions it, and writes it to the sink (docs/storage.md
 * §Consistency). Each write to a store bumps the version in the same transaction; publishing then writes the
 * whole snapshot as one value, so a reader holds either the previous complete snapshot or the new one.
 */
export class SnapshotPublisher {
  readonly #sql: SqlStorage;
  readonly #sources: SnapshotSources;
  readonly #sink: SnapshotSink;
  readonly #alarm: RetryAlarm;
  readonly #clock: () => number;
  readonly #contentKeys: ContentKeyPublication | undefined;
  #chain: Promise<unknown> = Promise.resolve();

  /** `contentKeys` writes the stored keys' KV records before each snapshot (absent in tests of the publisher alone). */
  constructor(
    sql: SqlStorage,
    sources: SnapshotSources,
    sink: SnapshotSink,
    alarm: RetryAlarm,
    clock: () => number = Date.now,
    contentKeys?: ContentKeyPublication,
  ) {
    this.#contentKeys = contentKeys;
    this.#sql = sql;
    this.#sources = sources;
    this.#sink = sink;
    this.#alarm = alarm;
    this.#clock = clock;
  }

  /** The version of the newest committed state (`meta.snapshot_version`); 0 before the first write. */
  version(): number {
    return Number(this.#sql.exec<{ value: string }>("SELECT value FROM meta WHERE name = 'snapshot_version'").toArray()[0]?.value ?? "0");
  }

  /**
   * Whether KV may lack the newest committed state: the last confirmed publish (`meta.published_version`, written
   * after the KV write succeeded) is older than the state, or content-key records wait. A restart checks it, since a
   * commit followed by a crash before its KV write leaves a change no reader would otherwise see.
   */
  unconfirmed(): boolean {
    const confirmed = this.#sql.exec<{ value: string }>("SELECT value FROM meta WHERE name = 'published_version'").toArray()[0];
    return (confirmed === undefined ? -1 : Number(confirmed.value)) < this.version() || (this.#contentKeys?.pending() ?? false);
  }

  /** Writes one stored content key's KV record again from the object's own row (a reader found it bad), in the chain. */
  republishContentKey(tenantId: string, kid: string): Promise<boolean> {
    const run = this.#chain.then(() => this.#contentKeys?.republish(tenantId, kid) ?? false);
    this.#chain = run.catch(() => undefined);
    return run;
  }

  #confirm(version: number): void {
    this.#sql.exec(
      "INSERT INTO meta (name, value) VALUES ('published_version', ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value",
      String(version),
    );
  }

  /** Counts a change; call inside the transaction that makes it, so the version and the change commit together. */
  bumpVersion(): void {
    this.#sql.exec(
      "INSERT INTO meta (name, value) VALUES ('snapshot_version', '1') ON CONFLICT(name) DO UPDATE SET value = CAST(value AS INTEGER) + 1",
    );
  }

  /**
   * The snapshot of the state as it is now, or undefined before the tenant exists. Every store is read in one
   * synchronous run, so no other write can land between two of the reads.
   */
  build(): TenantSnapshot | undefined {
    const tenant = this.#sources.tenant.read();
    const defaultSeed = this.#sources.seeds.readSwitch();
    if (!tenant || !defaultSeed) return undefined;
    const cpixUrlSecret = this.#sources.cpixUrlSecrets?.snapshotEntry();
    const contentKeys = this.#contentKeys?.snapshotEntry() ?? { count: 0, removals: 0 };
    return {
      format: SNAPSHOT_FORMAT,
      tenantId: tenant.id,
      version: this.version(),
      name: tenant.name,
      dataKeyVersion: tenant.dataKeyVersion,
      wrappedDataKey: tenant.wrappedDataKey,
      credentials: this.#sources.credentials.active(),
      seeds: this.#sources.seeds.sealedValues(),
      defaultSeed,
      settings: this.#sources.settings.read(),
      widevineCredentials: this.#sources.widevineSigners.snapshotEntries(),
      signingKeys: this.#sources.signingKeys.snapshotEntries(),
      trustedRequesters: this.#sources.trustedRequesters.fingerprints(),
      ...(cpixUrlSecret && { cpixUrlSecret }),
      contentKeys,
      ...(tenant.suspendedAt !== undefined && { suspended: true as const }),
    };
  }

  /**
   * Writes the snapshot to the sink; when that fails, arms the alarm to retry. Publishes run one after another
   * and each builds the snapshot when it runs, so the last write always carries the newest version even when
   * writes interleave, and a retry never writes an older state over a newer one.
   */
  publish(): Promise<PublishOutcome> {
    const run = this.#chain.then(() => this.#publishNow());
    // A failed step must not poison the chain: the next publish still runs (and writes the newest state).
    this.#chain = run.catch(() => undefined);
    return run;
  }

  /** Runs from the object's alarm: publishes the current state again after a failed write. */
  retry(): Promise<PublishOutcome> {
    return this.publish();
  }

  async #publishNow(): Promise<PublishOutcome> {
    const tenant = this.#sources.tenant.read();
    // Records first: the snapshot's filter then names only keys whose record a reader will find.
    const records =
      tenant && this.#contentKeys
        ? await this.#contentKeys.flush(tenant.id, new Date(this.#clock()).toISOString(), () => this.bumpVersion())
        : undefined;
    const snapshot = this.build();
    if (!snapshot) return { outcome: "no-tenant" };
    try {
      await this.#sink.put(snapshotKey(snapshot.tenantId), JSON.stringify(snapshot));
      this.#confirm(snapshot.version);
      if (records?.failed || records?.remaining) {
        // The next records go out from the alarm: at once when a full batch left more, after the back-off when some failed.
        const retryAt = this.#clock() + (records.failed ? PUBLISH_RETRY_MS : 0);
        await this.#alarm.setAlarm(retryAt);
        return { outcome: "retry-scheduled", version: snapshot.version, retryAt };
      }
      return { outcome: "published", version: snapshot.version };
    } catch (error) {
      console.error("snapshot publish failed; retrying by alarm", {
        tenantId: snapshot.tenantId,
        version: snapshot.version,
        error: String(error),
      });
      const retryAt = this.#clock() + PUBLISH_RETRY_MS;
      await this.#alarm.setAlarm(retryAt);
      return { outcome: "retry-scheduled", version: snapshot.version, retryAt };
    }
  }
}
