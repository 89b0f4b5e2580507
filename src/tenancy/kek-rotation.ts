import type { DataKeyRewrap } from "./tenant-types";
import { tenantObject } from "./tenant-client";
import { tenantDirectory } from "./tenant-directory";

/**
 * Tenants visited per call, by default and at most. Each is one Durable Object call, a subrequest (Cloudflare Workers
 * limits: 50 subrequests per request on the Free plan), and a call stays short whatever the number of tenants.
 */
export const ROTATION_BATCH_DEFAULT = 20;
export const ROTATION_BATCH_MAX = 40;

/** Where a rotation stands after one call (the Operator API's answer). */
export interface RotationProgress {
  /** The current key-encryption key version, which every data key is being wrapped under. */
  readonly keyVersion: number;
  /** Tenants this call re-wrapped, found already wrapped under `keyVersion`, or listed but without a tenant object. */
  readonly rewrapped: number;
  readonly alreadyCurrent: number;
  readonly absent: number;
  /** Tenants, in the whole directory, not yet confirmed under `keyVersion`. */
  readonly remaining: number;
  /** Pass it to the next call; null when the pass reached the last tenant (a next call starts over). */
  readonly cursor: string | null;
  /** Every tenant's data key is wrapped under `keyVersion`. */
  readonly done: boolean;
  /** Present while the directory is still listing the tenants created before it existed. */
  readonly indexing?: true;
}

/** Why a call stopped before its batch's end; the tenants before the one named are done. */
export type RotationStop =
  | { readonly reason: "other-configuration"; readonly tenantId: string; readonly objectKeyVersion: number }
  | { readonly reason: "cannot-open"; readonly tenantId: string; readonly wrappedKeyVersion: number | null; readonly problem: string };

export interface RotationBatch {
  readonly progress: RotationProgress;
  readonly stop?: RotationStop;
}

/**
 * One bounded step of a key-encryption key rotation (docs/storage.md §Rotating the key-encryption key): the next
 * tenants of the directory not yet confirmed under `keyVersion` have their data key re-wrapped by their own object,
 * then are confirmed in the directory. Resumable from any cursor and idempotent: a tenant already re-wrapped counts
 * as already current. Stops at the first tenant it cannot convert, so the rotation never reports done past it.
 */
export async function rotateKeyEncryptionKeyStep(
  env: Env,
  keyVersion: number,
  request: { readonly cursor: string | null; readonly limit: number },
  now: string,
): Promise<RotationBatch> {
  const directory = tenantDirectory(env);
  const batch = await directory.nextBatch(keyVersion, request.cursor, request.limit, now);
  const counts = { rewrapped: 0, alreadyCurrent: 0, absent: 0 };
  if (batch.indexing) {
    return { progress: { keyVersion, ...counts, remaining: batch.remaining, cursor: request.cursor, done: false, indexing: true } };
  }
  const confirmed: string[] = [];
  let stop: RotationStop | undefined;
  for (const tenantId of batch.tenantIds) {
    const outcome: DataKeyRewrap = await tenantObject(env, tenantId).tenant().rewrapDataKey(keyVersion);
    switch (outcome.outcome) {
      case "rewrapped":
        counts.rewrapped++;
        break;
      case "already-current":
        counts.alreadyCurrent++;
        break;
      case "no-tenant":
        counts.absent++;
        break;
      case "other-configuration":
        stop = { reason: outcome.outcome, tenantId, objectKeyVersion: outcome.objectKeyVersion };
        break;
      case "cannot-open":
        stop = { reason: outcome.outcome, tenantId, wrappedKeyVersion: outcome.wrappedKeyVersion, problem: outcome.problem };
        break;
    }
    if (stop) break;
    confirmed.push(tenantId);
  }
  // An absent tenant is confirmed too: its object runs with `keyVersion` current, so if its creation is still in
  // flight, the data key it gets is wrapped under `keyVersion`.
  const { remaining } = await directory.confirm(confirmed, keyVersion);
  const lastDone = confirmed.at(-1) ?? request.cursor;
  const cursor = stop ? lastDone : batch.tenantIds.length < request.limit ? null : lastDone;
  return { progress: { keyVersion, ...counts, remaining, cursor, done: !stop && remaining === 0 }, ...(stop && { stop }) };
}
