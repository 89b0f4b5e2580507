import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { snapshotKey, type TenantSnapshot } from "../../src/tenancy/snapshot";
import { PUBLISH_RETRY_MS, SnapshotPublisher } from "../../src/tenancy/snapshot-publisher";
import { openTenantStores, type TenantStores } from "../../src/tenancy/stores/tenant-stores";
import { FaultInjectingSink, MemorySnapshotSink } from "./support/fault-injecting-sink";

const NOW = "2026-11-23T12:00:00.000Z";
const CLOCK = Date.parse(NOW);

/** What the publisher works on: real stores over a real SQLite database, and a sink that fails on demand. */
interface Bench {
  readonly stores: TenantStores;
  readonly publisher: SnapshotPublisher;
  readonly memory: MemorySnapshotSink;
  readonly sink: FaultInjectingSink;
  /** Alarm instants the publisher asked for. */
  readonly alarms: number[];
  readonly tenantId: string;
  /** Commits a change the way the tenant object does: the change and a version bump in one transaction. */
  commit(change: () => void): void;
  /** What KV readers would get now. */
  published(): TenantSnapshot | undefined;
}

/**
 * Runs `test` inside a fresh tenant object (migrated, holding no tenant), with stores over that object's SQLite
 * storage and a publisher writing to an in-memory sink behind the fault injector, then seeds a minimal tenant.
 * Values are placeholders: the publisher copies sealed values and never opens them.
 */
function withBench(test: (bench: Bench) => Promise<void>): Promise<void> {
  const stub = env.TENANTS.get(env.TENANTS.idFromName(`publisher-${crypto.randomUUID()}`));
  return runInDurableObject(stub, async (_instance, state) => {
    const stores = openTenantStores(state.storage.sql, { switchDelaySeconds: 0 });
    const memory = new MemorySnapshotSink();
    const sink = new FaultInjectingSink(memory);
    const alarms: number[] = [];
    const alarm = { setAlarm: async (at: number) => void alarms.push(at) };
    const publisher = new SnapshotPublisher(state.storage.sql, stores, sink, alarm, () => CLOCK);
    const tenantId = crypto.randomUUID();
    const bench: Bench = {
      stores,
      publisher,
      memory,
      sink,
      alarms,
      tenantId,
      commit: (change) =>
        state.storage.transactionSync(() => {
          change();
          publisher.bumpVersion();
        }),
      published: () => {
        const value = memory.values.get(snapshotKey(tenantId));
        return value === undefined ? undefined : (JSON.parse(value) as TenantSnapshot);
      },
    };
    bench.commit(() => {
      stores.tenant.create({ id: tenantId, name: "publisher", created: NOW, wrappedDataKey: "v1.1.d3JhcHBlZA", dataKeyVersion: 1 });
      stores.seeds.insert({ id: "seed-a", name: "A", sealedValue: "v1.1.c2VlZC1h", generated: true, now: NOW });
      stores.seeds.startWithDefault("seed-a");
    });
    await test(bench);
  });
}

