import type { KeySeedValue } from "../domain/content-key";
import { KeyId } from "../domain/key-id";
import { recheckAcquisitionAccess } from "../http/access-recheck";
import type { AuthenticationKind } from "../http/app-env";
import type { LoadedTenant } from "../tenancy/loaded-tenant";
import type { IssuanceRecord } from "../tenancy/tenant-types";
import { IssuanceGroupCommit } from "./issuance-group-commit";

/** The seed an acquisition uses: `?keySeedId=` when given, else the default in force at `now`. */
export type SeedChoice =
  | { readonly ok: true; readonly seedId: string; readonly seed: KeySeedValue }
  | { readonly ok: false; readonly reason: "unknown-key-seed"; readonly keySeedId: string };

export async function chooseSeed(tenant: LoadedTenant, keySeedIdParameter: string | undefined, now: Date): Promise<SeedChoice> {
  if (keySeedIdParameter !== undefined) {
    const seedId = KeyId.parse(keySeedIdParameter)?.toString();
    const seed = seedId === undefined ? undefined : tenant.seed(seedId);
    if (!seed || seedId === undefined) return { ok: false, reason: "unknown-key-seed", keySeedId: keySeedIdParameter.slice(0, 64) };
    return { ok: true, seedId, seed: await seed };
  }
  const seedId = tenant.defaultSeedId(now);
  const seed = tenant.seed(seedId);
  if (!seed) throw new Error("the published default seed is missing from the snapshot");
  return { ok: true, seedId, seed: await seed };
}

/**
 * Records an acquisition before it is answered (never key values): resolves once the tenant object has committed the
 * records (group-committed per isolate, src/protocols/issuance-group-commit.ts) or KV has parked them; otherwise
 * throws StorageUnavailable, which the route answers as 503 with `Retry-After` in its protocol's shape, never keys
 * without a record. Throws AccessWithdrawn (src/http/access-recheck.ts) for a credential or tenant refused since
 * tenantAuth let the request in; its route group answers it.
 */
export async function recordIssuance(
  env: Env,
  executionContext: Pick<ExecutionContext, "waitUntil">,
  tenant: LoadedTenant,
  authenticatedBy: AuthenticationKind,
  record: IssuanceRecord,
): Promise<void> {
  // Every acquisition is recorded before it is answered, so access withdrawn since tenantAuth is refused here.
  const background = (refresh: Promise<unknown>) => executionContext.waitUntil(refresh);
  await recheckAcquisitionAccess(env, background, tenant.tenantId, authenticatedBy, record.credential, new Date());
  const records = issuanceRecords(record);
  return IssuanceGroupCommit.commit(env, executionContext, tenant.tenantId, records, tenant.policy.retention.logDays);
}

/**
 * The records of one acquisition: a request with many KIDs becomes several records of at most
 * MAX_KIDS_PER_ISSUANCE_RECORD KIDs each, so every record, group and page of `GET /api/Logs` stays bounded; the second
 * and later carry `part`, so usage counts the acquisition once. Each record gets its id here, so a group delivered
 * twice is stored once.
 */
export function issuanceRecords(record: IssuanceRecord): IssuanceRecord[] {
  // A content id can be as long as the body; the log keeps a bounded prefix so a group stays small.
  const contentId = record.contentId === null ? null : record.contentId.slice(0, MAX_LOGGED_CONTENT_ID_LENGTH);
  const records: IssuanceRecord[] = [];
  const stored = new Set(record.storedKids);
  const { storedKids: _all, ...rest } = record;
  for (let start = 0; start === 0 || start < record.kids.length; start += MAX_KIDS_PER_ISSUANCE_RECORD) {
    const kids = record.kids.slice(start, start + MAX_KIDS_PER_ISSUANCE_RECORD);
    const storedKids = kids.filter((kid) => stored.has(kid));
    const part = records.length + 1;
    records.push({
      ...rest,
      id: crypto.randomUUID(),
      contentId,
      kids,
      ...(storedKids.length > 0 && { storedKids }),
      ...(part > 1 && { part }),
    });
  }
  return records;
}

/** MediaPackage's ResourceId limit (MediaPackage v2 API, SpekeKeyProvider): enough for any real content id. */
const MAX_LOGGED_CONTENT_ID_LENGTH = 256;

/** Most KIDs one issuance record holds; a request with more is recorded as several records. */
export const MAX_KIDS_PER_ISSUANCE_RECORD = 1_000;
