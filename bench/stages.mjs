#!/usr/bin/env node
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { build } from "esbuild";
import { Miniflare } from "miniflare";
import { spekeV2OneKey, spekeV2OneKeyThreeDrms, spekeV2Presets } from "./requests.mjs";
import { OUT_ROOT, PROJECT_ROOT } from "./service.mjs";

/**
 * `node bench/stages.mjs [ms] [rounds]`: CPU µs per call of each stage of a SPEKE v2 acquisition (read, fill, write,
 * write and UTF-8 encoding as `new Response` does, the whole acquisition without HTTP) for the bench's bodies,
 * measured inside workerd (bench/stages-worker.ts). Much less noisy than a throughput run on a shared machine: what
 * the changes of the speed issue were judged by.
 * `STAGES_SRC=/other/checkout/src` adds a second column set for that copy of `src/`, its rounds interleaved with this
 * one's in the same workerd, so a slow moment of the machine hits both alike (an A/B of a change).
 */

const COMPATIBILITY_DATE = "2026-04-20";
const OTHER_SOURCE = process.env.STAGES_SRC;
const MILLISECONDS = Number(process.argv[2] ?? 200);
const ROUNDS = Number(process.argv[3] ?? 5);

/** Resolves the worker's `../src/…` imports into `source` (another checkout's src/). */
function sourceAt(source) {
  return {
    name: "source-at",
    setup(build) {
      if (!source) return;
      build.onResolve({ filter: /^\.\.\/src\// }, (args) => ({ path: `${join(source, args.path.slice("../src/".length))}.ts` }));
    },
  };
}

async function bundle(outfile, source) {
  await build({
    entryPoints: [join(PROJECT_ROOT, "bench", "stages-worker.ts")],
    outfile,
    bundle: true,
    format: "esm",
    platform: "neutral",
    target: "es2022",
    minify: true,
    logLevel: "error",
    plugins: [sourceAt(source)],
  });
}

async function main() {
  const outdir = join(OUT_ROOT, `stages-${process.pid}`);
  try {
    const variants = { this: undefined, ...(OTHER_SOURCE && { other: OTHER_SOURCE }) };
    const workers = [];
    for (const [name, source] of Object.entries(variants)) {
      const outfile = join(outdir, name, "stages-worker.js");
      await bundle(outfile, source);
      workers.push({ name, modules: true, modulesRoot: join(outdir, name), scriptPath: outfile, compatibilityDate: COMPATIBILITY_DATE });
    }
    const miniflare = new Miniflare({ rootPath: PROJECT_ROOT, cf: false, workers });
    try {
      const bodies = {
        "1 key × WV (cenc)": spekeV2OneKey("widevine"),
        "1 key × WV/PR/FP, every form": spekeV2OneKeyThreeDrms(),
        "8 keys × WV/PR/FP, every form": spekeV2Presets("PRESET-VIDEO-5", "PRESET-AUDIO-3").body,
      };
      const payload = JSON.stringify({
        bodies: Object.fromEntries(Object.entries(bodies).map(([name, xml]) => [name, Buffer.from(xml).toString("base64")])),
        milliseconds: MILLISECONDS,
        rounds: 1,
      });
      const samples = {};
      for (let round = 0; round < ROUNDS; round++) {
        for (const name of Object.keys(variants)) {
          const worker = await miniflare.getWorker(name);
          const response = await worker.fetch("http://stages.local/", { method: "POST", body: payload });
          if (response.status !== 200) throw new Error(`stages answered ${response.status}: ${await response.text()}`);
          for (const [body, stages] of Object.entries(await response.json())) {
            for (const [stage, micros] of Object.entries(stages)) ((samples[name] ??= {})[`${body}\u0000${stage}`] ??= []).push(micros);
          }
        }
      }
      const median = (values) => [...values].sort((a, b) => a - b)[values.length >> 1];
      const names = Object.keys(variants);
      const stageNames = ["read", "fill", "write", "write+utf8", "acquisition"];
      console.log(`| body | ${stageNames.map((stage) => names.map((name) => `${stage} µs (${name})`).join(" | ")).join(" | ")} |`);
      console.log(`|---|${stageNames.flatMap(() => names.map(() => "---:")).join("|")}|`);
      for (const body of Object.keys(bodies)) {
        const cells = stageNames.flatMap((stage) => names.map((name) => median(samples[name][`${body}\u0000${stage}`]).toFixed(1)));
        console.log(`| ${body} | ${cells.join(" | ")} |`);
      }
    } finally {
      await miniflare.dispose();
    }
  } finally {
    await rm(outdir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
