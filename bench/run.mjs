#!/usr/bin/env node
import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { measureColdStart } from "./cold-start.mjs";
import { measure } from "./load.mjs";
import { measureDerivation } from "./micro.mjs";
import { loadAverage, machineFacts, renderRun } from "./report.mjs";
import { TRIVIAL, oneKeyRequestFor, scenarios } from "./scenarios.mjs";
import { OUT_ROOT, PROJECT_ROOT, benchSecrets, buildWorker, startService } from "./service.mjs";
import { hostileSignedCpix, makeRequesterCertificate, signedSpekeV2Presets } from "./signed-requests.mjs";
import {
  LARGE_TENANT_KEYS,
  createSignedRequestsTenant,
  createStoredContentKeys,
  createTenant,
  createWidevineSigner,
  importManyContentKeys,
} from "./setup.mjs";

/**
 * `npm run bench`: builds the Worker as `wrangler deploy` would, starts it in Miniflare on 127.0.0.1, drives each
 * scenario with autocannon for a fixed time, and prints one Markdown report (issue: benchmark). Bounded: about
 * 10 load runs of BENCH_SECONDS (5) each plus ~15 s of building, micro-benchmark and cold starts.
 * `npm run bench -- --write` also replaces the generated block of bench/RESULTS.md.
 */

const DURATION_SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
/** `BENCH_ONLY=<pattern>`: only the scenarios whose name matches (a trial run; no 100,000-key tenant, no --write). */
const ONLY = process.env.BENCH_ONLY ? new RegExp(process.env.BENCH_ONLY) : undefined;
const RESULTS_PATH = join(PROJECT_ROOT, "bench", "RESULTS.md");
const BEGIN = "<!-- bench:run:begin (written by `npm run bench -- --write`) -->";
const END = "<!-- bench:run:end -->";

const log = (message) => process.stderr.write(`[bench] ${message}\n`);

async function main() {
  const machine = machineFacts();
  const loadBefore = loadAverage();
  log(`load average ${loadBefore} on ${machine.cores} cores`);
  const outdir = join(OUT_ROOT, `run-${process.pid}`);
  const secrets = benchSecrets();
  try {
    log("building with wrangler deploy --dry-run");
    const built = await buildWorker(join(outdir, "worker"));
    const minified = await buildWorker(join(outdir, "minified"), ["--minify"]);
    const bundle = await bundleSizes(built, minified);

    log("micro-benchmark: key derivation vs raw SHA-256 in workerd");
    const micro = await measureDerivation(join(outdir, "micro"));

    log("cold starts");
    const cold = await measureColdStart(built.scriptPath, secrets, join(outdir, "cold-state"));

    log("starting the service");
    const service = await startService(built.scriptPath, secrets);
    let rows;
    try {
      const tenant = await createTenant(service.url, secrets.ADMIN_TOKEN);
      const signer = await createWidevineSigner(service.url, tenant, "bench");
      await createStoredContentKeys(service.url, tenant);
      let large;
      if (!ONLY) {
        log(`importing ${LARGE_TENANT_KEYS.toLocaleString("en")} content keys into a second tenant`);
        const largeTenant = await createTenant(service.url, secrets.ADMIN_TOKEN, "bench-large");
        const importStarted = performance.now();
        const storedKid = await importManyContentKeys(service.url, largeTenant, oneKeyRequestFor);
        log(`  imported and served in ${((performance.now() - importStarted) / 1000).toFixed(1)} s`);
        large = { tenant: largeTenant, storedKid };
      }
      const requester = await makeRequesterCertificate();
      const signedTenant = await createSignedRequestsTenant(service.url, secrets.ADMIN_TOKEN, requester.der);
      const signed = { tenant: signedTenant, presets: await signedSpekeV2Presets(requester), hostile: await hostileSignedCpix(requester) };
      rows = [];
      const chosen = scenarios(tenant, signer, large, signed).filter((scenario) => !ONLY || ONLY.test(scenario.name));
      for (const scenario of [TRIVIAL, ...chosen, TRIVIAL]) rows.push(await runScenario(service.url, scenario));
    } finally {
      await service.stop();
    }

    const trivialRuns = [rows[0].load, rows.at(-1).load].filter(Boolean);
    const ceiling = trivialRuns.reduce((sum, run) => sum + run.requestsPerSecond, 0) / trivialRuns.length;
    const report = renderRun({
      machine,
      loadBefore,
      loadAfter: loadAverage(),
      durationSeconds: DURATION_SECONDS,
      connections: CONNECTIONS,
      rows: rows.slice(1, -1),
      ceiling,
      trivialRuns,
      micro,
      bundle,
      cold,
    });
    process.stdout.write(`${report}\n`);
    if (process.argv.includes("--write") && !ONLY) await writeResults(report);
    const failed = rows.some((row) => row.checkError && !row.notBuilt);
    process.exitCode = failed ? 1 : 0;
  } finally {
    await rm(outdir, { recursive: true, force: true });
  }
}

