import { RpcTarget } from "cloudflare:workers";
import { withHarmonicConfiguration, type HarmonicConfiguration, type TenantSettings } from "../settings";
import { harmonicConfiguration, resolveTenantPolicy } from "../tenant-policy";
import { refuse } from "../tenant-transaction";
import type { ManagementResult, RequestActor } from "../tenant-types";
import type { TenantContext } from "./tenant-context-type";

/** The tenant's settings (`settings()` on the object), the Harmonic configuration among them. */
export class SettingsOperations extends RpcTarget {
  readonly #context: TenantContext;

  constructor(context: TenantContext) {
    super();
    this.#context = context;
  }

  get(): ManagementResult<TenantSettings> {
    return this.#context.read(() => this.#context.stores.settings.read());
  }

  /** Replaces the settings as a whole (PUT semantics), keeping the two the Harmonic configuration owns. */
  async put(settings: TenantSettings, actor: RequestActor): Promise<ManagementResult<TenantSettings>> {
    const { requireTenant, commit, audit, stores } = this.#context;
    const tenant = requireTenant();
    if (!tenant.ok) return tenant;
    return commit(() => {
      if (settings.signingKeyId !== undefined && !stores.signingKeys.find(settings.signingKeyId)) {
        refuse({ reason: "unknown-signing-key", signingKeyId: settings.signingKeyId });
      }
      // /api/HarmonicConfiguration owns its two settings: a PUT of the others keeps them.
      const harmonic = harmonicConfiguration(stores.settings.policy());
      if (harmonic.harmonicRequireSignatures && settings.signingKeyId === undefined) {
        refuse({ reason: "harmonic-signs-with-it" });
      }
      stores.settings.replace(withHarmonicConfiguration(settings, harmonic));
      audit(actor, "UpdateSettings", null);
      return stores.settings.read();
    });
  }

  /**
   * Replaces the Harmonic configuration (`/api/HarmonicConfiguration`; Axinom Key Service docs, Harmonic):
   * `EncryptContentKeys` only with `RequireSignatures`, and `RequireSignatures` only while `SigningKeyId` names a
   * signing key to sign answers with.
   */
  async putHarmonicConfiguration(
    configuration: HarmonicConfiguration,
    actor: RequestActor,
  ): Promise<ManagementResult<HarmonicConfiguration>> {
    const { requireTenant, commit, audit, stores } = this.#context;
    const tenant = requireTenant();
    if (!tenant.ok) return tenant;
    return commit(() => {
      const settings = stores.settings.read();
      const signingKeyId = resolveTenantPolicy(settings).documentSecurity.signingKeyId;
      if (configuration.harmonicEncryptContentKeys && !configuration.harmonicRequireSignatures) {
        refuse({ reason: "harmonic-encryption-unsigned" });
      }
      if (configuration.harmonicRequireSignatures && (signingKeyId === undefined || !stores.signingKeys.find(signingKeyId))) {
        refuse({ reason: "harmonic-signing-key-missing" });
      }
      stores.settings.replace(withHarmonicConfiguration(settings, configuration));
      audit(actor, "UpdateSettings", "HarmonicConfiguration");
      return harmonicConfiguration(stores.settings.policy());
    });
  }
}
