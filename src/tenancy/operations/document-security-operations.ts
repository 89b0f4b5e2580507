import { randomBytes } from "../../runtime/random";
import { CPIX_URL_SECRET_LENGTH } from "../stores/cpix-url-secret-store";
import type { TenantRecord } from "../stores/tenant-record-store";
import { refuse, runTransaction } from "../tenant-transaction";
import type { CertificateView, ManagementResult, NewCertificate, NewSigningKey, RequestActor } from "../tenant-types";
import type { TenantContext } from "./tenant-context-type";

/** What secures CPIX documents and URLs: the tenant's signing keys, its trusted requesters and its CPIX URL secret. */
export class DocumentSecurityOperations {
  readonly #context: TenantContext;

  constructor(context: TenantContext) {
    this.#context = context;
  }

  async addSigningKey(input: NewSigningKey, now: string, actor: RequestActor): Promise<ManagementResult<CertificateView>> {
    const { requireTenant, keys, commit, audit, stores } = this.#context;
    const tenant = requireTenant();
    if (!tenant.ok) return tenant;
    const sealed = await keys.sealCpixSigningKey(tenant.value, input);
    return commit(() => {
      if (stores.signingKeys.find(input.id)) refuse({ reason: "duplicate-id", what: "signing key", id: input.id });
      stores.signingKeys.insert(input, sealed, now);
      audit(actor, "AddSigningKey", input.id);
      return stores.signingKeys.find(input.id)!;
    });
  }

  listSigningKeys(): ManagementResult<CertificateView[]> {
    return this.#context.read(() => this.#context.stores.signingKeys.views());
  }

  async deleteSigningKey(id: string, actor: RequestActor): Promise<ManagementResult<CertificateView>> {
    const { requireTenant, commit, audit, stores } = this.#context;
    const tenant = requireTenant();
    if (!tenant.ok) return tenant;
    return commit(() => {
      const view = stores.signingKeys.find(id);
      if (!view) refuse({ reason: "not-found", what: "signing key", id });
      if (stores.settings.policy().documentSecurity.signingKeyId === id) {
        refuse({ reason: "signing-key-in-use", id });
      }
      stores.signingKeys.delete(id);
      audit(actor, "DeleteSigningKey", id);
      return view;
    });
  }

  async addTrustedRequester(input: NewCertificate, now: string, actor: RequestActor): Promise<ManagementResult<CertificateView>> {
    const { requireTenant, commit, audit, stores } = this.#context;
    const tenant = requireTenant();
    if (!tenant.ok) return tenant;
    return commit(() => {
      if (stores.trustedRequesters.isTaken(input.id, input.fingerprint)) {
        refuse({ reason: "duplicate-id", what: "trusted requester (Id or certificate)", id: input.id });
      }
      stores.trustedRequesters.insert(input, now);
      audit(actor, "AddTrustedRequester", input.id);
      return stores.trustedRequesters.find(input.id)!;
    });
  }

  listTrustedRequesters(): ManagementResult<CertificateView[]> {
    return this.#context.read(() => this.#context.stores.trustedRequesters.views());
  }

  async deleteTrustedRequester(id: string, actor: RequestActor): Promise<ManagementResult<CertificateView>> {
    const { requireTenant, commit, audit, stores } = this.#context;
    const tenant = requireTenant();
    if (!tenant.ok) return tenant;
    return commit(() => {
      const view = stores.trustedRequesters.find(id);
      if (!view) refuse({ reason: "not-found", what: "trusted requester", id });
      stores.trustedRequesters.delete(id);
      audit(actor, "DeleteTrustedRequester", id);
      return view;
    });
  }

  async prepareCpixUrl(contentId: string, expiresAt: string, actor: RequestActor): Promise<ManagementResult<{ secretId: string }>> {
    const { requireTenant, storage, commit, audit, stores } = this.#context;
    const tenant = requireTenant();
    if (!tenant.ok) return tenant;
    const objectId = `${contentId} until ${expiresAt}`;
    const existing = stores.cpixUrlSecrets.currentId();
    if (existing !== undefined) {
      // Nothing the snapshot carries changes, so the record commits without a publish.
      return runTransaction(storage, () => {
        audit(actor, "IssueCpixUrl", objectId);
        return { secretId: existing };
      });
    }
    const fresh = await this.#newCpixUrlSecret(tenant.value);
    return commit(() => {
      // Another request may have made the secret while this one sealed its own: sign with the one in use.
      const current = stores.cpixUrlSecrets.currentId();
      if (current === undefined) stores.cpixUrlSecrets.replace(fresh.id, fresh.sealed, actor.time);
      audit(actor, "IssueCpixUrl", objectId);
      return { secretId: current ?? fresh.id };
    });
  }

  async rotateCpixUrlSecret(actor: RequestActor): Promise<ManagementResult<{ secretId: string }>> {
    const { requireTenant, commit, audit, stores } = this.#context;
    const tenant = requireTenant();
    if (!tenant.ok) return tenant;
    const fresh = await this.#newCpixUrlSecret(tenant.value);
    return commit(() => {
      stores.cpixUrlSecrets.replace(fresh.id, fresh.sealed, actor.time);
      audit(actor, "RotateCpixUrlSecret", fresh.id);
      return { secretId: fresh.id };
    });
  }

  async #newCpixUrlSecret(tenant: TenantRecord): Promise<{ id: string; sealed: string }> {
    const id = crypto.randomUUID();
    const secret = randomBytes(CPIX_URL_SECRET_LENGTH);
    try {
      return { id, sealed: await this.#context.keys.sealCpixUrlSecret(tenant, id, secret) };
    } finally {
      secret.fill(0);
    }
  }
}
