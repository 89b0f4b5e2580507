// The operator's copy of a Worker's secrets, outside the repository: Cloudflare never gives a secret back, and the
// key-encryption key is needed again to rotate it (README "Rotating the key-encryption key") or to rebuild a Worker.
// One file per Worker, `NAME=value` lines (the .env form `wrangler secret bulk <file>` also reads), mode 0600.
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, isAbsolute, join } from "node:path";
import { DeployRefusal } from "./environment.mjs";

/** The secrets the service needs (src/http/configuration.ts), in the order they are put. */
export const SECRET_NAMES = ["ADMIN_TOKEN", "KEY_ENCRYPTION_KEY"];
/** Owner read and write only: the file holds the root of trust of every tenant's keys. */
const FILE_MODE = 0o600;
const DIRECTORY_MODE = 0o700;
/** AES-256 (FIPS 197): a key-encryption key is 32 bytes, 44 base64 characters (src/tenancy/key-encryption-keys.ts). */
const BASE64_OF_32_BYTES = /^[A-Za-z0-9+/]{43}=$/;

/**
 * `$XDG_CONFIG_HOME/edge-key-service/<worker>.secrets` (XDG Base Directory: an absolute XDG_CONFIG_HOME, else
 * `~/.config`, HOME's as `environment` gives it). The Worker name carries the environment (`edge-key-service-staging`).
 */
export function secretsFilePath(workerName, environment) {
  const configured = environment.XDG_CONFIG_HOME;
  const home = environment.HOME || homedir();
  const configHome = configured && isAbsolute(configured) ? configured : join(home, ".config");
  return join(configHome, "edge-key-service", `${workerName}.secrets`);
}

/** The secrets kept in the file (none when it does not exist); refuses a file others can read or a malformed value. */
export function readSavedSecrets(path) {
  if (!existsSync(path)) return new Map();
  const mode = statSync(path).mode & 0o777;
  if (mode & 0o077) {
    throw new DeployRefusal(`${path} can be read by others (mode 0${mode.toString(8)}): run \`chmod 600 ${path}\`, then run again`);
  }
  const saved = new Map();
  for (const line of readFileSync(path, "utf8").split("\n")) {
    const match = /^\s*([A-Z][A-Z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (match && SECRET_NAMES.includes(match[1])) saved.set(match[1], match[2].replace(/^(["'])(.*)\1$/, "$2"));
  }
  for (const [name, value] of saved) {
    const problem = problemWith(name, value);
    if (problem) throw new DeployRefusal(`${name} in ${path} ${problem}`);
  }
  return saved;
}

/** What is wrong with a kept value, named without the value. */
function problemWith(name, value) {
  if (value === "") return "is empty";
  if (name === "KEY_ENCRYPTION_KEY" && !isKeyEncryptionKey(value)) {
    return 'must be base64 of exactly 32 bytes, or `version:base64,…` with each version once (README "Rotating the key-encryption key")';
  }
  return undefined;
}

/** Either form src/tenancy/key-encryption-keys.ts reads: one key, or a `version:key,…` list during a rotation. */
function isKeyEncryptionKey(value) {
  const compact = value.replace(/\s+/g, "");
  if (!compact.includes(":")) return BASE64_OF_32_BYTES.test(compact);
  const versions = compact.split(",").map((item) => /^(\d+):(.*)$/.exec(item));
  const numbers = versions.map((match) => Number(match?.[1]));
  return (
    versions.every((match) => match && BASE64_OF_32_BYTES.test(match[2])) &&
    numbers.every((version) => Number.isSafeInteger(version) && version >= 1) &&
    new Set(numbers).size === numbers.length
  );
}

/** A fresh secret of the form the service reads: 32 random bytes, base64url for the token, base64 for the KEK. */
export function generateSecret(name) {
  const bytes = randomBytes(32);
  return name === "KEY_ENCRYPTION_KEY" ? bytes.toString("base64") : bytes.toString("base64url");
}

/**
 * Adds secrets to the file (created with its header when missing), written whole to a new 0600 file renamed over the
 * old one, so the copy is never half written and never readable by others, even for a moment.
 */
export function saveSecrets(path, deployment, additions) {
  const existing = existsSync(path) ? readFileSync(path, "utf8") : header(deployment, path);
  const lines = [...additions].map(([name, value]) => `${name}=${value}`);
  const text = `${existing}${existing.endsWith("\n") || existing === "" ? "" : "\n"}${lines.join("\n")}\n`;
  mkdirSync(dirname(path), { recursive: true, mode: DIRECTORY_MODE });
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, text, { mode: FILE_MODE, flag: "wx" });
  chmodSync(temporary, FILE_MODE);
  renameSync(temporary, path);
}

function header({ workerName, environment, keyEncryptionKeyVersion }, path) {
  return [
    `# Secrets of the Cloudflare Worker ${workerName} (wrangler.toml [env.${environment}]), kept by \`npm run deploy\`.`,
    "# Back this file up somewhere safe: Cloudflare cannot give a secret back, and without KEY_ENCRYPTION_KEY no tenant's",
    `# key seeds open. Its version is KEY_ENCRYPTION_KEY_VERSION (${keyEncryptionKeyVersion ?? "1"}, [env.${environment}.vars]);`,
    '# after a rotation (README "Rotating the key-encryption key") write the new value here too. To put these back:',
    `# npx wrangler secret bulk ${path} --env ${environment}`,
    "",
  ].join("\n");
}
