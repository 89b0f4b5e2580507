#!/usr/bin/env node
import { rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { busyMicros, connectInspector, sampledLoad } from "./inspector.mjs";
import { TRIVIAL, scenarios } from "./scenarios.mjs";
import { OUT_ROOT, benchSecrets, buildWorker, freePort, startService } from "./service.mjs";
import { createSignedRequestsTenant, createTenant, createWidevineSigner } from "./setup.mjs";
import { hostileSignedCpix, makeRequesterCertificate, signedSpekeV2Presets } from "./signed-requests.mjs";

/**
 * CPU profile of the Worker's isolate under one bench scenario, through workerd's V8 inspector:
 * `node bench/profile.mjs [scenario-number] [seconds]` (0 = /healthz, 1… as in the bench table) prints the functions
 * with the most self time and the most inclusive time; `node bench/profile.mjs all [seconds]` prints one table of
 * isolate busy µs per request for every scenario, one after another in one Worker (`PROFILE_UNMINIFIED=1`: with
 * the source's function names). For finding what limits a
 * scenario; the numbers are slower than a bench run (the sampler costs CPU).
 */

const ALL = process.argv[2] === "all";
const SCENARIO = ALL ? undefined : Number(process.argv[2] ?? 1);
const SECONDS = Number(process.argv[3] ?? 4);
const TOP = Number(process.env.PROFILE_TOP ?? 25);

async function main() {
  const outdir = join(OUT_ROOT, `profile-${process.pid}`);
  const secrets = benchSecrets();
  try {
    // PROFILE_UNMINIFIED=1: function names as in src/ (the bundle then differs from what is deployed).
    const { scriptPath } = await buildWorker(join(outdir, "worker"), process.env.PROFILE_UNMINIFIED ? ["--no-minify"] : []);
    const inspectorPort = await freePort();
    const service = await startService(scriptPath, secrets, { miniflareOptions: { inspectorPort } });
    try {
      const tenant = await createTenant(service.url, secrets.ADMIN_TOKEN);
      const signer = await createWidevineSigner(service.url, tenant, "bench");
      const requester = await makeRequesterCertificate();
      const signedTenant = await createSignedRequestsTenant(service.url, secrets.ADMIN_TOKEN, requester.der);
      const signed = { tenant: signedTenant, presets: await signedSpekeV2Presets(requester), hostile: await hostileSignedCpix(requester) };
      const all = [TRIVIAL, ...scenarios(tenant, signer, undefined, signed)];
      const inspector = await connectInspector(inspectorPort);
      await inspector.send("Profiler.enable");
      await inspector.send("Profiler.setSamplingInterval", { interval: 200 });
      if (!ALL) {
        const { scenario, load, profile } = await profileScenario(service.url, inspector, all[SCENARIO]);
        console.log(`${scenario.name}: ${Math.round(load.requestsPerSecond)} req/s under the profiler, ${load.non2xx} unexpected statuses`);
        report(profile, load.ok);
        if (process.env.PROFILE_OUT) await writeFile(process.env.PROFILE_OUT, JSON.stringify({ profile, requests: load.ok }));
      } else {
        // One line per scenario: isolate busy time per request (CPU of the Worker's isolate, from the sampler).
        console.log("| # | Scenario | keys | isolate busy µs/request | µs/request above /healthz |");
        console.log("|---:|---|---:|---:|---:|");
        let trivial;
        for (const [index, scenario] of all.entries()) {
          const { load, profile } = await profileScenario(service.url, inspector, scenario);
          const busy = busyMicros(profile) / Math.max(1, load.ok);
          trivial ??= busy;
          const above = index === 0 ? "" : Math.round(busy - trivial);
          console.log(`| ${index} | ${scenario.name} | ${scenario.keys ?? ""} | ${Math.round(busy)} | ${above} |`);
        }
      }
      inspector.close();
    } finally {
      await service.stop();
    }
  } finally {
    await rm(outdir, { recursive: true, force: true });
  }
}

/** Profiles the isolate while one scenario's request is replayed for SECONDS. */
async function profileScenario(origin, inspector, scenario) {
  const { load, profile } = await sampledLoad(inspector, origin, scenario.request, {
    expectStatus: scenario.expectStatus,
    connections: scenario.connections ?? 10,
    durationSeconds: SECONDS,
  });
  return { scenario, load, profile };
}

/** Self and inclusive time per function (name + position in the bundle), as shares of the sampled time. */
function report(profile, requests) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const keyOf = (node) => {
    const { functionName, url, lineNumber } = node.callFrame;
    return `${functionName || "(anonymous)"} ${url ? `${url.split("/").at(-1)}:${lineNumber + 1}` : ""}`.trim();
  };
  const self = new Map();
  const inclusive = new Map();
  const totalMicros = profile.endTime - profile.startTime;
  let idleMicros = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const micros = profile.timeDeltas[i + 1] ?? 0;
    let node = byId.get(profile.samples[i]);
    if (node.callFrame.functionName === "(idle)") idleMicros += micros;
    self.set(keyOf(node), (self.get(keyOf(node)) ?? 0) + micros);
    const seen = new Set();
    while (node) {
      const key = keyOf(node);
      if (!seen.has(key)) inclusive.set(key, (inclusive.get(key) ?? 0) + micros);
      seen.add(key);
      node = byId.get(parent.get(node.id));
    }
  }
  const busy = totalMicros - idleMicros;
  console.log(
    `isolate busy ${((busy / totalMicros) * 100).toFixed(1)} % of ${(totalMicros / 1e6).toFixed(1)} s; ${requests > 0 ? (busy / requests).toFixed(0) : "–"} µs busy per request`,
  );
  const print = (title, map) => {
    console.log(`\n${title}`);
    for (const [key, micros] of [...map].sort((a, b) => b[1] - a[1]).slice(0, TOP)) {
      console.log(
        `${((micros / totalMicros) * 100).toFixed(1).padStart(5)} %  ${(requests > 0 ? micros / requests : 0).toFixed(1).padStart(7)} µs/req  ${key}`,
      );
    }
  };
  print("self time", self);
  print("inclusive time", inclusive);
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
