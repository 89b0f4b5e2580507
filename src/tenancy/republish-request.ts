import { republishName } from "./snapshot";
import type { StoredValueCorrupt } from "./storage-fault";
import { tenantObject } from "./tenant-client";

/**
 * How often one isolate asks a tenant object to republish one value (ms). Short enough that a tenant answers right
 * again within seconds of a bad value being found; long enough that a stream of refused requests is not a stream of
 * RPCs (the object coalesces further, src/tenancy/operations/publication-operations.ts).
 */
export const REPUBLISH_REQUEST_INTERVAL_MS = 5000;
/** Bound on the values remembered per isolate; past it the memory starts over (at worst one extra request each). */
const MAX_REMEMBERED_REQUESTS = 10_000;

const lastAsked = new Map<string, number>();

/**
 * Asks the tenant object to write a value a reader refused again (docs/storage.md §Self-healing), at most once per
 * REPUBLISH_REQUEST_INTERVAL_MS per isolate, tenant and value. Answers the call to keep alive (`waitUntil`), or
 * undefined when it was asked recently. Never throws: a failed request is logged and the next reader asks again.
 */
export function requestRepublish(env: Env, fault: StoredValueCorrupt, now: number = Date.now()): Promise<void> | undefined {
  const value = republishName(fault.target);
  const name = `${fault.tenantId}/${value}`;
  if (now - (lastAsked.get(name) ?? Number.NEGATIVE_INFINITY) < REPUBLISH_REQUEST_INTERVAL_MS) return undefined;
  if (lastAsked.size >= MAX_REMEMBERED_REQUESTS) lastAsked.clear();
  lastAsked.set(name, now);
  console.error("stored value refused; asking the tenant object to republish it", {
    tenantId: fault.tenantId,
    value,
    problem: fault.problem,
  });
  return tenantObject(env, fault.tenantId)
    .tenant()
    .republish(fault.target)
    .then(
      () => undefined,
      (error: unknown) => console.error("republish request failed", { tenantId: fault.tenantId, value, error: String(error) }),
    );
}

/** Forgets when republishes were asked (TenantStore.clear, when tests play a fresh isolate). */
export function forgetRepublishRequests(): void {
  lastAsked.clear();
}
