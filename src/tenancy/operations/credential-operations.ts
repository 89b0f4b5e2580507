import { RpcTarget } from "cloudflare:workers";
import { MAX_CREDENTIALS_PER_TENANT, generateSecret, hashSecret, isExpired } from "../credentials";
import type { TenantRecord } from "../stores/tenant-record-store";
import { refuse } from "../tenant-transaction";
import type { CredentialIssued, CredentialView, ManagementResult, NewTenantCredential, RequestActor } from "../tenant-types";
import type { TenantContext } from "./tenant-context-type";

/** The tenant's management and acquisition credentials (`credentials()` on the object), and the operator's recovery credential. */
export class CredentialOperations extends RpcTarget {
  readonly #context: TenantContext;

  constructor(context: TenantContext) {
    super();
    this.#context = context;
  }

  /** Creates a credential the tenant controls, at most MAX_CREDENTIALS_PER_TENANT; its secret is in this answer only. */
  async create(input: NewTenantCredential, actor: RequestActor): Promise<ManagementResult<CredentialIssued>> {
    const tenant = this.#context.requireTenant();
    if (!tenant.ok) return tenant;
    return this.#add(tenant.value, input, actor, true);
  }

  /** Credentials not revoked, oldest first: never a secret or hash. */
  list(): ManagementResult<CredentialView[]> {
    return this.#context.read(() => this.#context.stores.credentials.views());
  }

  get(id: string): ManagementResult<CredentialView> {
    const tenant = this.#context.requireTenant();
    if (!tenant.ok) return tenant;
    const view = this.#context.stores.credentials.find(id);
    return view ? { ok: true, value: view } : { ok: false, failure: { reason: "not-found", what: "credential", id } };
  }

  /**
   * Revokes a credential: it leaves the snapshot, so readers refuse it once they hold the new one (docs/storage.md
   * §Consistency bounds when). The tenant's last usable `manage` credential is kept, so the tenant cannot lock itself out.
   */
  async delete(id: string, actor: RequestActor): Promise<ManagementResult<CredentialView>> {
    const { requireTenant, commit, audit, stores } = this.#context;
    const tenant = requireTenant();
    if (!tenant.ok) return tenant;
    const now = actor.time;
    return commit(() => {
      const view = stores.credentials.find(id);
      if (!view) refuse({ reason: "not-found", what: "credential", id });
      const managesNow = view.scopes.includes("manage") && !isExpired(view.expiresAt, now);
      if (managesNow && stores.credentials.usableManageCount(now, id) === 0) {
        refuse({ reason: "last-manage-credential", id });
      }
      // Audited before the revocation: a credential revoking itself is checked while it is still current.
      audit(actor, "DeleteCredential", id);
      stores.credentials.revoke(id, now.toISOString());
      return view;
    });
  }

  /**
   * The operator's recovery for a tenant that lost its keys: a fresh `manage` credential. It may exceed
   * MAX_CREDENTIALS_PER_TENANT, since a tenant at the limit that lost every manage secret could not delete one.
   */
  async issueOperator(name: string, actor: RequestActor): Promise<ManagementResult<CredentialIssued>> {
    const tenant = this.#context.requireTenant();
    if (!tenant.ok) return tenant;
    return this.#add(tenant.value, { name, scopes: ["manage"] }, actor, false);
  }

  async #add(
    tenant: TenantRecord,
    input: NewTenantCredential,
    actor: RequestActor,
    enforceLimit: boolean,
  ): Promise<ManagementResult<CredentialIssued>> {
    const { keys, commit, audit, stores } = this.#context;
    const id = crypto.randomUUID();
    const secret = generateSecret();
    const secretHash = await hashSecret(secret, (await keys.dataKey(tenant)).credentialHash);
    return commit(() => {
      if (enforceLimit && stores.credentials.count() >= MAX_CREDENTIALS_PER_TENANT) {
        refuse({ reason: "credential-limit" });
      }
      refuseOutliving(stores.credentials.find(actor.credentialId)?.expiresAt ?? null, input.expiresAt);
      stores.credentials.insert({
        id,
        kind: "management",
        name: input.name,
        scopes: input.scopes,
        ...(input.protocols !== undefined && { protocols: input.protocols }),
        secretHash,
        created: actor.time.toISOString(),
        ...(input.expiresAt !== undefined && { expiresAt: input.expiresAt }),
      });
      audit(actor, "AddCredential", id);
      return { ...stores.credentials.find(id)!, secret };
    });
  }
}

/**
 * A credential expires at or before the credential that creates it (issue 24): one that expires in 3 s could
 * otherwise make one that never does. The operator's recovery credential and the tenant's first one have no creator
 * among the tenant's credentials.
 */
function refuseOutliving(creatorExpiresAt: string | null, expiresAt: string | undefined): void {
  if (creatorExpiresAt === null) return;
  if (expiresAt === undefined || Date.parse(expiresAt) > Date.parse(creatorExpiresAt)) {
    refuse({ reason: "expiry-after-creator", creatorExpiresAt });
  }
}
