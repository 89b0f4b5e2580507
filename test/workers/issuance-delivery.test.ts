import { env } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { recordIssuance } from "../../src/protocols/acquisition-support";
import { deliverIssuance } from "../../src/protocols/issuance-delivery";
import { LogOperations } from "../../src/tenancy/operations/log-operations";
import { tenantObject } from "../../src/tenancy/tenant-client";
import { TenantStore } from "../../src/tenancy/tenant-store";
import type { IssuanceRecord, LogEntry } from "../../src/tenancy/tenant-types";
import { TEST_BINDINGS } from "../test-bindings";
import { api, createTenant } from "./support/api";
import { FaultInjectingDestination } from "./support/fault-injecting-destination";

const NO_DELAYS = { retryDelaysMs: [0, 0, 0], attemptTimeoutMs: 2_000 };

/** The tenant object as src/ calls it (faults mapped, each record target released after its call). */
function tenantStub(tenantId: string) {
  return tenantObject(env, tenantId);
}

function records(count: number, contentId = "movie"): IssuanceRecord[] {
  return Array.from({ length: count }, (_, index) => ({
    id: crypto.randomUUID(),
    time: new Date().toISOString(),
    protocol: "speke-v2.0",
    contentId: `${contentId}-${index}`,
    kids: [crypto.randomUUID()],
    keySeedId: crypto.randomUUID(),
    credential: "c",
  }));
}

/** Issuance entries as the tenant object lists them, newest first. */
async function issuanceEntries(tenantId: string): Promise<LogEntry[]> {
  const page = await tenantStub(tenantId)
    .logs()
    .list({ categories: [100] }, { top: 100, skip: 0 }, new Date());
  if (!page.ok) throw new Error(page.failure.reason);
  return page.value;
}

async function parkedKeys(tenantId: string): Promise<string[]> {
  return (await env.SNAPSHOTS.list({ prefix: `issuance-parked/${tenantId}/` })).keys.map((key) => key.name);
}

afterEach(() => vi.restoreAllMocks());

describe("issuance delivery to the tenant object", () => {
  it("retries a batch after the object failed, and stores it exactly once", async () => {
    const { tenantId } = await createTenant();
    const destination = new FaultInjectingDestination(() => tenantStub(tenantId).logs(), ["before-delivery", "before-delivery"]);
    const batch = records(3);
    const outcome = await deliverIssuance(tenantId, batch, {
      destination: () => destination,
      parking: env.SNAPSHOTS,
      retentionDays: 90,
      ...NO_DELAYS,
    });
    expect(outcome).toEqual({ outcome: "delivered", attempts: 3 });
    expect((await issuanceEntries(tenantId)).map((entry) => entry.id).sort()).toEqual(batch.map((record) => record.id).sort());
  });

  it("stores a batch once when the object stored it but its answer was lost and the retry delivers it again", async () => {
    const { tenantId } = await createTenant();
    const destination = new FaultInjectingDestination(() => tenantStub(tenantId).logs(), ["after-delivery"]);
    const batch = records(2);
    const outcome = await deliverIssuance(tenantId, batch, {
      destination: () => destination,
      parking: env.SNAPSHOTS,
      retentionDays: 90,
      ...NO_DELAYS,
    });
    expect(outcome).toEqual({ outcome: "delivered", attempts: 2 });
    expect(destination.attempts).toBe(2);
    const entries = await issuanceEntries(tenantId);
    expect(entries).toHaveLength(2);
    expect(entries.map((entry) => entry.id).sort()).toEqual(batch.map((record) => record.id).sort());
  });

  it("waits between attempts with growing delays", async () => {
    const { tenantId } = await createTenant();
    const delays: number[] = [];
    const setTimeoutSpy = vi.spyOn(globalThis, "setTimeout");
    const destination = new FaultInjectingDestination(() => tenantStub(tenantId).logs(), ["before-delivery", "before-delivery"]);
    await deliverIssuance(tenantId, records(1), {
      destination: () => destination,
      parking: env.SNAPSHOTS,
      retentionDays: 90,
      retryDelaysMs: [1, 2, 4],
      attemptTimeoutMs: 2_000,
    });
    for (const call of setTimeoutSpy.mock.calls) if (call[1] !== 2_000) delays.push(call[1] as number);
    expect(delays).toEqual([1, 2]);
  });

  it("parks a batch in KV when every attempt fails, and the object takes it back exactly once", async () => {
    const { tenantId } = await createTenant();
    const unreachable = new FaultInjectingDestination(() => tenantStub(tenantId).logs(), Array(4).fill("before-delivery"));
    const batch = records(5);
    const outcome = await deliverIssuance(tenantId, batch, {
      destination: () => unreachable,
      parking: env.SNAPSHOTS,
      retentionDays: 90,
      ...NO_DELAYS,
    });
    expect(outcome).toEqual({ outcome: "parked", attempts: 4 });
    expect(await parkedKeys(tenantId)).toHaveLength(1);

    // Reading the log takes parked batches back first; a second read finds nothing more to take.
    expect((await issuanceEntries(tenantId)).map((entry) => entry.id).sort()).toEqual(batch.map((record) => record.id).sort());
    expect(await parkedKeys(tenantId)).toEqual([]);
    expect(await issuanceEntries(tenantId)).toHaveLength(5);
  });

  it("stores once a batch that was both stored (its answer lost each time) and parked", async () => {
    const { tenantId } = await createTenant();
    const lostAnswers = new FaultInjectingDestination(() => tenantStub(tenantId).logs(), Array(4).fill("after-delivery"));
    const batch = records(2);
    const outcome = await deliverIssuance(tenantId, batch, {
      destination: () => lostAnswers,
      parking: env.SNAPSHOTS,
      retentionDays: 90,
      ...NO_DELAYS,
    });
    expect(outcome.outcome).toBe("parked");
    expect(await issuanceEntries(tenantId)).toHaveLength(2);
    expect(await parkedKeys(tenantId)).toEqual([]);
  });

  it("logs a batch lost only when KV refuses it too, with its size and never its contents", async () => {
    const { tenantId } = await createTenant();
    const unreachable = new FaultInjectingDestination(() => tenantStub(tenantId).logs(), Array(4).fill("before-delivery"));
    vi.spyOn(env.SNAPSHOTS, "put").mockRejectedValue(new Error("injected KV write failure"));
    const errors = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const batch = records(2, "secret-looking-content");
    const outcome = await deliverIssuance(tenantId, batch, {
      destination: () => unreachable,
      parking: env.SNAPSHOTS,
      retentionDays: 90,
      ...NO_DELAYS,
    });
    expect(outcome).toEqual({ outcome: "lost", attempts: 4 });
    expect(errors).toHaveBeenCalledWith("issuance records lost", expect.objectContaining({ tenantId, count: 2 }));
    const logged = JSON.stringify(errors.mock.calls);
    for (const record of batch) {
      expect(logged).not.toContain(record.contentId);
      expect(logged).not.toContain(record.kids[0]);
    }
  });

  it("drops no record when an acquisition's first delivery to the object fails (end to end)", async () => {
    const tenant = await createTenant();
    // The tenant objects run in the tests' isolate: the object's first logs().append call fails as an outage would.
    const append = vi.spyOn(LogOperations.prototype, "append").mockRejectedValueOnce(new Error("injected: object unavailable"));
    const kid = crypto.randomUUID();
    expect((await api(tenant, "GET", `/api/Cpix/movie-e2e?kid=${kid}`)).status).toBe(200);
    let logs: { Id: string; ContentId: string; KeyIds: string[] }[] = [];
    for (let attempt = 0; attempt < 100 && logs.length === 0; attempt++) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 50));
      logs = await (await api(tenant, "GET", "/api/Logs?category=100")).json();
    }
    expect(append).toHaveBeenCalledTimes(2);
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatchObject({ ContentId: "movie-e2e", KeyIds: [kid] });
  });
});

