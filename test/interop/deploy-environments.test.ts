/// <reference types="node" />
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { OFFLINE_ENV, PROJECT_ROOT } from "./worker-bundle";

/**
 * wrangler.toml's `[env.staging]` and `[env.production]` (issue 28), read by wrangler itself: bindings and vars are not
 * inherited from the top level (developers.cloudflare.com/workers/wrangler/environments, "Non-inheritable keys"), so
 * each environment repeats them, and this checks that none was forgotten or left behind when the top level changes.
 */

/** The fields of wrangler's resolved configuration compared here (wrangler's package does not ship their types). */
interface Config {
  name?: string;
  main?: string;
  compatibility_date?: string;
  minify?: boolean;
  keep_names?: boolean;
  vars: Record<string, unknown>;
  kv_namespaces: { binding: string; id?: string }[];
  durable_objects: { bindings: { name: string; class_name: string; script_name?: string }[] };
  migrations: unknown[];
  ratelimits: { name: string; namespace_id: string; simple: unknown }[];
  analytics_engine_datasets: { binding: string; dataset?: string }[];
  observability?: unknown;
  assets?: unknown;
  define: Record<string, string>;
  alias?: Record<string, string>;
}

const ENVIRONMENTS = ["staging", "production"] as const;
const configs = new Map<string | undefined, Config>();

async function readConfig(environment?: string): Promise<Config> {
  Object.assign(process.env, OFFLINE_ENV);
  const { unstable_readConfig } = await import("wrangler");
  return unstable_readConfig({ config: join(PROJECT_ROOT, "wrangler.toml"), env: environment }) as Config;
}

/** What the Worker is given, every binding and var, apart from the ids that must differ between environments. */
function workerShape(config: Config) {
  return {
    vars: config.vars,
    kvBindings: config.kv_namespaces.map(({ binding }) => binding),
    durableObjects: config.durable_objects.bindings.map(({ name, class_name, script_name }) => ({ name, class_name, script_name })),
    migrations: config.migrations,
    rateLimits: config.ratelimits.map(({ name, simple }) => ({ name, simple })),
    usageDatasets: config.analytics_engine_datasets.map(({ binding }) => binding),
    observability: config.observability,
    // `define` is not inherited: an environment without `__OPENAPI__` would throw at its first request.
    define: config.define,
    // The Hono modules the bundle leaves out (src/http/hono-unused-parts.ts): read from the top level by every environment.
    alias: config.alias,
    assets: config.assets,
    main: config.main,
    compatibilityDate: config.compatibility_date,
    minify: config.minify,
    keepNames: config.keep_names,
  };
}

beforeAll(async () => {
  for (const environment of [undefined, ...ENVIRONMENTS]) configs.set(environment, await readConfig(environment));
});

describe.each(ENVIRONMENTS)("[env.%s]", (environment) => {
  it("is a Worker of its own, named after the environment", () => {
    expect(configs.get(environment)!.name).toBe(`edge-key-service-${environment}`);
  });

  it("gives its Worker every binding and var of the top level, with the same settings", () => {
    expect(workerShape(configs.get(environment)!)).toEqual(workerShape(configs.get(undefined)!));
  });
});

it("gives each environment rate-limit namespaces of its own: one namespace_id shares counters across an account's Workers", () => {
  const ids = [undefined, ...ENVIRONMENTS].flatMap((environment) =>
    configs.get(environment)!.ratelimits.map((limit) => limit.namespace_id),
  );
  expect(ids).toHaveLength(9);
  expect(new Set(ids).size).toBe(ids.length);
});

it("turns Workers Logs on everywhere but their invocation logs (a signed URL's token is in its query): the top level's [observability], which each environment inherits", () => {
  for (const environment of [undefined, ...ENVIRONMENTS]) {
    expect(configs.get(environment)!.observability).toEqual({ enabled: true, logs: { enabled: true, invocation_logs: false } });
  }
});

it("gives each environment a usage dataset of its own, so staging's requests never count as production's", () => {
  const datasets = [undefined, ...ENVIRONMENTS].map((environment) => configs.get(environment)!.analytics_engine_datasets[0]?.dataset);
  expect(datasets).toEqual(["edge_key_service_usage", "edge_key_service_staging_usage", "edge_key_service_production_usage"]);
});
