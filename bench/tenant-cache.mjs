#!/usr/bin/env node
import { execFileSync } from "node:child_process";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { build } from "esbuild";
import { connectInspector } from "./inspector.mjs";
import { spekeV2OneKey } from "./requests.mjs";
import { OUT_ROOT, PROJECT_ROOT, benchSecrets, freePort, startService } from "./service.mjs";
import { SPEKE_V2_HEADERS, createTenant } from "./setup.mjs";

/**
 * `node bench/tenant-cache.mjs [tenants] [rounds]` (10,000 and 2 by default): creates that many tenants, then sends
 * one-key SPEKE v2 acquisitions for them round-robin, and reports the isolate's tenant cache with its byte bound
 * in force (hits, misses, tenants kept, estimated bytes) and the JavaScript heap it holds; then the same with the
 * cache unbounded, as before the bound.
 *
 * The heap is V8's own figure for the Worker's isolate (`Runtime.getHeapUsage` over workerd's inspector, after the
 * full collection a heap snapshot makes); locally the tenants' Durable Objects run in that isolate too, so what the cache holds is the
 * drop when it is emptied (`/__bench/tenant-cache?clear`, a route of the bench-only wrapper
 * bench/tenant-cache-worker.ts) with everything else unchanged. workerd's resident set is printed beside it.
 */

const TENANTS = Number(process.argv[2] ?? 10_000);
const ROUNDS = Number(process.argv[3] ?? 2);
const CONCURRENCY = 8;
const log = (message) => process.stderr.write(`[tenant-cache] ${message}\n`);

async function main() {
  const outdir = join(OUT_ROOT, `tenant-cache-${process.pid}`);
  const secrets = benchSecrets();
  try {
    const scriptPath = join(outdir, "index.js");
    await build({
      entryPoints: [join(PROJECT_ROOT, "bench", "tenant-cache-worker.ts")],
      outfile: scriptPath,
      bundle: true,
      format: "esm",
      platform: "neutral",
      conditions: ["workerd", "worker", "browser"],
      mainFields: ["module", "main"],
      external: ["cloudflare:*", "node:*"],
      target: "es2022",
      minify: true,
      logLevel: "error",
    });
    const inspectorPort = await freePort();
    const service = await startService(scriptPath, secrets, { miniflareOptions: { inspectorPort } });
    try {
      const inspector = await connectInspector(inspectorPort);
      const started = Date.now();
      const tenants = await inParallel(TENANTS, (i) => createTenant(service.url, secrets.ADMIN_TOKEN, `tenant-${i}`));
      log(`${TENANTS} tenants created in ${((Date.now() - started) / 1000).toFixed(0)} s`);
      const body = spekeV2OneKey("widevine");
      const acquire = async (tenant) => {
        const response = await fetch(`${service.url}/api/SpekeV2`, {
          method: "POST",
          headers: { ...SPEKE_V2_HEADERS, Authorization: tenant.authorization },
          body,
        });
        const text = await response.text();
        if (response.status !== 200 || !text.includes("PlainValue")) throw new Error(`acquisition answered ${response.status}`);
      };
      const rows = [];
      for (const budget of ["bounded", "unbounded"]) {
        await stats(service.url, { clear: "", ...(budget === "unbounded" && { budget: "unbounded" }) });
        const heapBefore = await heapUsed(inspector);
        const start = Date.now();
        for (let round = 0; round < ROUNDS; round++) await inParallel(TENANTS, (i) => acquire(tenants[i]));
        const seconds = (Date.now() - start) / 1000;
        const cache = await stats(service.url);
        const heapFull = await heapUsed(inspector);
        const rss = workerdRss();
        await stats(service.url, { clear: "" });
        const heapEmptied = await heapUsed(inspector);
        rows.push({ budget, cache, heapBefore, heapFull, heapEmptied, rss, seconds });
        log(`${budget}: ${JSON.stringify(cache)}, heap ${mb(heapFull)} → ${mb(heapEmptied)} when emptied`);
      }
      inspector.close();
      print(rows);
    } finally {
      await service.stop();
    }
  } finally {
    await rm(outdir, { recursive: true, force: true });
  }
}

function print(rows) {
  console.log(
    `${TENANTS.toLocaleString("en-US")} tenants, ${ROUNDS} rounds round-robin of one-key SPEKE v2 acquisitions, ${CONCURRENCY} at a time`,
  );
  console.log("");
  console.log(
    "| cache | hit rate | tenants kept | estimated bytes | isolate heap, full | heap the cache holds | per tenant kept | workerd RSS | acquisitions/s |",
  );
  console.log("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
  for (const { budget, cache, heapFull, heapEmptied, rss, seconds } of rows) {
    const held = heapFull - heapEmptied;
    const loads = cache.hits + cache.misses;
    console.log(
      `| ${budget === "bounded" ? "bounded (16 MiB)" : "unbounded (before)"} | ${((cache.hits / loads) * 100).toFixed(1)} % | ${cache.tenants.toLocaleString("en-US")} | ${mb(cache.estimatedBytes)} | ${mb(heapFull)} | ${mb(held)} | ${(held / Math.max(1, cache.tenants) / 1024).toFixed(1)} KiB | ${rss ? mb(rss) : "–"} | ${Math.round((TENANTS * ROUNDS) / seconds)} |`,
    );
  }
}

const mb = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

async function stats(origin, parameters = {}) {
  const query = new URLSearchParams(parameters).toString();
  return (await fetch(`${origin}/__bench/tenant-cache${query ? `?${query}` : ""}`)).json();
}

/** Runs `task(0…count-1)` with CONCURRENCY in flight, in index order; returns the results in that order. */
async function inParallel(count, task) {
  const results = new Array(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < count) {
        const index = next++;
        results[index] = await task(index);
      }
    }),
  );
  return results;
}

/**
 * V8's used heap of the Worker's isolate after a full collection. workerd's inspector does not answer
 * `HeapProfiler.collectGarbage`; a heap snapshot collects first, and its chunks are dropped unread.
 */
async function heapUsed(inspector) {
  await inspector.send("HeapProfiler.enable");
  await inspector.send("HeapProfiler.takeHeapSnapshot", { reportProgress: false });
  const { usedSize } = await inspector.send("Runtime.getHeapUsage");
  return usedSize;
}

/** Resident set of the workerd processes Miniflare started (children of this Node process), in bytes. */
function workerdRss() {
  try {
    const out = execFileSync("ps", ["-o", "rss=,comm=", "--ppid", String(process.pid)], { encoding: "utf8" });
    const kib = out
      .split("\n")
      .filter((line) => line.includes("workerd"))
      .reduce((sum, line) => sum + Number(line.trim().split(/\s+/)[0]), 0);
    return kib > 0 ? kib * 1024 : undefined;
  } catch {
    return undefined;
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
