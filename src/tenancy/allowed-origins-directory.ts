import { authenticateKvValue, verifyKvValue, type KvMacKeys } from "./kv-authentication";
import { storageCall, StoredValueCorrupt } from "./storage-fault";

/**
 * The KV directory of origins some tenant allows (`cors-origin/<origin>/<tenantId>`), which answers CORS preflights:
 * they carry no credentials, so they cannot say which tenant they are for (src/http/cors.ts). A preflight reads only
 * KV's list, which returns keys and their metadata but no values, so each entry's MAC (src/tenancy/kv-authentication.ts,
 * over the key and the value `1`) is in its metadata (Workers KV docs, "Metadata": at most 1024 bytes).
 */

const DIRECTORY_PREFIX = "cors-origin/";
/** The value every entry holds: the tenant allows that origin. */
const ENTRY_VALUE = "1";
/** Entries a preflight reads for one origin: enough that one bad entry does not hide a good one. */
const ENTRIES_READ = 10;

/** The KV key saying `tenantId` allows `origin`. */
export function allowedOriginKey(origin: string, tenantId: string): string {
  return `${DIRECTORY_PREFIX}${encodeURIComponent(origin)}/${tenantId}`;
}

/** Writes the entries of `added` (each with its MAC) and removes those of `removed`, all at once. */
export async function writeAllowedOrigins(
  kv: KVNamespace,
  keys: KvMacKeys,
  tenantId: string,
  added: readonly string[],
  removed: readonly string[],
): Promise<void> {
  const entries = await Promise.all(
    added.map(async (origin) => {
      const key = allowedOriginKey(origin, tenantId);
      return { key, mac: await authenticateKvValue(key, ENTRY_VALUE, keys) };
    }),
  );
  await storageCall("kv", () =>
    Promise.all([
      ...removed.map((origin) => kv.delete(allowedOriginKey(origin, tenantId))),
      ...entries.map(({ key, mac }) => kv.put(key, ENTRY_VALUE, { metadata: { mac } })),
    ]),
  );
}

/**
 * Whether some tenant allows `origin`: an entry whose MAC verifies. Entries that all fail are a storage fault naming
 * the first entry's tenant (whose object rewrites its entries), never "no tenant allows it" nor "allowed".
 */
export async function someTenantAllows(kv: KVNamespace, origin: string, keys: KvMacKeys): Promise<boolean> {
  const prefix = `${DIRECTORY_PREFIX}${encodeURIComponent(origin)}/`;
  const listed = await storageCall("kv", () => kv.list<{ mac?: unknown }>({ prefix, limit: ENTRIES_READ }));
  let problem: string | undefined;
  for (const entry of listed.keys) {
    const mac = entry.metadata?.mac;
    const check = typeof mac === "string" ? await verifyKvValue(entry.name, mac, keys) : { ok: false as const, problem: "no MAC" };
    if (check.ok && check.json === ENTRY_VALUE) return true;
    problem ??= check.ok ? "not the entry value" : check.problem;
  }
  const first = listed.keys[0];
  if (!first) return false;
  throw new StoredValueCorrupt(first.name.slice(prefix.length), { kind: "allowed-origins" }, problem ?? "no valid entry");
}