/** Checks the answer once, then replays the same request for the fixed time, requiring that same answer. */
async function runScenario(origin, scenario) {
  const { path, method = "GET", headers = {}, body } = scenario.request;
  const response = await fetch(`${origin}${path}`, { method, headers, body });
  const text = await response.text();
  const checkError = scenario.check(response.status, text);
  const row = { name: scenario.name, target: scenario.target, notBuilt: scenario.notBuilt, checkError };
  if (checkError || scenario.notBuilt) {
    log(`${scenario.name}: ${checkError ?? scenario.notBuilt}`);
    return row;
  }
  log(`${scenario.name}: ${DURATION_SECONDS} s at ${scenario.connections ?? CONNECTIONS} connections`);
  row.expectStatus = scenario.expectStatus;
  row.maxP50Ms = scenario.maxP50Ms;
  row.withinOf = scenario.withinOf;
  row.connections = scenario.connections;
  row.load = await measure({
    url: `${origin}${path}`,
    method,
    headers,
    body,
    ...(scenario.variesPerRequest ? { verifyBody: (answer) => scenario.check(200, answer) === undefined } : { expectBody: text }),
    expectStatus: scenario.expectStatus,
    connections: scenario.connections ?? CONNECTIONS,
    durationSeconds: DURATION_SECONDS,
  });
  log(
    `  ${Math.round(row.load.requestsPerSecond)} req/s, p50 ${row.load.p50.toFixed(2)} ms, p99 ${row.load.p99.toFixed(2)} ms, unexpected status ${row.load.non2xx}, errors ${row.load.errors}, wrong bodies ${row.load.mismatches}`,
  );
  return row;
}

/** Raw and gzip sizes of the bundle wrangler would upload, plus wrangler's own summary line. */
async function bundleSizes(built, minified) {
  const code = await readFile(built.scriptPath);
  const minifiedCode = await readFile(minified.scriptPath);
  const gzip = (bytes) => gzipSync(bytes, { level: 9 }).length;
  return {
    raw: code.length,
    gzip: gzip(code),
    wranglerLine: /Total Upload: ([^\n]+)/.exec(built.output)?.[1]?.trim(),
    minifiedRaw: minifiedCode.length,
    minifiedGzip: gzip(minifiedCode),
  };
}

/** Replaces the generated block of RESULTS.md, keeping the hand-written analysis around it. */
async function writeResults(report) {
  let current = "";
  try {
    current = await readFile(RESULTS_PATH, "utf8");
  } catch {
    current = `# Benchmark results\n\n${BEGIN}\n${END}\n`;
  }
  const start = current.indexOf(BEGIN);
  const end = current.indexOf(END);
  if (start === -1 || end === -1) throw new Error(`${RESULTS_PATH} has no ${BEGIN} … ${END} block`);
  await writeFile(RESULTS_PATH, `${current.slice(0, start + BEGIN.length)}\n${report}\n${current.slice(end)}`);
  log(`wrote ${RESULTS_PATH}`);
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
