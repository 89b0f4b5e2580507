import type { MiddlewareHandler } from "hono";
import { readKeyEncryptionKeys } from "../tenancy/key-encryption-keys";
import type { AppEnv } from "./app-env";
import { requestFailureResponse } from "./request-errors";

/**
 * Where a secret is set, for the message that names a missing one. A deployed Worker is one of wrangler.toml's
 * environments (`npm run deploy -- --env staging|production`; the top level is the local configuration), so the
 * command names the environment: without `--env` it would set the secret of a Worker that was never deployed.
 */
function howToSetSecret(name: "ADMIN_TOKEN" | "KEY_ENCRYPTION_KEY"): string {
  return (
    "locally run `npm start` (it writes .dev.vars) or add it to .dev.vars; " +
    `when deployed run \`npx wrangler secret put ${name} --env <staging|production>\``
  );
}

/** What a route group needs from the Worker's configuration. */
export type ConfigurationNeed = "tenant-data" | "operator";

/**
 * The first configuration problem that stops a route group from working, as a message that names the secret
 * and how to set it, or undefined when the configuration is complete. Tenant data needs the key-encryption keys
 * (`KEY_ENCRYPTION_KEY`: one key, base64 of 32 bytes, or a `version:key,…` list; see `readKeyEncryptionKeys`);
 * operator routes also need `ADMIN_TOKEN`.
 */
export function configurationProblem(env: Partial<Env>, need: ConfigurationNeed): string | undefined {
  if (need === "operator" && !env.ADMIN_TOKEN?.trim()) {
    return `ADMIN_TOKEN is not set: ${howToSetSecret("ADMIN_TOKEN")}`;
  }
  if (!env.KEY_ENCRYPTION_KEY?.trim()) return `KEY_ENCRYPTION_KEY is not set: ${howToSetSecret("KEY_ENCRYPTION_KEY")}`;
  const keys = readKeyEncryptionKeys(env);
  if (!keys.ok) return keys.problem;
  return undefined;
}

/** Checked once per environment object: an isolate keeps its bindings for its lifetime. */
const checked = new WeakMap<object, Map<ConfigurationNeed, string | undefined>>();

/** Answers 503 naming the missing or malformed secret before a route group that needs it runs. */
export function requireConfiguration(need: ConfigurationNeed): MiddlewareHandler<AppEnv> {
  return async function requireConfigurationMiddleware(c, next) {
    let results = checked.get(c.env);
    if (!results) checked.set(c.env, (results = new Map()));
    if (!results.has(need)) results.set(need, configurationProblem(c.env, need));
    const problem = results.get(need);
    if (problem) return requestFailureResponse({ reason: "not-configured", problem });
    await next();
  };
}
