import { ContentKeyPublication, kvContentKeyRecordSink } from "../content-key-publication";
import { switchDelaySeconds } from "../key-seed-rules";
import { authenticatedPuts, kvMacKeys } from "../kv-authentication";
import { SnapshotPublisher, kvSnapshotSink } from "../snapshot-publisher";
import { TenantLogs } from "../stores/tenant-logs";
import type { TenantRecord } from "../stores/tenant-record-store";
import { openTenantStores } from "../stores/tenant-stores";
import { TenantKeyring } from "../tenant-keyring";
import { refuse, runTransaction } from "../tenant-transaction";
import type { AuditAction, ManagementResult, RequestActor } from "../tenant-types";
import { actingCredentialRefusal } from "./acting-credential";
import { startTenantObject } from "./publication-operations";
import type { TenantContext } from "./tenant-context-type";

// The type has a file of its own so the operation modules, publication-operations.ts among them (which this file
// calls), name it without importing this file: no import cycle.
export type { TenantContext } from "./tenant-context-type";

/** Opens the stores, keyring, publisher and logs over the object's storage; `env` reads the object's bindings per call. */
export function openTenantContext(storage: DurableObjectStorage, initialEnv: Env, env: () => Env): TenantContext {
  const sql = storage.sql;
  const stores = openTenantStores(sql, { switchDelaySeconds: switchDelaySeconds(initialEnv.DEFAULT_SEED_SWITCH_DELAY_SECONDS) });
  // Every value readers trust is written with its MAC (src/tenancy/kv-authentication.ts), under the object's bindings of the moment.
  const macKeys = () => kvMacKeys(env());
  const contentKeys = new ContentKeyPublication(
    stores.contentKeys,
    stores.contentKeyRemovals,
    authenticatedPuts(kvContentKeyRecordSink(initialEnv.SNAPSHOTS), macKeys),
    (work) => storage.transactionSync(work),
  );
  const snapshots = authenticatedPuts(kvSnapshotSink(initialEnv.SNAPSHOTS), macKeys);
  const publisher = new SnapshotPublisher(sql, stores, snapshots, storage, Date.now, contentKeys);
  const keys = new TenantKeyring(env);
  const logs = new TenantLogs(storage, stores, initialEnv.SNAPSHOTS);
  const requireTenant = (): ManagementResult<TenantRecord> => {
    const tenant = stores.tenant.read();
    return tenant ? { ok: true, value: tenant } : { ok: false, failure: { reason: "no-tenant" } };
  };
  return {
    stores,
    keys,
    publisher,
    logs,
    storage,
    env,
    requireTenant,
    read<T>(read: (tenant: TenantRecord) => T): ManagementResult<T> {
      const tenant = requireTenant();
      return tenant.ok ? { ok: true, value: read(tenant.value) } : tenant;
    },
    async commit<T>(work: () => T): Promise<ManagementResult<T>> {
      const result = runTransaction(storage, () => {
        const value = work();
        publisher.bumpVersion();
        return value;
      });
      if (result.ok) await publisher.publish();
      return result;
    },
    audit(actor: RequestActor, action: AuditAction, objectId: string | null): void {
      // Every tenant change and export is audited in its transaction, so the acting credential is checked here, where
      // no write can skip it, at the object's own clock: the instant of the write, not of the request's headers.
      const refusal = actingCredentialRefusal(stores, actor, new Date());
      if (refusal) refuse(refusal);
      logs.audit(actor, action, objectId);
    },
    start(): Promise<void> {
      return startTenantObject(this);
    },
  };
}
