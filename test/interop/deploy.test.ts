/// <reference types="node" />
import { chmod, mkdir, readFile, stat, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  createDeploySandbox,
  namespaceIdOf,
  withNamespaceIdOf,
  type DeployRun,
  type DeploySandbox,
  type StandInAccount,
} from "./deploy-sandbox";

/**
 * Issue 28: `npm run deploy [-- --env staging|production] [--dry-run]` (scripts/deploy.mjs) against a stand-in
 * wrangler that records its calls (test/interop/stand-in-wrangler.mjs, wrangler 4.86's formats): a first run
 * provisions, a second changes nothing, a dry run runs nothing and writes nothing, and every refusal comes before any
 * change and names what is missing. Runs call `runDeploy` in this process (deploy-sandbox.ts); the first dry run and
 * one refusal run `node scripts/deploy.mjs` as `npm run deploy` does, for its exit codes and its own stdout and stderr.
 */

const PLACEHOLDER = "00000000000000000000000000000000";
const STAGING_WORKER = "edge-key-service-staging";
const BASE64_OF_32_BYTES = /^[A-Za-z0-9+/]{43}=$/;

const env = (environment: string) => ["--env", environment];
const listNamespaces = (environment = "staging") => ["kv", "namespace", "list", ...env(environment)];
const listSecrets = (environment = "staging") => ["secret", "list", "--format", "json", ...env(environment)];
const createNamespace = (environment = "staging") => ["kv", "namespace", "create", "edge-key-service-SNAPSHOTS", ...env(environment)];
const putSecret = (name: string, environment = "staging") => ["secret", "put", name, ...env(environment)];
const deploy = (environment = "staging") => ["deploy", ...env(environment)];

function keptSecrets(text: string): Record<string, string> {
  return Object.fromEntries([...text.matchAll(/^([A-Z_]+)=(.*)$/gm)].map((match) => [match[1], match[2]]));
}

/** A secrets copy written by hand, as an operator might. */
async function writeSecretsCopy(path: string, text: string, mode: number): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  await writeFile(path, text);
  await chmod(path, mode);
}

function expectSuccess(run: DeployRun): void {
  expect(run.stderr).toBe("");
  expect(run.status).toBe(0);
}

