#!/usr/bin/env node
import { X509Certificate } from "node:crypto";
import { rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { build } from "esbuild";
import { Miniflare } from "miniflare";
import { busyMicros, connectInspector, sampledLoad } from "./inspector.mjs";
import { measure } from "./load.mjs";
import { TRIVIAL, scenarios } from "./scenarios.mjs";
import { OUT_ROOT, PROJECT_ROOT, benchSecrets, buildWorker, freePort, startService } from "./service.mjs";
import { createTenant, createWidevineSigner } from "./setup.mjs";

/**
 * `node bench/floor.mjs [seconds]`: how close each acquisition scenario with a ratio target can come to `/healthz` on
 * this runtime with this service's design. It runs the service and bench/floor-worker.ts (only the work the design
 * cannot skip: rate limit, credential or signature check, parsing with txml or JSON.parse, the WebCrypto calls of the
 * key-seed derivation and IVs, one issuance record committed by a Durable Object before the answer leaves, the
 * service's own answer with this request's values put in) side by side, one scenario after another, service then
 * floor, and divides both by the service's `/healthz`. A target
 * above the floor's ratio cannot be met by a Worker that parses with txml and derives keys and IVs with WebCrypto.
 * The floor builds no signalling, writes no XML and checks nothing (floor-worker.ts lists what it leaves out), so the
 * gap between the service and the floor is an upper bound on what is ours to cut, not all of it cuttable.
 * With `--isolate` it then also samples both isolates through workerd's V8 inspector (as bench/profile.mjs) and prints
 * each one's busy µs per request, for /healthz and every scenario.
 */

const ISOLATE = process.argv.includes("--isolate");
const SECONDS = Number(process.argv.find((argument) => /^\d+$/.test(argument)) ?? process.env.BENCH_SECONDS ?? 5);
/** Seconds of each sampled run with --isolate. */
const PROFILE_SECONDS = 3;
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const COMPATIBILITY_DATE = "2026-04-20";
const log = (message) => process.stderr.write(`[floor] ${message}\n`);

/** Where each kind of answer carries the values a request supplies (captured group = the value). */
const CUTS = {
  cpix: { pattern: /explicitIV="([^"]*)"|<(?:\w+:)?PlainValue>([^<]*)</g, slot: (match) => (match[1] !== undefined ? "iv" : "key") },
  "cpix-delivery": {
    pattern: /explicitIV="([^"]*)"|<(?:\w+:)?CipherValue>([^<]*)<|<(?:\w+:)?ValueMAC>([^<]*)</g,
    slot: (match) => (match[1] !== undefined ? "iv" : match[2] !== undefined ? "cipher" : "mac"),
  },
  widevine: { pattern: /"(?:key|iv)":"([^"]*)"/g, slot: (match) => (match[0].startsWith('"key"') ? "key" : "iv") },
};

