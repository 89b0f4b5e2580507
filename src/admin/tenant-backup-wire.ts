import { BACKUP_CONTENT_TYPE } from "../backup/backup-document";
import { jsonError } from "../http/errors";
import type { TenantRestore } from "../tenancy/operations/backup-operations";

/** Why a backup or restore route refused, besides the envelope's own failures (backup-failure-wire.ts), as data. */
export type TenantBackupFailure =
  | Exclude<TenantRestore, { readonly outcome: "restored" }>
  /** `POST /admin/tenants/restore` with another Content-Type than BACKUP_CONTENT_TYPE. */
  | { readonly outcome: "not-backup-media-type" }
  /** A backup that would be `size` bytes, over the `limit` a restore reads: made, it could not be restored anywhere. */
  | { readonly outcome: "tenant-too-large"; readonly size: number; readonly limit: number };

/**
 * The one place the backup routes' own refusals meet the wire, in the Operator API's JSON error shape
 * (src/http/errors.ts): 415 for another media type (RFC 9110 §15.5.16), 409 for a
 * tenant or Widevine provider name this deployment holds already (§15.5.10), 422 (§15.5.21) for an authentic backup
 * the service will not restore (a newer schema, a payload that does not fit) or a tenant too large to back up. No
 * sentence carries a key, a payload byte or the document.
 */
export function tenantBackupFailureResponse(failure: TenantBackupFailure, tenantId = ""): Response {
  switch (failure.outcome) {
    case "not-backup-media-type":
      return jsonError(415, `Content-Type must be ${BACKUP_CONTENT_TYPE}`);
    case "tenant-too-large":
      return jsonError(
        422,
        `The backup would be ${failure.size} bytes, over the ${failure.limit} a restore reads: shorten LogRetentionDays`,
      );
    case "tenant-exists":
      return jsonError(409, `Tenant ${tenantId} exists in this deployment (maybe suspended or scheduled for deletion)`);
    case "provider-name-taken":
      return jsonError(409, `Widevine provider name ${failure.providerName} belongs to another tenant in this deployment`);
    case "schema-newer":
      return jsonError(
        422,
        `The backup is of schema version ${failure.backupVersion}, newer than this deployment's ${failure.deploymentVersion}: restore it into a later release`,
      );
    case "invalid-payload":
      return jsonError(422, `The backup cannot be restored: ${failure.problem}`);
  }
}