describe("a first run, a second run and dry runs around them (--env staging)", () => {
  let sandbox: DeploySandbox;
  const repositoryConfig = { text: "" };
  const snapshots: Map<string, string>[] = [];
  const runs: Record<"dryRunBefore" | "first" | "second" | "dryRunAfter" | "production", { run: DeployRun; calls: string[][] }> =
    {} as never;
  const configAfter = { first: "", second: "" };
  let accountAfterFirst: StandInAccount;

  beforeAll(async () => {
    sandbox = await createDeploySandbox();
    repositoryConfig.text = await readFile(sandbox.configPath, "utf8");
    const step = async (name: keyof typeof runs, args: string[], cli = false) => {
      runs[name] = { run: await sandbox.run(args, { cli }), calls: await sandbox.takeCalls() };
    };
    snapshots.push(await sandbox.snapshot());
    await step("dryRunBefore", ["--env", "staging", "--dry-run"], true);
    snapshots.push(await sandbox.snapshot());
    await step("first", ["--env", "staging"]);
    configAfter.first = await readFile(sandbox.configPath, "utf8");
    accountAfterFirst = await sandbox.readAccount();
    snapshots.push(await sandbox.snapshot());
    await step("second", ["--env", "staging"]);
    configAfter.second = await readFile(sandbox.configPath, "utf8");
    snapshots.push(await sandbox.snapshot());
    await step("dryRunAfter", ["--dry-run", "--env=staging"]);
    snapshots.push(await sandbox.snapshot());
    await step("production", []);
  }, 120_000);
  afterAll(() => sandbox?.remove());

  it("dry run first (the command line): prints every step it would take, runs no wrangler command and writes nothing", () => {
    const { run, calls } = runs.dryRunBefore;
    expectSuccess(run);
    expect(calls).toEqual([]);
    expect(snapshots[1]).toEqual(snapshots[0]);
    for (const command of [
      listNamespaces(),
      createNamespace(),
      listSecrets(),
      putSecret("ADMIN_TOKEN"),
      putSecret("KEY_ENCRYPTION_KEY"),
      deploy(),
    ]) {
      expect(run.stdout).toContain(`wrangler ${command.join(" ")}`);
    }
    expect(run.stdout).toContain('"staging-edge-key-service-SNAPSHOTS"');
    expect(run.stdout).toContain("OpenAPI document: public/api/openapi.json is the one the route table gives");
    expect(run.stdout).toContain(`${sandbox.secretsPath("staging")} does not exist yet`);
    expect(run.stdout).toContain("refuse instead if edge-key-service-staging exists without it");
  });

  it("first run: creates the namespace, writes its id into [env.staging] alone, keeps generated secrets, puts them, then deploys", async () => {
    const { run, calls } = runs.first;
    expectSuccess(run);
    expect(calls).toEqual([
      listNamespaces(),
      listSecrets(),
      createNamespace(),
      listNamespaces(),
      putSecret("ADMIN_TOKEN"),
      putSecret("KEY_ENCRYPTION_KEY"),
      deploy(),
    ]);
    expect(run.stdout).toContain("OpenAPI document: public/api/openapi.json is the one the route table gives.");
    const account = accountAfterFirst;
    expect(account.namespaces.map((namespace) => namespace.title)).toEqual(["staging-edge-key-service-SNAPSHOTS"]);
    const id = account.namespaces[0]!.id;
    // Only the id line of [[env.staging.kv_namespaces]] changed: the top level (local runs) and production keep the placeholder.
    expect(configAfter.first).toBe(withNamespaceIdOf(repositoryConfig.text, "staging", id));
    expect(namespaceIdOf(configAfter.first, "production")).toBe(PLACEHOLDER);
    expect(configAfter.first).toContain(
      `[[kv_namespaces]]\nbinding = "SNAPSHOTS"\n# Replace with the id printed by \`wrangler kv namespace create SNAPSHOTS\` before \`wrangler deploy\`.\nid = "${PLACEHOLDER}"`,
    );
    // The Worker was uploaded bound to that namespace, its secrets already set.
    expect(account.workers[STAGING_WORKER]!.deployments).toEqual([{ namespaceId: id, secrets: ["ADMIN_TOKEN", "KEY_ENCRYPTION_KEY"] }]);
  });

  it("first run: the secrets copy is outside the repository, 0600 in a 0700 folder, holds what was put, and is named with a back-up warning", async () => {
    const path = sandbox.secretsPath("staging");
    expect(path.startsWith(sandbox.projectDir)).toBe(false);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect((await stat(dirname(path))).mode & 0o777).toBe(0o700);
    const kept = keptSecrets(await readFile(path, "utf8"));
    expect(Object.keys(kept)).toEqual(["ADMIN_TOKEN", "KEY_ENCRYPTION_KEY"]);
    expect(kept.KEY_ENCRYPTION_KEY).toMatch(BASE64_OF_32_BYTES);
    expect(Buffer.from(kept.KEY_ENCRYPTION_KEY!, "base64")).toHaveLength(32);
    expect(Buffer.from(kept.ADMIN_TOKEN!, "base64url")).toHaveLength(32);
    expect((await sandbox.readAccount()).workers[STAGING_WORKER]!.secrets).toEqual(kept);
    const lines = runs.first.run.stdout.split("\n");
    expect(lines.filter((line) => line.startsWith(`Back up ${path} now:`))).toHaveLength(1);
    for (const run of Object.values(runs)) {
      for (const value of Object.values(kept)) expect(run.run.stdout + run.run.stderr).not.toContain(value);
    }
  });

  it("second run: lists, finds everything in place and only deploys again; the configuration, the copy and the account's secrets unchanged", async () => {
    const { run, calls } = runs.second;
    expectSuccess(run);
    expect(calls).toEqual([listNamespaces(), listSecrets(), deploy()]);
    expect(snapshots[3]).toEqual(snapshots[2]);
    expect(configAfter.second).toBe(configAfter.first);
    const worker = (await sandbox.readAccount()).workers[STAGING_WORKER]!;
    expect(worker.deployments).toHaveLength(2);
    expect(worker.deployments[1]).toEqual(worker.deployments[0]);
  });

  it("dry run after provisioning: names the configured id and the kept secrets, still running nothing", () => {
    const { run, calls } = runs.dryRunAfter;
    expectSuccess(run);
    expect(calls).toEqual([]);
    expect(snapshots[4]).toEqual(snapshots[3]);
    expect(run.stdout).toContain(`binds ${namespaceIdOf(configAfter.first, "staging")}`);
    expect(run.stdout).toContain("keeps ADMIN_TOKEN, KEY_ENCRYPTION_KEY");
    expect(run.stdout).toContain("would put the kept copy");
    expect(run.stdout).not.toContain("kv namespace create");
  });

  it("production (the default) is provisioned apart: its own namespace, Worker, secrets and copy", async () => {
    const { run, calls } = runs.production;
    expectSuccess(run);
    expect(calls).toEqual([
      listNamespaces("production"),
      listSecrets("production"),
      createNamespace("production"),
      listNamespaces("production"),
      putSecret("ADMIN_TOKEN", "production"),
      putSecret("KEY_ENCRYPTION_KEY", "production"),
      deploy("production"),
    ]);
    const account = await sandbox.readAccount();
    expect(account.namespaces.map((namespace) => namespace.title)).toEqual([
      "staging-edge-key-service-SNAPSHOTS",
      "production-edge-key-service-SNAPSHOTS",
    ]);
    const config = await readFile(sandbox.configPath, "utf8");
    expect(namespaceIdOf(config, "production")).toBe(account.namespaces[1]!.id);
    expect(namespaceIdOf(config, "staging")).toBe(account.namespaces[0]!.id);
    const staging = keptSecrets(await readFile(sandbox.secretsPath("staging"), "utf8"));
    const production = keptSecrets(await readFile(sandbox.secretsPath("production"), "utf8"));
    expect(account.workers["edge-key-service-production"]!.secrets).toEqual(production);
    expect(production.KEY_ENCRYPTION_KEY).not.toBe(staging.KEY_ENCRYPTION_KEY);
    expect(production.ADMIN_TOKEN).not.toBe(staging.ADMIN_TOKEN);
  });
});

