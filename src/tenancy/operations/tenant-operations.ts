import { withHarmonicConfiguration, type HarmonicConfiguration, type TenantSettings } from "../settings";
import { harmonicConfiguration, resolveTenantPolicy } from "../tenant-policy";
import type { TenantSnapshot } from "../snapshot";
import { provisionTenant } from "../tenant-provision";
import { refuse } from "../tenant-transaction";
import { OPERATOR_ACTOR, type ManagementResult, type RequestActor, type TenantCreated, type TenantMetadata } from "../tenant-types";
import type { TenantContext } from "./tenant-context-type";

/** The Operator API route that creates tenants (src/admin/tenants.ts): the request path of a new tenant's audit records. */
const TENANT_CREATION_PATH = "/admin/tenants";

/** The tenant itself: its creation, metadata, settings and the snapshot it publishes. */
export class TenantOperations {
  readonly #context: TenantContext;

  constructor(context: TenantContext) {
    this.#context = context;
  }

  async create(input: { tenantId: string; name: string; now: string }): Promise<ManagementResult<TenantCreated>> {
    const { keys, commit, audit, stores } = this.#context;
    if (stores.tenant.read()) return { ok: false, failure: { reason: "tenant-exists" } };
    const { tenant, credential, seed, managementKey, dataKey } = await provisionTenant(keys, input);
    const result = await commit(() => {
      // Another createTenant may have committed while this one awaited its keys.
      if (stores.tenant.read()) refuse({ reason: "tenant-exists" });
      stores.tenant.create(tenant);
      stores.credentials.insert(credential);
      stores.seeds.insert(seed);
      stores.seeds.startWithDefault(seed.id);
      const operator = { credentialId: OPERATOR_ACTOR, requestPath: TENANT_CREATION_PATH, time: input.now };
      audit(operator, "AddCredential", credential.id);
      audit(operator, "AddKeySeed", seed.id);
      return { tenantId: tenant.id, managementKey, credentialId: credential.id, keySeedId: seed.id };
    });
    if (result.ok) keys.remember(tenant.wrappedDataKey, dataKey);
    return result;
  }

  metadata(now: string): ManagementResult<TenantMetadata> {
    const { stores, publisher } = this.#context;
    return this.#context.read(({ id: tenantId, name, created }) => ({
      tenantId,
      name,
      created,
      keySeedCount: stores.seeds.count(),
      defaultKeySeedId: stores.seeds.effectiveDefault(new Date(now)),
      snapshotVersion: publisher.version(),
    }));
  }

  settings(): ManagementResult<TenantSettings> {
    return this.#context.read(() => this.#context.stores.settings.read());
  }

  async putSettings(settings: TenantSettings, actor: RequestActor): Promise<ManagementResult<TenantSettings>> {
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
   * Replaces the Harmonic configuration (Axinom Key Service docs, Harmonic): `EncryptContentKeys` only with
   * `RequireSignatures`, and `RequireSignatures` only while `SigningKeyId` names a signing key to sign answers with.
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

  snapshot(): ManagementResult<TenantSnapshot> {
    const tenant = this.#context.requireTenant();
    if (!tenant.ok) return tenant;
    // createTenant writes the tenant and its default switch in one transaction, so a tenant always has a snapshot.
    return { ok: true, value: this.#context.publisher.build()! };
  }
}