async function main() {
  const outdir = join(OUT_ROOT, `floor-${process.pid}`);
  const secrets = benchSecrets();
  try {
    const { scriptPath } = await buildWorker(join(outdir, "worker"));
    const inspectorPorts = ISOLATE ? [await freePort(), await freePort()] : [];
    const service = await startService(scriptPath, secrets, { miniflareOptions: ISOLATE ? { inspectorPort: inspectorPorts[0] } : {} });
    const floor = await startFloor(join(outdir, "floor"), inspectorPorts[1]);
    try {
      const tenant = await createTenant(service.url, secrets.ADMIN_TOKEN);
      const signer = await createWidevineSigner(service.url, tenant, "bench");
      const targeted = scenarios(tenant, signer).filter((scenario) => scenario.target !== undefined);
      const pairs = [];
      for (const [index, scenario] of targeted.entries()) {
        const kind = kindOf(scenario);
        const answer = await fetchAnswer(service.url, scenario.request);
        const template = cut(kind, answer);
        await setUpFloor(floor.url, String(index), template, tenant, signer, scenario.request.body);
        const floorRequest = { ...scenario.request, headers: { ...scenario.request.headers, "x-floor-scenario": String(index) } };
        const floorAnswer = await fetchAnswer(floor.url, floorRequest);
        if (floorAnswer.status !== 200 || floorAnswer.text.length !== answer.text.length) {
          throw new Error(
            `${scenario.name}: the floor answered ${floorAnswer.status} with ${floorAnswer.text.length} characters, the service ${answer.text.length}`,
          );
        }
        pairs.push({ scenario, floorRequest });
      }

      const run = async (origin, request) => {
        const { path, method = "GET", headers = {}, body } = request;
        return measure({ url: `${origin}${path}`, method, headers, body, connections: CONNECTIONS, durationSeconds: SECONDS });
      };
      log(`/healthz (service, then floor)`);
      const ceilings = [await run(service.url, TRIVIAL.request)];
      const floorCeiling = await run(floor.url, TRIVIAL.request);
      const rows = [];
      for (const { scenario, floorRequest } of pairs) {
        log(`${scenario.name}: service, then floor, ${SECONDS} s each`);
        rows.push({ scenario, ours: await run(service.url, scenario.request), floor: await run(floor.url, floorRequest) });
      }
      ceilings.push(await run(service.url, TRIVIAL.request));
      // Every acquisition the floor answered (the checked one per scenario and those timed) left a committed record.
      const answered = pairs.length + rows.reduce((sum, row) => sum + row.floor.ok, 0);
      const objects = new URLSearchParams([tenant.tenantId, signer.providerName].map((name) => ["object", name]));
      const { records } = await (await fetch(`${floor.url}/floor/issued?${objects}`)).json();
      if (records < answered) throw new Error(`the floor answered ${answered} acquisitions but its objects hold ${records} records`);
      const ceiling = ceilings.reduce((sum, load) => sum + load.requestsPerSecond, 0) / ceilings.length;

      console.log(
        `Service /healthz: ${ceilings.map((load) => Math.round(load.requestsPerSecond)).join(" and ")} req/s (first and last); floor Worker's bare /healthz ${Math.round(floorCeiling.requestsPerSecond)} req/s; the floor's objects committed ${records} issuance records for ${answered} answered acquisitions.\n`,
      );
      console.log("| Scenario | target | service req/s | floor req/s | service ratio | floor ratio | service ÷ floor |");
      console.log("|---|---:|---:|---:|---:|---:|---:|");
      for (const { scenario, ours, floor: bound } of rows) {
        const flag = [ours, bound].some((load) => load.non2xx || load.errors) ? " (non-2xx or errors)" : "";
        console.log(
          `| ${scenario.name}${flag} | ${scenario.target} | ${Math.round(ours.requestsPerSecond)} | ${Math.round(bound.requestsPerSecond)} | ${(ours.requestsPerSecond / ceiling).toFixed(2)} | ${(bound.requestsPerSecond / ceiling).toFixed(2)} | ${(ours.requestsPerSecond / bound.requestsPerSecond).toFixed(2)} |`,
        );
      }
      if (ISOLATE) {
        const inspectors = await Promise.all(inspectorPorts.map((port) => connectInspector(port)));
        const [serviceInspector, floorInspector] = inspectors;
        console.log("\n| Isolate busy µs per request (V8 sampler, 200 µs) | service | floor |");
        console.log("|---|---:|---:|");
        const trivial = [
          await isolateMicros(serviceInspector, service.url, TRIVIAL.request, "service-0"),
          await isolateMicros(floorInspector, floor.url, TRIVIAL.request, "floor-0"),
        ];
        console.log(`| ${TRIVIAL.name} | ${trivial.map(Math.round).join(" | ")} |`);
        for (const [index, { scenario, floorRequest }] of pairs.entries()) {
          const ours = await isolateMicros(serviceInspector, service.url, scenario.request, `service-${index + 1}`);
          const bound = await isolateMicros(floorInspector, floor.url, floorRequest, `floor-${index + 1}`);
          console.log(`| ${scenario.name} | ${Math.round(ours)} | ${Math.round(bound)} |`);
        }
        for (const inspector of inspectors) inspector.close();
      }
    } finally {
      await floor.stop();
      await service.stop();
    }
  } finally {
    await rm(outdir, { recursive: true, force: true });
  }
}

/** The isolate's sampled busy time per answered request while one request is replayed. */
async function isolateMicros(inspector, origin, request, saveAs) {
  await inspector.send("Profiler.enable");
  await inspector.send("Profiler.setSamplingInterval", { interval: 200 });
  const { load, profile } = await sampledLoad(inspector, origin, request, { connections: CONNECTIONS, durationSeconds: PROFILE_SECONDS });
  // FLOOR_PROFILE_OUT=<directory>: keeps each sampled profile (with its request count) for reading function by function.
  if (process.env.FLOOR_PROFILE_OUT && saveAs) {
    await writeFile(join(process.env.FLOOR_PROFILE_OUT, `${saveAs}.json`), JSON.stringify({ profile, requests: load.ok }));
  }
  return busyMicros(profile) / Math.max(1, load.ok);
}

