import { env } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { faultMappedStub } from "../../src/tenancy/fault-mapped-stub";
import { KeySeedOperations } from "../../src/tenancy/operations/key-seed-operations";
import { StorageUnavailable } from "../../src/tenancy/storage-fault";
import { tenantObject } from "../../src/tenancy/tenant-client";
import { TenantObject } from "../../src/tenancy/tenant-object";
import { createTenant } from "./support/api";

/** `Symbol.dispose` (workerd defines it; lib es2024 does not name it). */
const DISPOSE = (Symbol as { readonly dispose?: symbol }).dispose!;
const PAGE = { top: 10, skip: 0 };

/**
 * A stand-in for an RPC promise whose answer has not come: every member is a pipelined call, recorded when made and
 * answered at once; `then` never settles; disposing it is counted.
 */
function unansweredTarget(calls: string[], disposed: string[], name: string): object {
  return new Proxy(() => undefined, {
    get(_, property) {
      if (property === "then") return () => undefined;
      if (property === DISPOSE) return () => void disposed.push(name);
      return (...args: unknown[]) => {
        calls.push(`${name}.${String(property)}(${args.join(", ")})`);
        return Promise.resolve({ ok: true, value: String(property) });
      };
    },
  });
}

/** A stand-in stub whose getter `keySeeds()` answers a fresh unanswered target each time it is called. */
function standInStub() {
  const calls: string[] = [];
  const disposed: string[] = [];
  let made = 0;
  const stub = { keySeeds: () => unansweredTarget(calls, disposed, `target${++made}`) };
  return { stub: faultMappedStub(stub, "tenant-object"), calls, disposed };
}

afterEach(() => vi.restoreAllMocks());

describe("a record target's call, as callers make it", () => {
  it("leaves at once, pipelined on the getter's answer before that answer has come: one round trip", () => {
    const { stub, calls } = standInStub();
    const pending = (stub.keySeeds() as unknown as { list(top: number): PromiseLike<unknown> }).list(10);
    // Synchronously: the getter's answer cannot have arrived, and the pipelined call has already been made on it.
    expect(calls).toEqual(["target1.list(10)"]);
    expect(typeof pending.then).toBe("function");
  });

  it("releases the target once its call has settled, and a later call through the same handle takes a fresh one", async () => {
    const { stub, calls, disposed } = standInStub();
    const seeds = stub.keySeeds() as unknown as { list(): PromiseLike<unknown>; get(id: string): PromiseLike<unknown> };
    expect(await seeds.list()).toEqual({ ok: true, value: "list" });
    expect(disposed).toEqual(["target1"]);
    expect(await seeds.get("a")).toEqual({ ok: true, value: "get" });
    expect(calls).toEqual(["target1.list()", "target2.get(a)"]);
    expect(disposed).toEqual(["target1", "target2"]);
  });

  it("answers through the real object in one expression, and the object's target is released after the call", async () => {
    const { tenantId, keySeedId } = await createTenant("targets");
    const released = vi.fn();
    Object.defineProperty(KeySeedOperations.prototype, DISPOSE, { value: released, configurable: true });
    try {
      const page = await tenantObject(env, tenantId).keySeeds().list(PAGE, new Date());
      expect(page).toMatchObject({ ok: true, value: { total: 1, items: [{ id: keySeedId, isDefault: true }] } });
      // The object runs a target's disposer after the last stub to it is disposed (Workers RPC, Lifecycle).
      await vi.waitFor(() => expect(released).toHaveBeenCalledTimes(1));
    } finally {
      Reflect.deleteProperty(KeySeedOperations.prototype, DISPOSE);
    }
  });
});

describe("a storage fault in a call made through a record target is StorageUnavailable", () => {
  it("when the getter fails, the call pipelined on it fails as StorageUnavailable", async () => {
    const { tenantId } = await createTenant();
    vi.spyOn(TenantObject.prototype, "keySeeds").mockImplementation(() => {
      throw new Error("Durable Object reset (injected)");
    });
    const failed = await tenantObject(env, tenantId)
      .keySeeds()
      .list(PAGE, new Date())
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(failed).toBeInstanceOf(StorageUnavailable);
    expect(failed).toMatchObject({ store: "tenant-object" });
  });

  it("when the target's method fails, the call fails as StorageUnavailable, its cause kept for the log", async () => {
    const { tenantId } = await createTenant();
    vi.spyOn(KeySeedOperations.prototype, "list").mockImplementation(() => {
      throw new Error("SQLite storage failed (injected)");
    });
    const failed = await tenantObject(env, tenantId)
      .keySeeds()
      .list(PAGE, new Date())
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(failed).toBeInstanceOf(StorageUnavailable);
    expect(String((failed as StorageUnavailable).cause)).toContain("SQLite storage failed (injected)");
  });

  it("when the object cannot be reached at all (a stand-in failing every call), the pipelined call fails as StorageUnavailable", async () => {
    const unreachable = new Proxy({}, { get: () => () => Promise.reject(new Error("Durable Object unavailable (injected)")) });
    const stub = faultMappedStub(unreachable as DurableObjectStub<TenantObject>, "tenant-object");
    await expect(stub.keySeeds().list(PAGE, new Date())).rejects.toBeInstanceOf(StorageUnavailable);
  });
});
