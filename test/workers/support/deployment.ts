import { createExecutionContext, env, listDurableObjectIds, runInDurableObject, waitOnExecutionContext } from "cloudflare:test";
import worker from "../../../src/index";
import { TenantStore } from "../../../src/tenancy/tenant-store";
import { BASE } from "./api";

/**
 * A deployment with other secrets than the test bindings, as `wrangler secret put` makes one: the Worker is called with
 * the new bindings (a fresh isolate: no cached snapshot or key), and every tenant object that exists runs with them,
 * as objects restart with a new version's bindings.
 */
export class Deployment {
  constructor(readonly bindings: Partial<Env>) {}

  /** Puts the bindings in force for the Worker and for every tenant object created so far. */
  static async roll(bindings: Partial<Env>): Promise<Deployment> {
    TenantStore.clear();
    for (const id of await listDurableObjectIds(env.TENANTS)) {
      await runInDurableObject(env.TENANTS.get(id), (instance) => {
        const object = instance as unknown as { env: Env };
        object.env = { ...object.env, ...bindings };
      });
    }
    return new Deployment(bindings);
  }

  /** A request to the Worker running with these bindings; waits for its `waitUntil` work. */
  async fetch(path: string, init: RequestInit = {}): Promise<Response> {
    const context = createExecutionContext();
    const response = await worker.fetch(new Request(`${BASE}${path}`, init), { ...env, ...this.bindings } as Env, context);
    await waitOnExecutionContext(context);
    return response;
  }
}
