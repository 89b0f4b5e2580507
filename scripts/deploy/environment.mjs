// What `npm run deploy` reads from and writes into wrangler.toml: one `[env.<name>]` section, as wrangler itself
// resolves it (its own reader, so the Worker name and bindings are exactly those `wrangler deploy --env` uses).
import { readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { unstable_readConfig } from "wrangler";

/** The environments wrangler.toml defines for deployment (its top level is the local configuration). */
export const ENVIRONMENTS = ["staging", "production"];
/** The KV binding the service reads tenant snapshots from (worker-configuration.d.ts `SNAPSHOTS`). */
export const SNAPSHOTS_BINDING = "SNAPSHOTS";
/** The id wrangler.toml carries until a namespace exists: local runs accept it, Cloudflare does not. */
export const PLACEHOLDER_NAMESPACE_ID = "00000000000000000000000000000000";
/** A KV namespace id as the Cloudflare API gives it: 32 lower-case hex digits. */
const NAMESPACE_ID_PATTERN = /^[0-9a-f]{32}$/;

/** A reason to stop before anything is changed, worded for the operator. */
export class DeployRefusal extends Error {}

/**
 * The deployment an environment describes: its Worker's name, the KV namespace bound as SNAPSHOTS, the title
 * `wrangler kv namespace create <namespaceName> --env <environment>` gives it, the KEK version var and the `[assets]`
 * directory.
 */
export function readEnvironment(configPath, environment) {
  let config;
  try {
    config = unstable_readConfig({ config: configPath, env: environment });
  } catch (error) {
    throw new DeployRefusal(`wrangler.toml cannot be read for --env ${environment}: ${String(error?.message ?? error).split("\n")[0]}`);
  }
  const snapshots = config.kv_namespaces.filter((namespace) => namespace.binding === SNAPSHOTS_BINDING);
  if (snapshots.length !== 1) {
    throw new DeployRefusal(
      `wrangler.toml [env.${environment}] must bind exactly one KV namespace as ${SNAPSHOTS_BINDING} ` +
        `([[env.${environment}.kv_namespaces]] binding = "${SNAPSHOTS_BINDING}"), found ${snapshots.length}`,
    );
  }
  const namespaceName = `${config.topLevelName}-${SNAPSHOTS_BINDING}`;
  return {
    environment,
    workerName: config.name,
    namespaceId: snapshots[0].id,
    namespaceName,
    // wrangler 4.86 kvNamespaceCreateCommand: title = `${env}-${namespace}` when --env is given.
    namespaceTitle: `${environment}-${namespaceName}`,
    keyEncryptionKeyVersion: config.vars?.KEY_ENCRYPTION_KEY_VERSION,
    // Relative to wrangler.toml's folder, as wrangler reads it; where the OpenAPI document is served from (issue 27).
    assetsDirectory: config.assets?.directory,
  };
}

/** Whether the configured id still has to be replaced by a real namespace's. */
export function isPlaceholder(namespaceId) {
  return namespaceId === PLACEHOLDER_NAMESPACE_ID;
}

/**
 * wrangler.toml's text with the SNAPSHOTS id of `[[env.<environment>.kv_namespaces]]` replaced, every other byte
 * (comments, order, the top level) kept. Refuses when that block or its `id` line is not there exactly once.
 */
export function withNamespaceId(text, environment, namespaceId) {
  if (!NAMESPACE_ID_PATTERN.test(namespaceId)) throw new DeployRefusal(`a KV namespace id must be 32 hex digits, got "${namespaceId}"`);
  const lines = text.split("\n");
  const header = `[[env.${environment}.kv_namespaces]]`;
  const idLines = [];
  for (let start = 0; start < lines.length; start++) {
    if (lines[start].trim() !== header) continue;
    let end = start + 1;
    while (end < lines.length && !lines[end].trim().startsWith("[")) end++;
    const block = lines.slice(start + 1, end);
    if (!block.some((line) => new RegExp(`^\\s*binding\\s*=\\s*"${SNAPSHOTS_BINDING}"\\s*(#.*)?\\r?$`).test(line))) continue;
    block.forEach((line, index) => /^\s*id\s*=\s*"[^"]*"/.test(line) && idLines.push(start + 1 + index));
  }
  if (idLines.length !== 1) {
    throw new DeployRefusal(
      `wrangler.toml needs one [[env.${environment}.kv_namespaces]] block with binding = "${SNAPSHOTS_BINDING}" and ` +
        `an id = "…" line for the namespace id to be written into, found ${idLines.length}`,
    );
  }
  lines[idLines[0]] = lines[idLines[0]].replace(/^(\s*id\s*=\s*)"[^"]*"/, `$1"${namespaceId}"`);
  return lines.join("\n");
}

/** Writes the namespace id into wrangler.toml (a whole new file renamed over the old, so it is never half written). */
export function writeNamespaceId(configPath, environment, namespaceId) {
  const text = withNamespaceId(readFileSync(configPath, "utf8"), environment, namespaceId);
  const temporary = `${configPath}.${process.pid}.tmp`;
  writeFileSync(temporary, text, { mode: statSync(configPath).mode & 0o777 });
  renameSync(temporary, configPath);
}
