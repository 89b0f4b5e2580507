import { ContentKeyPublication, kvContentKeyRecordSink } from "../content-key-publication";
import { switchDelaySeconds } from "../key-seed-rules";
import { authenticatedPuts, kvMacKeys } from "../kv-authentication";
import { SnapshotPublisher, kvSnapshotSink } from "../snapshot-publisher";
import { TenantLogs } from "../stores/tenant-logs";
import type { TenantRecord } from "../stores/tenant-record-store";
import { openTenantStores, type TenantStores } from "../stores/tenant-stores";
import { TenantKeyring } from "../tenant-keyring";
import { runTransaction } from "../tenant-transaction";
import type { AuditAction, ManagementResult, RequestActor } from "../tenant-types";
import type { RepublishTarget } from "../snapshot";
import { republishStoredValue, startTenantObject } from "./publication-operations";

/**
 * What the operation modules share, built once in the tenant object's constructor: the stores over its SQLite
 * database, the keyring, the publisher, the logs, and the helpers every write and read goes through.
 */
export interface TenantContext {
  readonly stores: TenantStores;
  readonly keys: TenantKeyring;
  readonly publisher: SnapshotPublisher;
  readonly logs: TenantLogs;
  readonly storage: DurableObjectStorage;
  /** The object's bindings, read on each use (the KEK rotation follows the bindings of the moment). */
  env(): Env;
  /** The tenant this object holds; every method but createTenant answers `no-tenant` the same way without one. */
  requireTenant(): ManagementResult<TenantRecord>;
  /** A read behind the same tenant check as every write. */
  read<T>(read: (tenant: TenantRecord) => T): ManagementResult<T>;
  /**
   * Runs a write as one transaction that also bumps the snapshot version, then publishes the snapshot. A `refuse`
   * inside rolls the whole write back and publishes nothing, so a refused request changes no state.
   */
  commit<T>(work: () => T): Promise<ManagementResult<T>>;
  /** Records a management change in the transaction that makes it (call inside `commit`'s work). */
  audit(actor: RequestActor, action: AuditAction, objectId: string | null): void;
  /** Migrates, then republishes when the last publish is unconfirmed (publication-operations.ts); the object's start. */
  start(): Promise<void>;
  /** Writes a value a reader refused again from this object's storage (publication-operations.ts). */
  republish(target: RepublishTarget): Promise<ManagementResult<{ written: boolean }>>;
}

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
  const logs = new TenantLogs(sql, stores, initialEnv.SNAPSHOTS);
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
      logs.audit(actor, action, objectId);
    },
    start(): Promise<void> {
      return startTenantObject(this);
    },
    republish(target: RepublishTarget): Promise<ManagementResult<{ written: boolean }>> {
      return republishStoredValue(this, target);
    },
  };
}