function kindOf(scenario) {
  if (scenario.request.path.startsWith("/api/Widevine")) return "widevine";
  return scenario.request.body.includes("DeliveryDataList") ? "cpix-delivery" : "cpix";
}

/** The answer as autocannon sees it: no Accept-Encoding, so no compression, and its headers as sent. */
async function fetchAnswer(origin, { path, method = "GET", headers = {}, body }) {
  const response = await fetch(`${origin}${path}`, { method, headers: { ...headers, "Accept-Encoding": "identity" }, body });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`${path} answered ${response.status}: ${text.slice(0, 200)}`);
  const headersSent = [...response.headers].filter(
    ([name]) => !["content-length", "content-encoding", "transfer-encoding", "date"].includes(name),
  );
  return { status: response.status, text, headers: headersSent };
}

/** Cuts the service's answer at every value a request supplies (for Widevine, inside the base64 response). */
function cut(kind, answer) {
  const text = kind === "widevine" ? Buffer.from(JSON.parse(answer.text).response, "base64").toString("utf8") : answer.text;
  const { pattern, slot } = CUTS[kind];
  const pieces = [];
  const slots = [];
  let last = 0;
  for (const match of text.matchAll(pattern)) {
    const value = match.slice(1).find((group) => group !== undefined);
    const start = match.index + match[0].indexOf(value);
    pieces.push(text.slice(last, start));
    slots.push(slot(match));
    last = start + value.length;
  }
  pieces.push(text.slice(last));
  return { kind, pieces, slots, headers: answer.headers };
}

async function setUpFloor(origin, scenario, template, tenant, signer, requestBody) {
  const [, secret] = Buffer.from(tenant.authorization.slice("Basic ".length), "base64").toString("utf8").split(":");
  const certificate = /<ds:X509Certificate>([^<]+)</.exec(requestBody ?? "")?.[1];
  const recipientSpkiBase64 =
    certificate &&
    new X509Certificate(Buffer.from(certificate, "base64")).publicKey.export({ type: "spki", format: "der" }).toString("base64");
  const response = await fetch(`${origin}/floor/setup`, {
    method: "POST",
    body: JSON.stringify({
      scenario,
      template,
      secret,
      signerKeyHex: signer.signingKeyHex,
      signerIvHex: signer.signingIvHex,
      recipientSpkiBase64,
    }),
  });
  if (response.status !== 204) throw new Error(`floor setup answered ${response.status}: ${await response.text()}`);
}

/**
 * bench/floor-worker.ts bundled with esbuild and served by its own Miniflare on 127.0.0.1, with the rate-limit binding
 * and its SQLite Durable Object for issuance records (in memory, as the service's in the bench), configured here
 * rather than in a wrangler file since nothing deploys it.
 */
async function startFloor(outdir, inspectorPort) {
  const outfile = join(outdir, "floor-worker.js");
  await build({
    entryPoints: [join(PROJECT_ROOT, "bench", "floor-worker.ts")],
    outfile,
    bundle: true,
    format: "esm",
    platform: "neutral",
    target: "es2022",
    minify: process.env.FLOOR_PROFILE_OUT === undefined,
    // workerd provides it (DurableObject, for the floor's issuance object).
    external: ["cloudflare:workers"],
    logLevel: "error",
  });
  const miniflare = new Miniflare({
    // The name bench/inspector.mjs looks for.
    name: "edge-key-service-floor",
    modules: true,
    rootPath: PROJECT_ROOT,
    modulesRoot: outdir,
    scriptPath: outfile,
    compatibilityDate: COMPATIBILITY_DATE,
    ratelimits: { ACQUISITION_RATE_LIMITER: { simple: { limit: 1_000_000_000, period: 60 } } },
    durableObjects: { ISSUANCE: { className: "FloorIssuanceLog", useSQLite: true } },
    host: "127.0.0.1",
    port: await freePort(),
    cf: false,
    ...(inspectorPort && { inspectorPort }),
  });
  const ready = await miniflare.ready;
  return { url: ready.origin, stop: () => miniflare.dispose() };
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
