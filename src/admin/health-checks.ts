import { importAesGcmKey } from "../tenancy/envelope";
import { readKeyEncryptionKeys } from "../tenancy/key-encryption-keys";
import { tenantDirectory } from "../tenancy/tenant-directory";
import { kekCanaryKey, opensKekCanary, sealKekCanary } from "./kek-canary";

/**
 * The checks of `GET /admin/health` (README "Usage and monitoring"): what every request of the service depends on,
 * each tried for real. None reads or writes a tenant's data.
 */

/** The checks, in the order the answer lists them. */
export const HEALTH_CHECK_NAMES = ["kv", "durable-object", "kek-canaries"] as const;
export type HealthCheckName = (typeof HEALTH_CHECK_NAMES)[number];

/** Why a check failed, worded in health-wire.ts. */
export type HealthProblem =
  /** A KV or Durable Object call threw: the error's name and message (neither ever carries a key). */
  | { readonly reason: "call-failed"; readonly error: string }
  /** KV accepted the probe's write, then did not return it. */
  | { readonly reason: "kv-value-lost" }
  /** The tenant directory answered with another value than the one it was sent. */
  | { readonly reason: "object-answered-otherwise" }
  /** These configured KEK versions do not open their canaries: another key than the first one seen under the version. */
  | { readonly reason: "kek-canary-does-not-open"; readonly versions: readonly number[] }
  /** KEY_ENCRYPTION_KEY does not parse (requireConfiguration answers 503 first, so only a change mid-request). */
  | { readonly reason: "kek-not-configured"; readonly problem: string };

/** One check's result: how long it took, and its problem when it failed. */
export interface HealthCheckResult {
  readonly name: HealthCheckName;
  /** Milliseconds of wall time, as the Workers clock counts it (it advances across I/O only). */
  readonly ms: number;
  /** The KEK versions the canary check covered, current first. */
  readonly versions?: readonly number[];
  readonly problem?: HealthProblem;
}

/** Probe keys live under this KV prefix, one fresh key per check: never a tenant's key, and never two checks on one key. */
export const HEALTH_PROBE_PREFIX = "health/probe/";
/** KV's shortest expiry (developers.cloudflare.com/kv/api/write-key-value-pairs, `expirationTtl`: at least 60 s). */
const PROBE_TTL_SECONDS = 60;

type CheckOutcome = { readonly versions?: readonly number[]; readonly problem?: HealthProblem };

/** Runs every check at once; a check that throws fails with what it threw, the others still answer. */
export function runHealthChecks(env: Env): Promise<HealthCheckResult[]> {
  return Promise.all([
    timed("kv", () => checkKvWriteRead(env.SNAPSHOTS)),
    timed("durable-object", () => checkDurableObject(env)),
    timed("kek-canaries", () => checkKekCanaries(env)),
  ]);
}

async function timed(name: HealthCheckName, run: () => Promise<CheckOutcome>): Promise<HealthCheckResult> {
  const started = Date.now();
  let outcome: CheckOutcome;
  try {
    outcome = await run();
  } catch (error) {
    outcome = { problem: { reason: "call-failed", error: error instanceof Error ? `${error.name}: ${error.message}` : "unknown error" } };
  }
  return { name, ms: Date.now() - started, ...outcome };
}

/**
 * Writes a random value under a fresh probe key and reads it back. A write is visible at once in the location that made
 * it (developers.cloudflare.com/kv/concepts/how-kv-works), so a read that misses it means KV lost it. The key expires.
 */
async function checkKvWriteRead(kv: KVNamespace): Promise<CheckOutcome> {
  const key = `${HEALTH_PROBE_PREFIX}${crypto.randomUUID()}`;
  const value = crypto.randomUUID();
  await kv.put(key, value, { expirationTtl: PROBE_TTL_SECONDS });
  return (await kv.get(key)) === value ? {} : { problem: { reason: "kv-value-lost" } };
}

/** A round trip to the tenant directory, the one Durable Object every deployment has, through its SQLite storage. */
async function checkDurableObject(env: Env): Promise<CheckOutcome> {
  const nonce = crypto.randomUUID();
  return (await tenantDirectory(env).healthProbe(nonce)) === nonce ? {} : { problem: { reason: "object-answered-otherwise" } };
}

/**
 * Every configured KEK version opens its canary (kek-canary.ts). A version seen for the first time gets its canary now:
 * a rotation's new version is covered from its first check, and a removed version is simply not checked any more.
 */
async function checkKekCanaries(env: Env): Promise<CheckOutcome> {
  const configuration = readKeyEncryptionKeys(env);
  if (!configuration.ok) return { problem: { reason: "kek-not-configured", problem: configuration.problem } };
  const versions = configuration.entries.map((entry) => entry.version);
  const opened = await Promise.all(
    configuration.entries.map(async ({ version, bytes }) => {
      const kek = { version, key: await importAesGcmKey(bytes) };
      const canary = await env.SNAPSHOTS.get(kekCanaryKey(version));
      if (canary !== null) return opensKekCanary(canary, kek);
      await env.SNAPSHOTS.put(kekCanaryKey(version), await sealKekCanary(kek));
      return true;
    }),
  );
  const failing = versions.filter((_, index) => !opened[index]);
  return failing.length === 0 ? { versions } : { versions, problem: { reason: "kek-canary-does-not-open", versions: failing } };
}
