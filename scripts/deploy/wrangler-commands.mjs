// The wrangler commands `npm run deploy` runs, and how it reads what they print. Formats are wrangler 4.86's, read from
// its source (node_modules/wrangler/wrangler-dist/cli.js: kvNamespaceListCommand, kvNamespaceCreateCommand,
// secretListCommand, secretPutCommand) and documented at developers.cloudflare.com/workers/wrangler/commands/.
// Every call runs `wrangler` from PATH, which `npm run` starts with node_modules/.bin; a test puts a stand-in first.
import { spawnSync } from "node:child_process";
import { delimiter, join } from "node:path";

/** A wrangler command that failed: its own message, never a secret (secrets go through stdin, never arguments). */
export class WranglerCommandError extends Error {}

/** Runs wrangler commands for one environment of the configuration in `cwd`, printing each before it runs. */
export class WranglerCommands {
  #cwd;
  #env;
  #environment;
  #print;
  #printError;
  #interactive;

  /**
   * `env` is the whole environment the commands get; `interactive` gives `wrangler deploy` the terminal, else its
   * output goes to `print` and `printError` (a caller in the same process as its tests).
   * @param {{ cwd: string, env: Record<string, string | undefined>, environment: string, localBin: string,
   *   print: (line: string) => void, printError: (line: string) => void, interactive: boolean }} options
   */
  constructor({ cwd, env, environment, localBin, print, printError, interactive }) {
    this.#cwd = cwd;
    // The repository's own wrangler comes last: anything earlier on PATH (npm's node_modules/.bin, a stand-in) wins.
    this.#env = { ...env, PATH: [env.PATH, localBin].filter(Boolean).join(delimiter) };
    this.#environment = environment;
    this.#print = print;
    this.#printError = printError;
    this.#interactive = interactive;
  }

  /** The command line `run` uses, for printing (`--dry-run` prints these instead of running them). */
  commandLine(...args) {
    return ["wrangler", ...args, "--env", this.#environment].join(" ");
  }

  /** `wrangler kv namespace list`: the account's namespaces, printed as a JSON array of `{ id, title, … }`. */
  listNamespaces() {
    const { stdout } = this.#run(["kv", "namespace", "list"]);
    return parseJsonArray(stdout, this.commandLine("kv", "namespace", "list")).map(({ id, title }) => ({ id, title }));
  }

  /**
   * `wrangler kv namespace create <name>`. With `--env`, wrangler 4.86 titles it `<env>-<name>`
   * (kvNamespaceCreateCommand); the caller finds its id by that title in `listNamespaces`.
   */
  createNamespace(name) {
    this.#run(["kv", "namespace", "create", name]);
  }

  /**
   * `wrangler secret list --format json`: the names of the Worker's secrets, or `workerExists: false` when the Worker
   * was never uploaded (wrangler's "Worker … not found", error 10007).
   */
  listSecretNames() {
    const args = ["secret", "list", "--format", "json"];
    const result = this.#run(args, { allowFailure: true });
    if (result.status !== 0) {
      if (/Worker "[^"]*"[^\n]* not found/.test(result.stderr + result.stdout)) return { workerExists: false, names: new Set() };
      throw failure(this.commandLine(...args), result);
    }
    const secrets = parseJsonArray(result.stdout, this.commandLine(...args));
    return { workerExists: true, names: new Set(secrets.map((secret) => secret.name)) };
  }

  /**
   * `wrangler secret put <name>` with the value on stdin (read whole when stdin is not a terminal, trailing whitespace
   * trimmed). On a Worker never uploaded, wrangler first creates an empty one, as it does in CI (createDraftWorker).
   */
  putSecret(name, value) {
    this.#run(["secret", "put", name], { input: value });
  }

  /**
   * `wrangler deploy`, its output and any question it asks (a first workers.dev subdomain) on this terminal when
   * interactive; else with an empty stdin, its output passed on.
   */
  deploy() {
    if (this.#interactive) return void this.#run(["deploy"], { inherit: true });
    const { stdout, stderr } = this.#run(["deploy"]);
    if (stdout) this.#print(stdout.replace(/\n$/, ""));
    if (stderr) this.#printError(stderr.replace(/\n$/, ""));
  }

  #run(args, { input = "", inherit = false, allowFailure = false } = {}) {
    const commandLine = this.commandLine(...args);
    this.#print(`→ ${commandLine}`);
    const result = spawnSync("wrangler", [...args, "--env", this.#environment], {
      cwd: this.#cwd,
      env: this.#env,
      encoding: "utf8",
      // An empty stdin, never a terminal, for every captured command: wrangler then asks nothing and waits for nothing.
      input: inherit ? undefined : input,
      stdio: inherit ? "inherit" : "pipe",
      maxBuffer: 64 * 1024 * 1024,
    });
    if (result.error) throw new WranglerCommandError(`could not run wrangler (${result.error.code}): run \`npm install\` first`);
    if (result.status !== 0 && !allowFailure) throw failure(commandLine, result);
    return { status: result.status, stdout: result.stdout ?? "", stderr: result.stderr ?? "" };
  }
}

function failure(commandLine, result) {
  const output = `${result.stderr ?? ""}${result.stdout ?? ""}`.trim().split("\n").slice(-20).join("\n");
  return new WranglerCommandError(`${commandLine} failed (exit ${result.status ?? result.signal}):\n${output}`);
}

/** The JSON array a list command prints (its whole stdout: both commands print no banner in JSON form). */
function parseJsonArray(stdout, commandLine) {
  const start = stdout.indexOf("[");
  try {
    const value = start < 0 ? undefined : JSON.parse(stdout.slice(start, stdout.lastIndexOf("]") + 1));
    if (Array.isArray(value)) return value;
  } catch {
    // Reported below, with the command.
  }
  throw new WranglerCommandError(`${commandLine} printed no JSON list`);
}

/** The repository's node_modules/.bin, from this file's location. */
export function localWranglerBin(projectRoot) {
  return join(projectRoot, "node_modules", ".bin");
}
