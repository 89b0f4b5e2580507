/// <reference types="node" />
import { spawn } from "node:child_process";
import { copyFile, mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { runDeploy } from "../../scripts/deploy/run.mjs";
import { PROJECT_ROOT } from "./worker-bundle";

/**
 * A place to run `npm run deploy` with no network and no credentials: a copy of wrangler.toml and of the committed
 * OpenAPI document (its `[assets]`) in a project folder of its own, HOME and XDG_CONFIG_HOME in the sandbox, and
 * test/interop/stand-in-wrangler.mjs first on PATH (the repository's node_modules/.bin, which the script appends,
 * comes after it) with its pretend account and call log.
 *
 * A run calls `runDeploy` (scripts/deploy/run.mjs) in this process, with that environment given to it rather than
 * put in `process.env` (other files share this process), or, with `cli`, spawns `node scripts/deploy.mjs` as
 * `npm run deploy` does: each of those processes spends about 1.6 s loading wrangler's configuration reader.
 */
export interface DeploySandbox {
  readonly root: string;
  /** The project folder the script runs in, holding the copy of wrangler.toml. */
  readonly projectDir: string;
  readonly configPath: string;
  /** `$XDG_CONFIG_HOME/edge-key-service`, where the script keeps its secrets copies. */
  readonly secretsDir: string;
  secretsPath(environment: string): string;
  /**
   * Runs the deployment with these arguments; `fail` makes the stand-in fail that command ("secret put ADMIN_TOKEN"),
   * `cli` runs it as a process of its own (`node scripts/deploy.mjs`).
   */
  run(args: readonly string[], options?: { fail?: string; cli?: boolean }): Promise<DeployRun>;
  /** The project's copy of public/api/openapi.json, which a run checks against the route table. */
  readonly openApiDocumentPath: string;
  /** The stand-in's calls since the last `takeCalls`, each its argument list. */
  takeCalls(): Promise<string[][]>;
  readAccount(): Promise<StandInAccount>;
  writeAccount(account: StandInAccount): Promise<void>;
  /** Every file under the project folder and the config home: path → mode and content. */
  snapshot(): Promise<Map<string, string>>;
  remove(): Promise<void>;
}

export interface DeployRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface StandInAccount {
  namespaces: { id: string; title: string }[];
  workers: Record<string, { secrets: Record<string, string>; deployments: { namespaceId?: string; secrets: string[] }[] }>;
}

const DEPLOY_SCRIPT = join(PROJECT_ROOT, "scripts", "deploy.mjs");
const OPENAPI_DOCUMENT = join("public", "api", "openapi.json");
const STAND_IN = join(PROJECT_ROOT, "test", "interop", "stand-in-wrangler.mjs");

/** A fresh sandbox holding the repository's wrangler.toml as it is, or `config` instead. */
export async function createDeploySandbox(config?: string): Promise<DeploySandbox> {
  const root = await mkdtemp(join(tmpdir(), "eks-deploy-"));
  const projectDir = join(root, "project");
  const home = join(root, "home");
  const configHome = join(root, "config");
  const bin = join(root, "bin");
  const standInDir = join(root, "stand-in");
  const callsPath = join(standInDir, "calls.jsonl");
  const accountPath = join(standInDir, "account.json");
  await Promise.all([projectDir, home, configHome, bin, standInDir].map((dir) => mkdir(dir, { recursive: true })));
  const configPath = join(projectDir, "wrangler.toml");
  if (config === undefined) await copyFile(join(PROJECT_ROOT, "wrangler.toml"), configPath);
  else await writeFile(configPath, config);
  const openApiDocumentPath = join(projectDir, OPENAPI_DOCUMENT);
  await mkdir(dirname(openApiDocumentPath), { recursive: true });
  await copyFile(join(PROJECT_ROOT, OPENAPI_DOCUMENT), openApiDocumentPath);
  await writeFile(join(bin, "wrangler"), `#!/bin/sh\nexec "${process.execPath}" "${STAND_IN}" "$@"\n`, { mode: 0o755 });
  await writeFile(callsPath, "");
  const secretsDir = join(configHome, "edge-key-service");
  let callsRead = 0;

  return {
    root,
    projectDir,
    configPath,
    secretsDir,
    openApiDocumentPath,
    secretsPath: (environment) => join(secretsDir, `edge-key-service-${environment}.secrets`),
    run(args, options = {}) {
      // Only what the script needs: no CLOUDFLARE_API_TOKEN or any other credential reaches it.
      const env = {
        PATH: `${bin}:${process.env.PATH}`,
        HOME: home,
        XDG_CONFIG_HOME: configHome,
        WRANGLER_SEND_METRICS: "false",
        STAND_IN_WRANGLER_CALLS: callsPath,
        STAND_IN_WRANGLER_STATE: accountPath,
        ...(options.fail && { STAND_IN_WRANGLER_FAIL: options.fail }),
      };
      return options.cli ? runNode([DEPLOY_SCRIPT, ...args], projectDir, env) : runInProcess(args, projectDir, env);
    },
    async takeCalls() {
      const lines = (await readFile(callsPath, "utf8")).split("\n").filter(Boolean);
      const calls = lines.slice(callsRead).map((line) => JSON.parse(line) as string[]);
      callsRead = lines.length;
      return calls;
    },
    readAccount: async () => JSON.parse(await readFile(accountPath, "utf8").catch(() => '{"namespaces":[],"workers":{}}')),
    writeAccount: (account) => writeFile(accountPath, JSON.stringify(account)),
    snapshot: async () => new Map([...(await snapshotTree(root, projectDir)), ...(await snapshotTree(root, configHome))]),
    remove: () => rm(root, { recursive: true, force: true }),
  };
}

async function snapshotTree(root: string, dir: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    const path = join(entry.parentPath, entry.name);
    const mode = ((await stat(path)).mode & 0o777).toString(8);
    files.set(relative(root, path), entry.isFile() ? `${mode} ${await readFile(path, "utf8")}` : `${mode} (directory)`);
  }
  return files;
}

/** `runDeploy` with the lines it prints gathered as a process's stdout and stderr would hold them. */
async function runInProcess(args: readonly string[], cwd: string, env: Record<string, string>): Promise<DeployRun> {
  let stdout = "";
  let stderr = "";
  const status = await runDeploy(args, {
    cwd,
    env,
    print: (line) => (stdout += `${line}\n`),
    printError: (line) => (stderr += `${line}\n`),
    interactive: false,
  });
  return { status, stdout, stderr };
}

function runNode(args: readonly string[], cwd: string, env: Record<string, string>): Promise<DeployRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}

/** The ids of `[[env.<environment>.kv_namespaces]]` in a wrangler.toml text, as the SNAPSHOTS binding holds them. */
export function namespaceIdOf(config: string, environment: string): string | undefined {
  const block = config.split(`[[env.${environment}.kv_namespaces]]`)[1]?.split(/^\[/m)[0] ?? "";
  return /^id\s*=\s*"([^"]*)"/m.exec(block)?.[1];
}

/** The wrangler.toml text with that environment's SNAPSHOTS id replaced. */
export function withNamespaceIdOf(config: string, environment: string, id: string): string {
  const [before, after] = config.split(`[[env.${environment}.kv_namespaces]]`);
  if (after === undefined) throw new Error(`no [[env.${environment}.kv_namespaces]] block`);
  return `${before}[[env.${environment}.kv_namespaces]]${after.replace(/^id\s*=\s*"[^"]*"/m, `id = "${id}"`)}`;
}