describe("issuance batches are kept alive by the request that opened them", () => {
  it("hands a batch to waitUntil once, from its first request, and delivers every request's record in it", async () => {
    const { tenantId } = await createTenant();
    TenantStore.clear();
    const tenant = (await new TenantStore(env.SNAPSHOTS, TEST_BINDINGS.KEY_ENCRYPTION_KEY, "1").load(tenantId))!;
    // Three requests within one batch window, each with its own execution context.
    const contexts = [[], [], []].map((pending: Promise<unknown>[]) => ({
      pending,
      waitUntil: (promise: Promise<unknown>) => void pending.push(promise),
    }));
    const kids = contexts.map(() => crypto.randomUUID());
    const answered = contexts.map((context, index) =>
      // Access as a signed URL: its credential ("c") names no Basic credential of the tenant.
      recordIssuance(env, context, tenant, "signed-url", {
        time: "2026-11-26T07:00:00.000Z",
        protocol: "speke-v2.0",
        contentId: `window-${index}`,
        kids: [kids[index]!],
        keySeedId: crypto.randomUUID(),
        credential: "c",
      }),
    );
    // Each request's access is looked at again before its record joins a batch (acquisition-support.ts), so the batch
    // opens a few turns later. The delivery runs in the opener's context; a later request's waitUntil could not keep it alive.
    await vi.waitFor(() => expect(contexts[0]!.pending).toHaveLength(1));
    expect(contexts.map((context) => context.pending.length)).toEqual([1, 0, 0]);
    await Promise.all([...contexts[0]!.pending, ...answered]);
    const entries = (await issuanceEntries(tenantId)).filter((entry) => entry.kind === "issuance");
    expect(entries.flatMap((entry) => entry.kids).sort()).toEqual([...kids].sort());
  });
});

describe("issuance records are bounded", () => {
  it("splits a request with 2,500 KIDs into records of at most 1,000 KIDs, each with its own id", async () => {
    const { tenantId } = await createTenant();
    TenantStore.clear();
    const tenant = (await new TenantStore(env.SNAPSHOTS, TEST_BINDINGS.KEY_ENCRYPTION_KEY, "1").load(tenantId))!;
    const kids = Array.from({ length: 2_500 }, () => crypto.randomUUID());
    const pending: Promise<unknown>[] = [];
    const answered = recordIssuance(env, { waitUntil: (promise) => void pending.push(promise) }, tenant, "signed-url", {
      time: "2026-11-23T12:00:00.000Z",
      protocol: "speke-v2.0",
      contentId: "big",
      kids,
      keySeedId: crypto.randomUUID(),
      credential: "c",
    });
    // Answered once its records are durable (the batch is handed to waitUntil after the access check).
    await answered;
    await Promise.all(pending);
    const entries = (await issuanceEntries(tenantId)).filter((entry) => entry.kind === "issuance");
    expect(entries.map((entry) => entry.kids.length).sort()).toEqual([1_000, 1_000, 500]);
    expect(new Set(entries.map((entry) => entry.id)).size).toBe(3);
    expect(entries.flatMap((entry) => entry.kids).sort()).toEqual([...kids].sort());
    expect(new Set(entries.map((entry) => entry.contentId))).toEqual(new Set(["big"]));
  });
});