describe("snapshot publisher", () => {
  it("publishes the committed state as one value carrying its version", async () => {
    await withBench(async ({ publisher, published, memory }) => {
      expect(await publisher.publish()).toEqual({ outcome: "published", version: 1 });
      expect(published()).toEqual(publisher.build());
      expect(published()).toMatchObject({ version: 1, seeds: { "seed-a": "v1.1.c2VlZC1h" }, defaultSeed: { current: "seed-a" } });
      expect(memory.accepted).toHaveLength(1);
    });
  });

  it("publishes nothing for an object that holds no tenant", async () => {
    const stub = env.TENANTS.get(env.TENANTS.idFromName(`publisher-${crypto.randomUUID()}`));
    await runInDurableObject(stub, async (_instance, state) => {
      const memory = new MemorySnapshotSink();
      const alarm = { setAlarm: async () => expect.fail("no alarm without a tenant") };
      const publisher = new SnapshotPublisher(
        state.storage.sql,
        openTenantStores(state.storage.sql, { switchDelaySeconds: 0 }),
        memory,
        alarm,
      );
      expect(await publisher.publish()).toEqual({ outcome: "no-tenant" });
      expect(memory.accepted).toEqual([]);
    });
  });

  it("keeps the previous complete snapshot when a write fails, and the alarm's retry writes the newest one", async () => {
    await withBench(async ({ stores, publisher, sink, alarms, commit, published }) => {
      await publisher.publish();
      const before = published();
      commit(() => {
        stores.seeds.insert({ id: "seed-b", name: "B", sealedValue: "v1.1.c2VlZC1i", generated: false, now: NOW });
        stores.seeds.markDefault("seed-b", NOW);
        stores.seeds.scheduleDefaultSwitch(NOW);
        stores.settings.replace({ widevineProvider: "after" });
      });
      sink.failNext();

      expect(await publisher.publish()).toEqual({ outcome: "retry-scheduled", version: 2, retryAt: CLOCK + PUBLISH_RETRY_MS });
      expect(alarms).toEqual([CLOCK + PUBLISH_RETRY_MS]);
      // Readers still get version 1 whole: no new seed, no new default, no new setting.
      expect(published()).toEqual(before);

      expect(await publisher.retry()).toEqual({ outcome: "published", version: 2 });
      expect(published()).toEqual(publisher.build());
      expect(published()).toMatchObject({ version: 2, defaultSeed: { current: "seed-b" }, settings: { widevineProvider: "after" } });
    });
  });

  it("re-arms the alarm while writes keep failing and stops once one succeeds", async () => {
    await withBench(async ({ publisher, sink, alarms, published }) => {
      sink.failNext(2);
      expect((await publisher.publish()).outcome).toBe("retry-scheduled");
      expect((await publisher.retry()).outcome).toBe("retry-scheduled");
      expect(published()).toBeUndefined();
      expect(await publisher.retry()).toEqual({ outcome: "published", version: 1 });
      expect(alarms).toHaveLength(2);
      expect(sink.attempts).toBe(3);
    });
  });

  it("never writes an older version over a newer one when a failed write is followed by another change", async () => {
    await withBench(async ({ stores, publisher, sink, commit, memory, published }) => {
      await publisher.publish();
      commit(() => stores.settings.replace({ widevineProvider: "second" }));
      sink.failNext();
      await publisher.publish();
      commit(() => stores.settings.replace({ widevineProvider: "third" }));
      expect(await publisher.publish()).toEqual({ outcome: "published", version: 3 });
      // The alarm fires after the newer write went through: it writes version 3 again, never version 2.
      expect(await publisher.retry()).toEqual({ outcome: "published", version: 3 });
      const versions = memory.accepted.map((value) => (JSON.parse(value) as TenantSnapshot).version);
      expect(versions).toEqual([1, 3, 3]);
      expect(published()).toMatchObject({ version: 3, settings: { widevineProvider: "third" } });
    });
  });

  it("writes only states that were committed whole, even when changes land while a write is in flight", async () => {
    await withBench(async ({ stores, publisher, sink, commit, memory }) => {
      const committed = new Map<number, TenantSnapshot>();
      const record = () => committed.set(publisher.version(), publisher.build()!);
      record();
      const gate = sink.hold();
      const first = publisher.publish();
      await gate.reached;
      commit(() => {
        stores.seeds.insert({ id: "seed-b", name: "B", sealedValue: "v1.1.c2VlZC1i", generated: false, now: NOW });
        stores.settings.replace({ widevineProvider: "with-b" });
      });
      record();
      const second = publisher.publish();
      commit(() => {
        stores.seeds.markDefault("seed-b", NOW);
        stores.seeds.scheduleDefaultSwitch(NOW);
        stores.settings.replace({ widevineProvider: "b-default" });
      });
      record();
      const third = publisher.publish();
      gate.release();
      await Promise.all([first, second, third]);

      const accepted = memory.accepted.map((value) => JSON.parse(value) as TenantSnapshot);
      // The write in flight carries version 1 as built; the queued publishes build when they run, so both write 3.
      expect(accepted.map((snapshot) => snapshot.version)).toEqual([1, 3, 3]);
      for (const snapshot of accepted) expect(snapshot).toEqual(committed.get(snapshot.version));
    });
  });
});
