/// <reference types="node" />
import { spawn } from "node:child_process";
import { mkdir, rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { TestProject } from "vitest/node";
import type { WorkerOptions } from "miniflare";

/**
 * The production bundle, built once per vitest run (the `globalSetup` of the interop and fuzz projects) and shared
 * by every service a test file starts (test/interop/service.ts): one `wrangler deploy --dry-run` instead of one per
 * start, and wrangler's reading of wrangler.toml done once instead of importing wrangler in every test file.
 * The bundle only depends on src/ and wrangler.toml, which no test changes while the run goes on.
 */
export interface WorkerBundle {
  /** The folder holding `index.js` and the modules beside it. Inside the project: Miniflare refuses module paths that leave its root. */
  readonly outdir: string;
  /** The Worker's name in wrangler.toml. */
  readonly name: string;
  /** KV namespaces, Durable Objects (SQLite per the migrations), rate limits, assets: every binding wrangler.toml declares. */
  readonly workerOptions: WorkerOptions;
  /** wrangler.toml's plain `[vars]`, as strings. */
  readonly vars: Readonly<Record<string, string>>;
}

declare module "vitest" {
  export interface ProvidedContext {
    workerBundle: WorkerBundle;
  }
}

export const PROJECT_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const BUILD_ROOT = join(PROJECT_ROOT, ".wrangler", "interop-dist");
/** No network at test time: the `cf` object is Miniflare's built-in fallback, wrangler sends no metrics. */
export const OFFLINE_ENV = { CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false" };

/** vitest `globalSetup`: builds the bundle, hands it to the test files (`inject("workerBundle")`) and removes it after the run. */
export default async function provideWorkerBundle(project: TestProject): Promise<() => Promise<void>> {
  const bundle = await buildWorkerBundle();
  project.provide("workerBundle", bundle);
  return () => rm(bundle.outdir, { recursive: true, force: true });
}

async function buildWorkerBundle(): Promise<WorkerBundle> {
  const outdir = join(BUILD_ROOT, `${process.pid}-${Date.now().toString(36)}`);
  await mkdir(outdir, { recursive: true });
  try {
    await runWranglerBuild(outdir);
    Object.assign(process.env, OFFLINE_ENV);
    const wrangler = await import("wrangler");
    const configPath = join(PROJECT_ROOT, "wrangler.toml");
    const config = wrangler.unstable_readConfig({ config: configPath });
    const { workerOptions } = wrangler.unstable_getMiniflareWorkerOptions(configPath);
    return { outdir, name: config.name!, workerOptions: workerOptions as WorkerOptions, vars: stringVars(config.vars) };
  } catch (error) {
    await rm(outdir, { recursive: true, force: true });
    throw error;
  }
}

/** `wrangler deploy --dry-run --outdir`: the exact bundle `wrangler deploy` would upload. */
async function runWranglerBuild(outdir: string): Promise<void> {
  const wrangler = join(PROJECT_ROOT, "node_modules", ".bin", "wrangler");
  const output: string[] = [];
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(wrangler, ["deploy", "--dry-run", "--outdir", outdir], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, ...OFFLINE_ENV },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout.on("data", (chunk: Buffer) => output.push(chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => output.push(chunk.toString()));
    child.on("error", reject);
    child.on("close", resolve);
  });
  if (code !== 0) throw new Error(`wrangler deploy --dry-run exited with ${code}:\n${output.join("").slice(-4000)}`);
}

function stringVars(vars: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.entries(vars).map(([name, value]) => [name, typeof value === "string" ? value : JSON.stringify(value)]));
}
