// `npm run deploy -- --dry-run`: every step a run would take, printed from local files alone.
import { SNAPSHOTS_BINDING, isPlaceholder } from "./environment.mjs";
import { SECRET_NAMES } from "./secrets-file.mjs";

/** Prints what a run would do; `openApiDocument` is the checked document's path (undefined: no `[assets]`). */
export function printDryRun(deployment, wrangler, secretsPath, saved, openApiDocument, print) {
  const { environment, workerName, namespaceId, namespaceName, namespaceTitle } = deployment;
  print(`Dry run for ${workerName} (wrangler.toml [env.${environment}]): nothing is changed, no wrangler command runs.`);
  if (openApiDocument) {
    print(`OpenAPI document: ${openApiDocument} is the one the route table gives (\`node scripts/openapi.mjs --check\`);`);
    print("  a run refuses to deploy one that is not: `npm run openapi` writes it.");
  }
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
