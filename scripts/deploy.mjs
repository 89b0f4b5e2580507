#!/usr/bin/env node
// `npm run deploy [-- --env staging|production] [--dry-run]` (README "Deploy"): provisions what one environment of
// wrangler.toml needs, then deploys it, with wrangler's own commands. Idempotent: it creates the KV namespace only
// when missing and a secret only when the Worker lacks it and no copy is kept, so a second run only deploys again.
// Everything is read and checked before anything is written (CONTRIBUTING.md: validate everything before writing).
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  DeployRefusal,
  ENVIRONMENTS,
  PLACEHOLDER_NAMESPACE_ID,
  SNAPSHOTS_BINDING,
  isPlaceholder,
  readEnvironment,
  withNamespaceId,
  writeNamespaceId,
} from "./deploy/environment.mjs";
import { SECRET_NAMES, generateSecret, readSavedSecrets, saveSecrets, secretsFilePath } from "./deploy/secrets-file.mjs";
import { WranglerCommandError, WranglerCommands, localWranglerBin } from "./deploy/wrangler-commands.mjs";

const USAGE = `Usage: npm run deploy [-- --env staging|production] [--dry-run]
  --env      the wrangler.toml environment to deploy: staging or production (default: production)
  --dry-run  print every step and change nothing: reads only local files, needs no network and no credentials`;

class UsageError extends Error {}

const repositoryRoot = join(dirname(fileURLToPath(import.meta.url)), "..");
const print = (line) => console.log(line);

try {
  const options = parseArguments(process.argv.slice(2));
  if (options.help) print(USAGE);
  else deploy(options);
} catch (error) {
  if (error instanceof UsageError) {
    console.error(`${error.message}\n${USAGE}`);
    process.exit(2);
  }
  if (!(error instanceof DeployRefusal || error instanceof WranglerCommandError)) throw error;
  console.error(`Not deployed: ${error.message}`);
  process.exit(1);
}

function parseArguments(args) {
  const options = { environment: "production", dryRun: false, help: false };
  for (let index = 0; index < args.length; index++) {
    const arg = args[index];
    if (arg === "--dry-run") options.dryRun = true;
    else if (arg === "--help" || arg === "-h") options.help = true;
    else if (arg === "--env" || arg === "-e") options.environment = args[++index];
    else if (arg.startsWith("--env=")) options.environment = arg.slice("--env=".length);
    else throw new UsageError(`Unknown argument ${arg}.`);
  }
  if (!ENVIRONMENTS.includes(options.environment)) {
    throw new UsageError(`--env must be ${ENVIRONMENTS.join(" or ")}, got ${JSON.stringify(options.environment ?? "")}.`);
  }
  return options;
}

