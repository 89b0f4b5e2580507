import { RpcTarget } from "cloudflare:workers";
import { refuse } from "../tenant-transaction";
import type { CertificateView, ManagementResult, NewCertificate, RequestActor } from "../tenant-types";
import type { TenantContext } from "./tenant-context-type";

/** The requesters whose signed CPIX requests the tenant trusts (`trustedRequesters()` on the object): a certificate each. */
export class TrustedRequesterOperations extends RpcTarget {
  readonly #context: TenantContext;

  constructor(context: TenantContext) {
    super();
    this.#context = context;
  }

  async create(input: NewCertificate, actor: RequestActor): Promise<ManagementResult<CertificateView>> {
    const { requireTenant, commit, audit, stores } = this.#context;
    const tenant = requireTenant();
    if (!tenant.ok) return tenant;
    return commit(() => {
      if (stores.trustedRequesters.isTaken(input.id, input.fingerprint)) {
        refuse({ reason: "duplicate-id", what: "trusted requester (Id or certificate)", id: input.id });
      }
      stores.trustedRequesters.insert(input, actor.time.toISOString());
      audit(actor, "AddTrustedRequester", input.id);
      return stores.trustedRequesters.find(input.id)!;
    });
  }

  list(): ManagementResult<CertificateView[]> {
    return this.#context.read(() => this.#context.stores.trustedRequesters.views());
  }

  async delete(id: string, actor: RequestActor): Promise<ManagementResult<CertificateView>> {
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
}
