import { fromBase64 } from "../domain/bytes";
import { KeyIdFilter } from "./content-key-filter";
import { sealedKeyVersion } from "./envelope";
import { verifyKvValue, type KvMacKeys } from "./kv-authentication";
import {
  SNAPSHOT_FORMAT,
  contentKeyRecordKey,
  snapshotKey,
  type ContentKeyRecord,
  type RepublishTarget,
  type TenantSnapshot,
} from "./snapshot";
import { StoredValueCorrupt } from "./storage-fault";

/**
 * The read path's checks of what it reads from KV (docs/storage.md §Authenticated KV values): the MAC first, then the
 * JSON, then every part a reader relies on. Any failure is a StoredValueCorrupt (503, and the object is asked to write
 * the value again), never "absent": a snapshot read as absent would refuse the tenant, and a missing part of one would
 * be read as "derive" (the membership filter) or "no setting".
 */

/** Only the MAC'd bytes are parsed; a value that fails any check names the check, never its content. */
async function verifiedJson(tenantId: string, target: RepublishTarget, kvKey: string, value: string, keys: KvMacKeys): Promise<unknown> {
  const check = await verifyKvValue(kvKey, value, keys);
  if (!check.ok) throw new StoredValueCorrupt(tenantId, target, check.problem);
  try {
    return JSON.parse(check.json);
  } catch {
    throw new StoredValueCorrupt(tenantId, target, "not JSON");
  }
}

/** The snapshot read at `tenant/<tenantId>/snapshot`, verified and checked; throws StoredValueCorrupt. */
export async function readSnapshotValue(tenantId: string, value: string, keys: KvMacKeys): Promise<TenantSnapshot> {
  const target: RepublishTarget = { kind: "snapshot" };
  const snapshot = await verifiedJson(tenantId, target, snapshotKey(tenantId), value, keys);
  const problem = snapshotProblem(snapshot, tenantId);
  if (problem) throw new StoredValueCorrupt(tenantId, target, problem);
  return snapshot as TenantSnapshot;
}

/** A stored content key's record at `tenant/<tenantId>/content-key/<kid>`, verified and checked; throws StoredValueCorrupt. */
export async function readContentKeyRecordValue(tenantId: string, kid: string, value: string, keys: KvMacKeys): Promise<ContentKeyRecord> {
  const target: RepublishTarget = { kind: "content-key", kid };
  const record = await verifiedJson(tenantId, target, contentKeyRecordKey(tenantId, kid), value, keys);
  const problem = !isObject(record)
    ? "not an object"
    : typeof record.sealedValue !== "string" || sealedKeyVersion(record.sealedValue) === undefined
      ? "sealedValue missing"
      : record.iv !== undefined && (typeof record.iv !== "string" || fromBase64(record.iv)?.length !== 16)
        ? "iv is not 16 bytes of base64"
        : undefined;
  if (problem) throw new StoredValueCorrupt(tenantId, target, problem);
  return record as unknown as ContentKeyRecord;
}

/** What makes a parsed snapshot unusable, or undefined. A MAC'd value fails here only if a writer was wrong. */
export function snapshotProblem(snapshot: unknown, tenantId: string): string | undefined {
  if (!isObject(snapshot)) return "not an object";
  if (snapshot.format !== SNAPSHOT_FORMAT) return `format ${String(snapshot.format)} is not ${SNAPSHOT_FORMAT}`;
  if (snapshot.tenantId !== tenantId) return "tenantId is not the key's";
  if (!Number.isSafeInteger(snapshot.version) || !Number.isSafeInteger(snapshot.dataKeyVersion)) return "version missing";
  if (typeof snapshot.name !== "string" || typeof snapshot.wrappedDataKey !== "string") return "name or wrappedDataKey missing";
  if (!Array.isArray(snapshot.credentials)) return "credentials missing";
  if (!isObject(snapshot.seeds) || !isObject(snapshot.settings)) return "seeds or settings missing";
  const defaultSeed = snapshot.defaultSeed;
  if (!isObject(defaultSeed) || typeof defaultSeed.current !== "string") return "defaultSeed missing";
  return contentKeysProblem(snapshot.contentKeys);
}

/** Stored-key membership is mandatory: without it every stored KID would be answered with the derived key. */
function contentKeysProblem(contentKeys: unknown): string | undefined {
  if (!isObject(contentKeys)) return "contentKeys missing";
  const { count, removals, filter } = contentKeys;
  if (!Number.isSafeInteger(count) || (count as number) < 0 || !Number.isSafeInteger(removals)) return "contentKeys counters missing";
  if (count === 0) return undefined;
  const decoded = isObject(filter) ? KeyIdFilter.decode(filter as never) : undefined;
  return decoded ? undefined : "contentKeys filter missing or undecodable";
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
