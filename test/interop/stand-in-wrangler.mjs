// A stand-in for the `wrangler` CLI, put first on PATH by test/interop/deploy.test.ts: it answers the commands
// scripts/deploy.mjs runs as wrangler 4.86 does (their output formats and titles, read from
// node_modules/wrangler/wrangler-dist/cli.js) against a pretend account kept in a JSON file, with no network. It
// appends every call's arguments (never its stdin) to a log, and any other command fails.
//   STAND_IN_WRANGLER_STATE  the account: { namespaces: [{ id, title }], workers: { name: { secrets, deployments } } }
//   STAND_IN_WRANGLER_CALLS  the log, one JSON array of arguments per line
//   STAND_IN_WRANGLER_FAIL   a command (e.g. "secret put KEY_ENCRYPTION_KEY") that fails as an API error would
import { randomBytes } from "node:crypto";
import { appendFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";

const args = process.argv.slice(2);
appendFileSync(process.env.STAND_IN_WRANGLER_CALLS, `${JSON.stringify(args)}\n`);

const statePath = process.env.STAND_IN_WRANGLER_STATE;
const account = existsSync(statePath) ? JSON.parse(readFileSync(statePath, "utf8")) : { namespaces: [], workers: {} };
const envIndex = args.indexOf("--env");
const environment = envIndex >= 0 ? args[envIndex + 1] : undefined;
const positional = args.filter((arg, index) => !arg.startsWith("--") && args[index - 1] !== "--env" && args[index - 1] !== "--format");
const command = positional.join(" ");
const config = readFileSync("wrangler.toml", "utf8");
// wrangler appends the environment's name to the top-level name (developers.cloudflare.com/workers/wrangler/environments).
const workerName = `${/^name\s*=\s*"([^"]*)"/m.exec(config)[1]}${environment ? `-${environment}` : ""}`;

function fail(message, code = 1) {
  process.stderr.write(`\n✘ [ERROR] ${message}\n\n`);
  process.exit(code);
}

function save() {
  writeFileSync(statePath, JSON.stringify(account, null, 2));
}

/** The id of the SNAPSHOTS block of `[[env.<environment>.kv_namespaces]]`, as the stand-in's deploy records it. */
function configuredNamespaceId() {
  const block = config.split(`[[env.${environment}.kv_namespaces]]`)[1]?.split(/^\[/m)[0] ?? "";
  return /^id\s*=\s*"([^"]*)"/m.exec(block)?.[1];
}

if (process.env.STAND_IN_WRANGLER_FAIL && command === process.env.STAND_IN_WRANGLER_FAIL) {
  fail("A request to the Cloudflare API (/accounts/0123/stand-in) failed.\n  Authentication error [code: 10000]");
}

if (command === "kv namespace list") {
  // kvNamespaceListCommand: no banner, the API's list as indented JSON.
  const list = account.namespaces.map(({ id, title }) => ({ id, title, supports_url_encoding: true }));
  console.log(JSON.stringify(list, null, "  "));
} else if (positional[0] === "kv" && positional[1] === "namespace" && positional[2] === "create" && positional.length === 4) {
  // kvNamespaceCreateCommand: title `${env}-${namespace}`; an existing title is API error 10014.
  const title = `${environment ? `${environment}-` : ""}${positional[3]}`;
  if (account.namespaces.some((namespace) => namespace.title === title)) fail(`A KV namespace with the title "${title}" already exists.`);
  const id = randomBytes(16).toString("hex");
  account.namespaces.push({ id, title });
  save();
  console.log(`Resource location: remote\n🌀 Creating namespace with title "${title}"\n✨ Success!`);
  console.log(
    `To access your new KV Namespace in your Worker, add the following snippet to your configuration file in the "${environment}" environment:`,
  );
  console.log(`[[kv_namespaces]]\nbinding = "${positional[3].replace(/-/g, "_")}"\nid = "${id}"`);
} else if (command === "secret list") {
  // secretListCommand: a Worker never uploaded is a UserError; else the secrets as indented JSON.
  const worker = account.workers[workerName];
  if (!worker) {
    fail(
      `Worker "${workerName}"${environment ? ` (env: ${environment})` : ""} not found.\n\nIf this is a new Worker, run \`wrangler deploy\` ` +
        "first to create it.\nOtherwise, check that the Worker name is correct and you're logged into the right account.",
    );
  }
  console.log(
    JSON.stringify(
      Object.keys(worker.secrets).map((name) => ({ name, type: "secret_text" })),
      null,
      "  ",
    ),
  );
} else if (positional[0] === "secret" && positional[1] === "put" && positional.length === 3) {
  // secretPutCommand: stdin read whole (not a terminal), trailing whitespace trimmed; a missing Worker is created empty.
  const value = readFileSync(0, "utf8").replace(/\s+$/, "");
  console.log(`🌀 Creating the secret for the Worker "${workerName}" `);
  if (!account.workers[workerName]) {
    console.log(`🌀 Creating new Worker "${workerName}"...`);
    account.workers[workerName] = { secrets: {}, deployments: [] };
  }
  account.workers[workerName].secrets[positional[2]] = value;
  save();
  console.log(`✨ Success! Uploaded secret ${positional[2]}`);
} else if (command === "deploy") {
  // What the uploaded Worker would be bound to and hold, so a test can see the order of the steps.
  const worker = (account.workers[workerName] ??= { secrets: {}, deployments: [] });
  worker.deployments.push({ namespaceId: configuredNamespaceId(), secrets: Object.keys(worker.secrets).sort() });
  save();
  console.log(`Uploaded ${workerName}\nDeployed ${workerName} triggers\n  https://${workerName}.stand-in.workers.dev`);
} else {
  fail(`the stand-in wrangler has no command "${args.join(" ")}"`, 2);
}