describe("interrupted runs resume without creating anything twice", () => {
  let sandbox: DeploySandbox;
  afterEach(() => sandbox?.remove());

  it("adopts the namespace an earlier run created (found by its title) instead of creating another", async () => {
    sandbox = await createDeploySandbox();
    const id = "0123456789abcdef0123456789abcdef";
    await sandbox.writeAccount({ namespaces: [{ id, title: "staging-edge-key-service-SNAPSHOTS" }], workers: {} });
    const run = await sandbox.run(["--env", "staging"]);
    expectSuccess(run);
    expect(await sandbox.takeCalls()).toEqual([
      listNamespaces(),
      listSecrets(),
      putSecret("ADMIN_TOKEN"),
      putSecret("KEY_ENCRYPTION_KEY"),
      deploy(),
    ]);
    expect(namespaceIdOf(await readFile(sandbox.configPath, "utf8"), "staging")).toBe(id);
    expect((await sandbox.readAccount()).namespaces).toHaveLength(1);
  });

  it("after a failed secret put, does not deploy, and the next run puts the kept key rather than a new one", async () => {
    sandbox = await createDeploySandbox();
    const failed = await sandbox.run(["--env", "staging"], { fail: "secret put KEY_ENCRYPTION_KEY" });
    expect(failed.status).toBe(1);
    expect(failed.stderr).toContain(`KEY_ENCRYPTION_KEY is not set on ${STAGING_WORKER}; ${sandbox.secretsPath("staging")} keeps it`);
    expect((await sandbox.takeCalls()).at(-1)).toEqual(putSecret("KEY_ENCRYPTION_KEY"));
    const kept = keptSecrets(await readFile(sandbox.secretsPath("staging"), "utf8"));

    const resumed = await sandbox.run(["--env", "staging"]);
    expectSuccess(resumed);
    expect(await sandbox.takeCalls()).toEqual([listNamespaces(), listSecrets(), putSecret("KEY_ENCRYPTION_KEY"), deploy()]);
    expect((await sandbox.readAccount()).workers[STAGING_WORKER]!.secrets).toEqual(kept);
    expect(keptSecrets(await readFile(sandbox.secretsPath("staging"), "utf8"))).toEqual(kept);
  });
});

