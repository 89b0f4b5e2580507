import type { SnapshotPublisher } from "../snapshot-publisher";
import type { TenantLogs } from "../stores/tenant-logs";
import type { TenantRecord } from "../stores/tenant-record-store";
import type { TenantStores } from "../stores/tenant-stores";
import type { TenantKeyring } from "../tenant-keyring";
import type { AuditAction, ManagementResult, RequestActor } from "../tenant-types";

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
  /** The tenant this object holds; every method but `tenant().create` answers `no-tenant` the same way without one. */
  requireTenant(): ManagementResult<TenantRecord>;
  /** A read behind the same tenant check as every write. */
  read<T>(read: (tenant: TenantRecord) => T): ManagementResult<T>;
  /**
   * Runs a write as one transaction that also bumps the snapshot version, then publishes the snapshot. A `refuse`
   * inside rolls the whole write back and publishes nothing, so a refused request changes no state.
   */
  commit<T>(work: () => T): Promise<ManagementResult<T>>;
  /**
   * Records a management change in the transaction that makes it (call inside `commit`'s work or `runTransaction`);
   * refuses it, rolling the transaction back, when its credential is no longer current or the tenant is suspended
   * (acting-credential.ts).
   */
  audit(actor: RequestActor, action: AuditAction, objectId: string | null): void;
  /** Migrates, then republishes when the last publish is unconfirmed (publication-operations.ts); the object's start. */
  start(): Promise<void>;
}
