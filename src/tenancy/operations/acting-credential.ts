import { isExpired } from "../credentials";
import type { TenantStores } from "../stores/tenant-stores";
import { OPERATOR_ACTOR, type ManagementFailure, type RequestActor } from "../tenant-types";

/**
 * Why the credential a tenant change or export acts with may no longer act, judged by the object at the instant it
 * writes; undefined when it may (the operator always may). tenantAuth checked the credential when the request's
 * headers arrived, but a management route reads its body after that, and a client may send the body minutes later:
 * without this second look a credential revoked or expired meanwhile, or a tenant the operator suspended meanwhile
 * (issue 28), would still change records and export seeds. The credential is looked at first, as tenantAuth does, so
 * only a holder of a current credential learns the tenant is suspended.
 */
export function actingCredentialRefusal(stores: TenantStores, actor: RequestActor, now: Date): ManagementFailure | undefined {
  if (actor.credentialId === OPERATOR_ACTOR) return undefined;
  const credential = stores.credentials.find(actor.credentialId);
  if (!credential || !credential.scopes.includes("manage") || isExpired(credential.expiresAt, now)) {
    return { reason: "credential-not-current" };
  }
  return stores.tenant.read()?.suspendedAt === undefined ? undefined : { reason: "tenant-suspended" };
}
