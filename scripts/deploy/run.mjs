// `npm run deploy [-- --env staging|production] [--dry-run]` (README "Deploy"): provisions what one environment of
// wrangler.toml needs, then deploys it, with wrangler's own commands. Idempotent: it creates the KV namespace only
// when missing and a secret only when the Worker lacks it and no copy is kept, so a second run only deploys again.
// Everything is read and checked before anything is written (CONTRIBUTING.md: validate everything before writing).
// scripts/deploy.mjs is the command line; the tests call `runDeploy` in the same process with an environment of their
// own, so it reads nothing from `process` (neither `env`, `cwd` nor `argv`) and never exits.
import { readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { isCurrentOpenApiDocument } from "../openapi/generate.mjs";
import { printDryRun } from "./dry-run.mjs";
import { DeployRefusal, ENVIRONMENTS, isPlaceholder, readEnvironment, withNamespaceId } from "./environment.mjs";
import { planNamespace, planSecrets, provisionNamespace, provisionSecrets } from "./provision.mjs";
import { readSavedSecrets, secretsFilePath } from "./secrets-file.mjs";
import { WranglerCommandError, WranglerCommands, localWranglerBin } from "./wrangler-commands.mjs";

const USAGE = `Usage: npm run deploy [-- --env staging|production] [--dry-run]
  --env      the wrangler.toml environment to deploy: staging or production (default: production)
  --dry-run  print every step and change nothing: reads only local files, needs no network and no credentials`;

/** Exit codes: a refusal or a failed wrangler command (nothing more was done), and a command line not understood. */
const REFUSED = 1;
const USAGE_ERROR = 2;

class UsageError extends Error {}

const repositoryRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

/**
 * Runs the deployment the arguments ask for in `cwd` (whose wrangler.toml it reads and writes, as wrangler does) and
 * returns the exit code. `env` is what the wrangler commands get (PATH, HOME, credentials) and where the secrets copy
 * is looked for; `interactive` lets `wrangler deploy` use the terminal (it may ask a question), else its output is
 * passed to `print` and `printError`. An error other than a refusal is thrown.
 *
 * @param {readonly string[]} args
 * @param {{ cwd: string, env: Record<string, string | undefined>, print: (line: string) => void,
 *   printError: (line: string) => void, interactive: boolean }} options
 * @returns {Promise<number>}
 * @example process.exitCode = await runDeploy(["--env", "staging", "--dry-run"], { cwd: process.cwd(), env: process.env, print: console.log, printError: console.error, interactive: true });
 */
export async function runDeploy(args, options) {
  try {
    const parsed = parseArguments(args);
    if (parsed.help) options.print(USAGE);
    else await deploy(parsed, options);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      options.printError(`${error.message}\n${USAGE}`);
      return USAGE_ERROR;
    }
    if (!(error instanceof DeployRefusal || error instanceof WranglerCommandError)) throw error;
    options.printError(`Not deployed: ${error.message}`);
    return REFUSED;
  }
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

async function deploy({ environment, dryRun }, { cwd, env, print, printError, interactive }) {
  // wrangler's own convention: the configuration is the wrangler.toml of the directory it runs in (`npm run` runs
  // scripts in the repository's root).
  const configPath = join(cwd, "wrangler.toml");
  const deployment = readEnvironment(configPath, environment);
  const secretsPath = secretsFilePath(deployment.workerName, env);
  // Local checks first: a configuration the id cannot be written into, a stale OpenAPI document, or a secrets copy
  // others can read, stops here.
  if (isPlaceholder(deployment.namespaceId)) withNamespaceId(readFileSync(configPath, "utf8"), environment, "0".repeat(31) + "1");
  const openApiDocument = await checkOpenApiDocument(configPath, deployment, cwd);
  const saved = readSavedSecrets(secretsPath);
  const wrangler = new WranglerCommands({
    cwd,
    env,
    environment,
    localBin: localWranglerBin(repositoryRoot),
    print,
    printError,
    interactive,
  });
  if (dryRun) return printDryRun(deployment, wrangler, secretsPath, saved, openApiDocument, print);

  print(`Deploying ${deployment.workerName} (wrangler.toml [env.${environment}]).`);
  if (openApiDocument) print(`OpenAPI document: ${openApiDocument} is the one the route table gives.`);
  const namespaces = wrangler.listNamespaces();
  const remoteSecrets = wrangler.listSecretNames();
  const namespacePlan = planNamespace(deployment, namespaces, wrangler);
  const secretsPlan = planSecrets(deployment, remoteSecrets, saved, secretsPath);

  provisionNamespace(configPath, deployment, namespacePlan, wrangler, print);
  provisionSecrets(deployment, secretsPlan, saved, secretsPath, wrangler, print);
  wrangler.deploy();
  print(`Deployed ${deployment.workerName}: its URL is the workers.dev one wrangler printed above.`);
  const adminTokenKept = saved.has("ADMIN_TOKEN") || secretsPlan.get("ADMIN_TOKEN") === "generate";
  print(`Check it with curl <URL>/healthz (it answers ok).${adminTokenKept ? ` The operator's ADMIN_TOKEN is in ${secretsPath}.` : ""}`);
}

/**
 * The environment's `[assets]` directory holds the OpenAPI document `GET /api/openapi.json` serves (issue 27); a
 * route changed without `npm run openapi` would deploy a document describing other routes. Returns the document's
 * path as printed, or undefined when the environment serves no assets.
 */
async function checkOpenApiDocument(configPath, { environment, assetsDirectory }, cwd) {
  if (assetsDirectory === undefined) return undefined;
  const path = resolve(dirname(configPath), assetsDirectory, "api", "openapi.json");
  const shown = relative(cwd, path);
  if (!(await isCurrentOpenApiDocument(path))) {
    throw new DeployRefusal(
      `${shown} (the [assets] of wrangler.toml [env.${environment}]) is not the OpenAPI document the route table gives: ` +
        "run `npm run openapi`, commit the file, then run again",
    );
  }
  return shown;
}
