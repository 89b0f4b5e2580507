// The steps of a deployment that change something: what to do about the KV namespace and each secret (planned from
// what the account lists and the copy keeps, before anything is written), then doing it.
import {
  DeployRefusal,
  PLACEHOLDER_NAMESPACE_ID,
  SNAPSHOTS_BINDING,
  isPlaceholder,
  readEnvironment,
  writeNamespaceId,
} from "./environment.mjs";
import { SECRET_NAMES, generateSecret, saveSecrets } from "./secrets-file.mjs";

/** Keep the configured namespace, adopt one an interrupted run created (found by title), or create it. */
export function planNamespace(deployment, namespaces, wrangler) {
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
export function planSecrets({ workerName, environment }, remote, saved, secretsPath) {
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

export function provisionNamespace(configPath, deployment, plan, wrangler, print) {
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

export function provisionSecrets(deployment, plan, saved, secretsPath, wrangler, print) {
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
