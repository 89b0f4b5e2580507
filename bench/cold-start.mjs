import { mkdir, rm } from "node:fs/promises";
import { performance } from "node:perf_hooks";
import { spekeV2OneKey } from "./requests.mjs";
import { startService } from "./service.mjs";
import { createTenant, SPEKE_V2_HEADERS } from "./setup.mjs";

/**
 * Cold start as far as it can be seen locally. One instance creates two tenants into on-disk KV and Durable
 * Object storage, then each fresh Miniflare instance over that storage is timed:
 * - start: `new Miniflare()` until it accepts connections (workerd process start, script compile, module
 *   evaluation: locally dominated by the process start, which production does not have);
 * - first /healthz: the first request of the new isolate;
 * - first SPEKE (cold code, cold tenant): first acquisition, with first-run compilation of the CPIX paths, one
 *   KV read, the KEK import, data-key unwrap, HKDF, credential HMAC and seed open;
 * - first SPEKE of a second tenant (warm code, cold tenant): the KV read and key unwrapping alone;
 * - warm SPEKE: median of the next requests, to subtract.
 */
export async function measureColdStart(scriptPath, secrets, persistDir, repeats = 3) {
  await rm(persistDir, { recursive: true, force: true });
  await mkdir(persistDir, { recursive: true });
  const body = spekeV2OneKey("widevine");
  const seeding = await startService(scriptPath, secrets, { persistDir });
  let tenants;
  try {
    tenants = [await createTenant(seeding.url, secrets.ADMIN_TOKEN), await createTenant(seeding.url, secrets.ADMIN_TOKEN)];
  } finally {
    await seeding.stop();
  }

  const runs = [];
  for (let i = 0; i < repeats; i++) {
    const service = await startService(scriptPath, secrets, { persistDir });
    try {
      const healthz = await timed(() => fetch(`${service.url}/healthz`));
      const speke = (tenant) =>
        timed(() =>
          fetch(`${service.url}/api/SpekeV2`, {
            method: "POST",
            headers: { ...SPEKE_V2_HEADERS, Authorization: tenant.authorization },
            body,
          }),
        );
      const firstSpeke = await speke(tenants[0]);
      const warm = [];
      for (let j = 0; j < 9; j++) warm.push((await speke(tenants[0])).ms);
      const secondTenant = await speke(tenants[1]);
      const statuses = [healthz.status, firstSpeke.status, secondTenant.status];
      runs.push({
        startMs: service.startMs,
        firstHealthzMs: healthz.ms,
        firstSpekeMs: firstSpeke.ms,
        secondTenantFirstSpekeMs: secondTenant.ms,
        warmSpekeMs: median(warm),
        ok: statuses.every((status) => status === 200),
        statuses,
      });
    } finally {
      await service.stop();
    }
  }
  await rm(persistDir, { recursive: true, force: true });
  const field = (name) => median(runs.map((run) => run[name]));
  return {
    repeats,
    ok: runs.every((run) => run.ok),
    statuses: runs.map((run) => run.statuses),
    startMs: field("startMs"),
    firstHealthzMs: field("firstHealthzMs"),
    firstSpekeMs: field("firstSpekeMs"),
    secondTenantFirstSpekeMs: field("secondTenantFirstSpekeMs"),
    warmSpekeMs: field("warmSpekeMs"),
  };
}

async function timed(request) {
  const start = performance.now();
  const response = await request();
  await response.arrayBuffer();
  return { ms: performance.now() - start, status: response.status };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}
