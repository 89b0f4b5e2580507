import { RpcTarget } from "cloudflare:workers";
import { refuse } from "../tenant-transaction";
import type { CertificateView, ManagementResult, NewSigningKey, RequestActor } from "../tenant-types";
import type { TenantContext } from "./tenant-context-type";

/** The tenant's CPIX signing keys (`signingKeys()` on the object): a certificate each, its private key sealed. */
export class SigningKeyOperations extends RpcTarget {
  readonly #context: TenantContext;

  constructor(context: TenantContext) {
    super();
    this.#context = context;
  }

  /** Stores a signing key (the route checked the certificate and that the key belongs to it), its private key sealed. */
  async create(input: NewSigningKey, actor: RequestActor): Promise<ManagementResult<CertificateView>> {
    const { requireTenant, keys, commit, audit, stores } = this.#context;
    const tenant = requireTenant();
    if (!tenant.ok) return tenant;
    const sealed = await keys.sealCpixSigningKey(tenant.value, input);
    return commit(() => {
      if (stores.signingKeys.find(input.id)) refuse({ reason: "duplicate-id", what: "signing key", id: input.id });
      stores.signingKeys.insert(input, sealed, actor.time.toISOString());
      audit(actor, "AddSigningKey", input.id);
      return stores.signingKeys.find(input.id)!;
    });
  }

  list(): ManagementResult<CertificateView[]> {
    return this.#context.read(() => this.#context.stores.signingKeys.views());
  }

  /** Deletes a signing key; the one the settings sign with is refused until the settings name another. */
  async delete(id: string, actor: RequestActor): Promise<ManagementResult<CertificateView>> {
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
}