describe("refusals: nothing is changed and what is missing is named", () => {
  let sandbox: DeploySandbox;
  afterEach(() => sandbox?.remove());

  async function expectRefusal(args: string[], message: string, calls: string[][], status = 1, cli = false): Promise<DeployRun> {
    const before = await sandbox.snapshot();
    const accountBefore = await sandbox.readAccount();
    const run = await sandbox.run(args, { cli });
    expect(run.stderr).toContain(message);
    expect(run.status).toBe(status);
    expect(await sandbox.takeCalls()).toEqual(calls);
    expect(await sandbox.snapshot()).toEqual(before);
    expect(await sandbox.readAccount()).toEqual(accountBefore);
    return run;
  }

  it("does not deploy while the id is the placeholder: a namespace that cannot be created stops the run before any secret", async () => {
    sandbox = await createDeploySandbox();
    const run = await sandbox.run(["--env", "staging"], { fail: "kv namespace create edge-key-service-SNAPSHOTS" });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("Not deployed: wrangler kv namespace create edge-key-service-SNAPSHOTS --env staging failed");
    expect(run.stderr).toContain(`wrangler.toml [env.staging] still binds SNAPSHOTS to the placeholder id ${PLACEHOLDER}.`);
    expect(await sandbox.takeCalls()).toEqual([listNamespaces(), listSecrets(), createNamespace()]);
    expect(namespaceIdOf(await readFile(sandbox.configPath, "utf8"), "staging")).toBe(PLACEHOLDER);
  });

  it("refuses a Worker that exists without KEY_ENCRYPTION_KEY when no copy is kept: a new key would not open its data", async () => {
    sandbox = await createDeploySandbox();
    await sandbox.writeAccount({
      namespaces: [],
      workers: { [STAGING_WORKER]: { secrets: { ADMIN_TOKEN: "set-by-hand" }, deployments: [] } },
    });
    await expectRefusal(
      ["--env", "staging"],
      `Not deployed: KEY_ENCRYPTION_KEY is not set on ${STAGING_WORKER}, which already exists, and ${sandbox.secretsPath("staging")} keeps no copy of it.`,
      [listNamespaces(), listSecrets()],
    );
  });

  it("refuses a configured KV id this account does not list, naming it", async () => {
    const id = "fedcba9876543210fedcba9876543210";
    sandbox = await createDeploySandbox();
    await writeFile(sandbox.configPath, withNamespaceIdOf(await readFile(sandbox.configPath, "utf8"), "staging", id));
    await expectRefusal(
      ["--env", "staging"],
      `Not deployed: wrangler.toml [env.staging] binds SNAPSHOTS to KV namespace ${id}, which \`wrangler kv namespace list --env staging\` does not list`,
      [listNamespaces(), listSecrets()],
    );
  });

  it("refuses a secrets copy others can read, naming its mode, before any wrangler command", async () => {
    sandbox = await createDeploySandbox();
    const path = sandbox.secretsPath("staging");
    await writeSecretsCopy(path, `KEY_ENCRYPTION_KEY=${Buffer.alloc(32, 7).toString("base64")}\n`, 0o644);
    await expectRefusal(["--env", "staging"], `Not deployed: ${path} can be read by others (mode 0644): run \`chmod 600 ${path}\``, []);
  });

  it("refuses an OpenAPI document the route table does not give, naming `npm run openapi`, in a dry run too", async () => {
    sandbox = await createDeploySandbox();
    const committed = JSON.parse(await readFile(sandbox.openApiDocumentPath, "utf8"));
    // A route documented since the file was written: the committed document lacks it.
    delete committed.paths[Object.keys(committed.paths)[0]!];
    await writeFile(sandbox.openApiDocumentPath, JSON.stringify(committed));
    const message =
      "Not deployed: public/api/openapi.json (the [assets] of wrangler.toml [env.staging]) is not the OpenAPI document the " +
      "route table gives: run `npm run openapi`, commit the file, then run again";
    for (const dryRun of [[], ["--dry-run"]]) await expectRefusal(["--env", "staging", ...dryRun], message, []);
  });

  it("refuses a malformed KEY_ENCRYPTION_KEY in the copy, naming the rule and not the value, in a dry run too", async () => {
    sandbox = await createDeploySandbox();
    const path = sandbox.secretsPath("production");
    const malformed = Buffer.alloc(16, 9).toString("base64");
    await writeSecretsCopy(path, `ADMIN_TOKEN=token\nKEY_ENCRYPTION_KEY=${malformed}\n`, 0o600);
    for (const args of [[], ["--dry-run"]]) {
      const run = await expectRefusal(args, `KEY_ENCRYPTION_KEY in ${path} must be base64 of exactly 32 bytes`, []);
      expect(run.stdout + run.stderr).not.toContain(malformed);
    }
  });

  it("refuses an environment other than staging or production, naming both", async () => {
    sandbox = await createDeploySandbox();
    await expectRefusal(["--env", "dev"], '--env must be staging or production, got "dev".', [], 2);
  });

  it("refuses a configuration whose environment does not bind SNAPSHOTS, naming the block (the command line: exit 1)", async () => {
    const repository = await createDeploySandbox();
    const config = (await readFile(repository.configPath, "utf8")).replace(
      /\[\[env\.staging\.kv_namespaces\]\]\nbinding = "SNAPSHOTS"\n/,
      '[[env.staging.kv_namespaces]]\nbinding = "OTHER"\n',
    );
    await repository.remove();
    sandbox = await createDeploySandbox(config);
    await expectRefusal(
      ["--env", "staging", "--dry-run"],
      'wrangler.toml [env.staging] must bind exactly one KV namespace as SNAPSHOTS ([[env.staging.kv_namespaces]] binding = "SNAPSHOTS"), found 0',
      [],
      1,
      true,
    );
  });
});