function deploy({ environment, dryRun }) {
  // wrangler's own convention: the configuration is the wrangler.toml of the directory it runs in (`npm run` runs
  // scripts in the repository's root).
  const configPath = join(process.cwd(), "wrangler.toml");
  const deployment = readEnvironment(configPath, environment);
  const secretsPath = secretsFilePath(deployment.workerName);
  // Local checks first: a configuration the id cannot be written into, or a secrets copy others can read, stops here.
  if (isPlaceholder(deployment.namespaceId)) withNamespaceId(readFileSync(configPath, "utf8"), environment, "0".repeat(31) + "1");
  const saved = readSavedSecrets(secretsPath);
  const wrangler = new WranglerCommands({ cwd: process.cwd(), environment, localBin: localWranglerBin(repositoryRoot), print });
  if (dryRun) return printDryRun(deployment, wrangler, secretsPath, saved);

  print(`Deploying ${deployment.workerName} (wrangler.toml [env.${environment}]).`);
  const namespaces = wrangler.listNamespaces();
  const remoteSecrets = wrangler.listSecretNames();
  const namespacePlan = planNamespace(deployment, namespaces, wrangler);
  const secretsPlan = planSecrets(deployment, remoteSecrets, saved, secretsPath);

  provisionNamespace(configPath, deployment, namespacePlan, wrangler);
  provisionSecrets(deployment, secretsPlan, saved, secretsPath, wrangler);
  wrangler.deploy();
  print(`Deployed ${deployment.workerName}: its URL is the workers.dev one wrangler printed above.`);
  const adminTokenKept = saved.has("ADMIN_TOKEN") || secretsPlan.get("ADMIN_TOKEN") === "generate";
  print(`Check it with curl <URL>/healthz (it answers ok).${adminTokenKept ? ` The operator's ADMIN_TOKEN is in ${secretsPath}.` : ""}`);
}

/** Keep the configured namespace, adopt one an interrupted run created (found by title), or create it. */
function planNamespace(deployment, namespaces, wrangler) {
  const { environment, namespaceId, namespaceTitle } = deployment;
  if (!isPlaceholder(namespaceId)) {
    if (namespaces.some((namespace) => namespace.id === namespaceId)) return { action: "keep", id: namespaceId };
    throw new DeployRefusal(
      `wrangler.toml [env.${environment}] binds ${SNAPSHOTS_BINDING} to KV namespace ${namespaceId}, which ` +
        `\`${wrangler.commandLine("kv", "namespace", "list")}\` does not list: put the id of this account's namespace there, ` +
        `or the placeholder ${PLACEHOLDER_NAMESPACE_ID} to have one created`,
    );
  }
  const existing = namespaces.find((namespace) => namespace.title === namespaceTitle);
  return existing ? { action: "adopt", id: existing.id } : { action: "create" };
}

/**
 * For each secret: already set on the Worker, put from the kept copy, or generated. A Worker that exists without its
 * KEY_ENCRYPTION_KEY, with no copy kept, is refused: a new key would not open data keys wrapped under an earlier one.
 */
function planSecrets({ workerName, environment }, remote, saved, secretsPath) {
  const plan = new Map();
  for (const name of SECRET_NAMES) {
    if (remote.names.has(name)) plan.set(name, "set");
    else if (saved.has(name)) plan.set(name, "put-kept");
    else if (name === "KEY_ENCRYPTION_KEY" && remote.workerExists) {
      throw new DeployRefusal(
        `${name} is not set on ${workerName}, which already exists, and ${secretsPath} keeps no copy of it. A new key ` +
          `would not open data keys wrapped under an earlier one: put that key back (\`npx wrangler secret put ${name} ` +
          `--env ${environment}\`, or a ${name}= line in ${secretsPath}), then run again`,
      );
    } else plan.set(name, "generate");
  }
  return plan;
}

function provisionNamespace(configPath, deployment, plan, wrangler) {
  const { environment, namespaceName, namespaceTitle } = deployment;
  if (plan.action === "keep") return print(`KV namespace ${SNAPSHOTS_BINDING}: ${plan.id}, as wrangler.toml [env.${environment}] says.`);
  let id = plan.id;
  try {
    if (plan.action === "create") {
      wrangler.createNamespace(namespaceName);
      id = wrangler.listNamespaces().find((namespace) => namespace.title === namespaceTitle)?.id;
      if (!id) throw new DeployRefusal(`wrangler created a KV namespace, but none titled "${namespaceTitle}" is listed`);
    }
    writeNamespaceId(configPath, environment, id);
    const written = readEnvironment(configPath, environment).namespaceId;
    if (written !== id) throw new DeployRefusal(`wrangler.toml [env.${environment}] reads ${written} after ${id} was written`);
  } catch (error) {
    error.message += `\nwrangler.toml [env.${environment}] still binds ${SNAPSHOTS_BINDING} to the placeholder id ${PLACEHOLDER_NAMESPACE_ID}.`;
    throw error;
  }
  const how = plan.action === "create" ? "created" : "found (made by an earlier run)";
  print(`KV namespace ${SNAPSHOTS_BINDING}: "${namespaceTitle}" ${how}; wrangler.toml [env.${environment}] now binds ${id}.`);
  print("  Commit that change: a namespace id is not a secret, and the next run reads it from there.");
}

function provisionSecrets(deployment, plan, saved, secretsPath, wrangler) {
  const generated = new Map([...plan].filter(([, action]) => action === "generate").map(([name]) => [name, generateSecret(name)]));
  if (generated.size > 0) {
    saveSecrets(secretsPath, deployment, generated);
    print(`Generated ${[...generated.keys()].join(" and ")}, kept in ${secretsPath} (mode 0600).`);
    print(`Back up ${secretsPath} now: Cloudflare cannot give a secret back, and without KEY_ENCRYPTION_KEY no key seed opens.`);
  }
  const alreadySet = [...plan].filter(([, action]) => action === "set").map(([name]) => name);
  if (alreadySet.length > 0) print(`Secrets already set on ${deployment.workerName}: ${alreadySet.join(", ")}.`);
  const notKept = alreadySet.filter((name) => !saved.has(name));
  if (notKept.length > 0) print(`  ${secretsPath} keeps no copy of ${notKept.join(", ")}: keep yours safe (a secret cannot be read back).`);
  for (const [name, action] of plan) {
    if (action === "set") continue;
    try {
      wrangler.putSecret(name, generated.get(name) ?? saved.get(name));
    } catch (error) {
      error.message += `\n${name} is not set on ${deployment.workerName}; ${secretsPath} keeps it, and the next run puts it.`;
      throw error;
    }
  }
}

function printDryRun(deployment, wrangler, secretsPath, saved) {
  const { environment, workerName, namespaceId, namespaceName, namespaceTitle } = deployment;
  print(`Dry run for ${workerName} (wrangler.toml [env.${environment}]): nothing is changed, no wrangler command runs.`);
  if (isPlaceholder(namespaceId)) {
    print(`KV namespace ${SNAPSHOTS_BINDING}: wrangler.toml [env.${environment}] holds the placeholder id.`);
    print(`  would run: ${wrangler.commandLine("kv", "namespace", "list")}, to find "${namespaceTitle}"`);
    print(`  would run, when it is not there: ${wrangler.commandLine("kv", "namespace", "create", namespaceName)}`);
    print(`  would write its id into wrangler.toml [[env.${environment}.kv_namespaces]] (binding ${SNAPSHOTS_BINDING})`);
  } else {
    print(`KV namespace ${SNAPSHOTS_BINDING}: wrangler.toml [env.${environment}] binds ${namespaceId}.`);
    print(`  would run: ${wrangler.commandLine("kv", "namespace", "list")}, and refuse to go on if ${namespaceId} is not listed`);
  }
  const kept = [...saved.keys()];
  print(`Secrets: ${secretsPath} ${kept.length > 0 ? `keeps ${kept.join(", ")}` : "does not exist yet"}.`);
  print(`  would run: ${wrangler.commandLine("secret", "list", "--format", "json")}`);
  for (const name of SECRET_NAMES) {
    const put = wrangler.commandLine("secret", "put", name);
    if (saved.has(name)) print(`  ${name}, if ${workerName} lacks it: would put the kept copy (${put})`);
    else {
      const refusal = name === "KEY_ENCRYPTION_KEY" ? `; refuse instead if ${workerName} exists without it` : "";
      print(`  ${name}, if ${workerName} lacks it: would generate one, keep it in ${secretsPath} (mode 0600), then ${put}${refusal}`);
    }
  }
  print(`Deploy: would run ${wrangler.commandLine("deploy")}`);
}
