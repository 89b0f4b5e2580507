import type { TenantRecord } from "../stores/tenant-record-store";
import type { ManagementResult, RequestActor } from "../tenant-types";
import type { TenantContext } from "./tenant-context-type";

/** How long a deleted tenant stays recoverable (`PUT {suspended: false}` cancels) before its alarm erases it (issue 28). */
export const DELETION_GRACE_MS = 7 * 24 * 60 * 60 * 1000;

/** The tenant as the Operator API's lifecycle routes answer it: no secret. */
export interface TenantLifecycleView {
  readonly tenantId: string;
  readonly name: string;
  readonly created: string;
  readonly suspended: boolean;
  /** When the tenant will be erased; present only while a deletion is pending. */
  readonly deleteAt?: string;
}

/** What `PUT /admin/tenants/{id}` asks to change; an absent field stays as it is. */
export interface TenantLifecycleChange {
  readonly name?: string;
  readonly suspended?: boolean;
}

/** The outcome of `DELETE /admin/tenants/{id}`: only a suspended tenant is scheduled. */
export type DeletionScheduling =
  { readonly outcome: "scheduled"; readonly deleteAt: string } | { readonly outcome: "not-suspended" } | { readonly outcome: "no-tenant" };

/**
 * Renames, suspends or resumes the tenant (`tenant().change`; resuming cancels a pending deletion), audited, then
 * published: every location honours a suspension once it holds the snapshot that says so (docs/storage.md §Tenant
 * lifecycle). Suspending keeps every record; only the deletion alarm erases.
 */
export async function changeTenant(
  context: TenantContext,
  change: TenantLifecycleChange,
  actor: RequestActor,
): Promise<ManagementResult<TenantLifecycleView>> {
  const { commit, audit, stores } = context;
  const tenant = context.requireTenant();
  if (!tenant.ok) return tenant;
  const before = tenant.value;
  const suspending = change.suspended === true && before.suspendedAt === undefined;
  const resuming = change.suspended === false && before.suspendedAt !== undefined;
  const renaming = change.name !== undefined && change.name !== before.name;
  if (!suspending && !resuming && !renaming) return { ok: true, value: lifecycleView(before) };
  return commit(() => {
    if (renaming) {
      stores.tenant.rename(change.name!);
      // The log names objects by id: the tenant's own, never the name given.
      audit(actor, "RenameTenant", before.id);
    }
    if (suspending) {
      stores.tenant.setSuspended(actor.time.toISOString());
      audit(actor, "SuspendTenant", before.id);
    }
    if (resuming) {
      stores.tenant.setSuspended(null);
      if (before.deleteAt !== undefined) audit(actor, "CancelTenantDeletion", before.id);
      audit(actor, "ResumeTenant", before.id);
    }
    return lifecycleView(stores.tenant.read()!);
  });
}

/**
 * Schedules the erasure of a suspended tenant `DELETION_GRACE_MS` after `actor.time` (`tenant().scheduleDeletion`)
 * and arms the alarm for it. Nothing the snapshot carries changes, so nothing is published.
 */
export async function scheduleTenantDeletion(context: TenantContext, actor: RequestActor): Promise<DeletionScheduling> {
  const { storage, audit, stores } = context;
  const tenant = stores.tenant.read();
  if (!tenant) return { outcome: "no-tenant" };
  if (tenant.suspendedAt === undefined) return { outcome: "not-suspended" };
  // A second DELETE keeps the first deadline: a repeat never extends or shortens the grace period.
  const deleteAt = tenant.deleteAt ?? new Date(actor.time.getTime() + DELETION_GRACE_MS).toISOString();
  if (tenant.deleteAt === undefined) {
    // No await since the read above: no resume can land between the check and this write.
    storage.transactionSync(() => {
      stores.tenant.scheduleDeletion(deleteAt);
      audit(actor, "ScheduleTenantDeletion", tenant.id);
    });
  }
  await armDeletionAlarm(storage, deleteAt);
  return { outcome: "scheduled", deleteAt };
}

/** Arms the alarm for `deleteAt` unless one is set earlier (a publish retry; the alarm re-arms for the deletion after it). */
export async function armDeletionAlarm(storage: DurableObjectStorage, deleteAt: string): Promise<void> {
  const armed = await storage.getAlarm();
  const at = Date.parse(deleteAt);
  if (armed === null || armed > at) await storage.setAlarm(at);
}

function lifecycleView(tenant: TenantRecord): TenantLifecycleView {
  return {
    tenantId: tenant.id,
    name: tenant.name,
    created: tenant.created,
    suspended: tenant.suspendedAt !== undefined,
    ...(tenant.deleteAt !== undefined && { deleteAt: tenant.deleteAt }),
  };
}
