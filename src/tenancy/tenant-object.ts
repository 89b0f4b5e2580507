import { DurableObject } from "cloudflare:workers";
import { ContentKeyOperations } from "./operations/content-key-operations";
import { CredentialOperations } from "./operations/credential-operations";
import { KeySeedOperations } from "./operations/key-seed-operations";
import { armDeletionAlarm } from "./operations/lifecycle-operations";
import { LogOperations } from "./operations/log-operations";
import { SettingsOperations } from "./operations/settings-operations";
import { SigningKeyOperations } from "./operations/signing-key-operations";
import { openTenantContext, type TenantContext } from "./operations/tenant-context";
import { TenantOperations } from "./operations/tenant-operations";
import { TrustedRequesterOperations } from "./operations/trusted-requester-operations";
import { WidevineSignerOperations } from "./operations/widevine-signer-operations";
import { eraseTenant } from "./tenant-erasure";

/**
 * One per tenant: the single writer and source of truth (docs/storage.md). Its RPC surface is one target per record
 * kind (an `RpcTarget` in `operations/`, built once here over the shared context), called in one round trip by
 * pipelining: `tenantObject(env, id).keySeeds().create(input, actor)` (src/tenancy/tenant-client.ts). Each write checks
 * the tenant, validates, commits through the stores in one SQLite transaction, then has the publisher write the
 * snapshot to KV. Every method returns a typed result, since RPC drops stacks and error classes.
 */
export class TenantObject extends DurableObject<Env> {
  readonly #context: TenantContext;
  readonly #tenant: TenantOperations;
  readonly #settings: SettingsOperations;
  readonly #keySeeds: KeySeedOperations;
  readonly #contentKeys: ContentKeyOperations;
  readonly #credentials: CredentialOperations;
  readonly #widevineSigners: WidevineSignerOperations;
  readonly #signingKeys: SigningKeyOperations;
  readonly #trustedRequesters: TrustedRequesterOperations;
  readonly #logs: LogOperations;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#context = openTenantContext(ctx.storage, env, () => this.env);
    this.#tenant = new TenantOperations(this.#context);
    this.#settings = new SettingsOperations(this.#context);
    this.#keySeeds = new KeySeedOperations(this.#context);
    this.#contentKeys = new ContentKeyOperations(this.#context);
    this.#credentials = new CredentialOperations(this.#context);
    this.#widevineSigners = new WidevineSignerOperations(this.#context);
    this.#signingKeys = new SigningKeyOperations(this.#context);
    this.#trustedRequesters = new TrustedRequesterOperations(this.#context);
    this.#logs = new LogOperations(this.#context);
    ctx.blockConcurrencyWhile(() => this.#context.start());
  }

  /** The tenant itself: creation, metadata, lifecycle, its snapshot and republishing, its data key and CPIX URL secret. */
  tenant(): TenantOperations {
    return this.#tenant;
  }

  settings(): SettingsOperations {
    return this.#settings;
  }

  keySeeds(): KeySeedOperations {
    return this.#keySeeds;
  }

  contentKeys(): ContentKeyOperations {
    return this.#contentKeys;
  }

  credentials(): CredentialOperations {
    return this.#credentials;
  }

  widevineSigners(): WidevineSignerOperations {
    return this.#widevineSigners;
  }

  signingKeys(): SigningKeyOperations {
    return this.#signingKeys;
  }

  trustedRequesters(): TrustedRequesterOperations {
    return this.#trustedRequesters;
  }

  /** Issuance and audit records; `logs().append` is on every acquisition's commit path. */
  logs(): LogOperations {
    return this.#logs;
  }

  /**
   * Erases the tenant once its deletion is due; otherwise retries a publish whose KV write failed, then re-arms for a
   * pending deletion (the object has one alarm, which a publish retry may have taken).
   */
  override async alarm(): Promise<void> {
    const tenant = this.#context.stores.tenant.read();
    if (tenant?.deleteAt !== undefined && Date.now() >= Date.parse(tenant.deleteAt)) {
      // Nothing else runs meanwhile: a resume landing between the KV deletes and deleteAll would lose a resumed tenant.
      // A run cut short (blockConcurrencyWhile's time limit) resets the object; the alarm retries and deletes the rest.
      await this.ctx.blockConcurrencyWhile(async () => {
        await eraseTenant(this.#context, tenant.id);
        // Empty tables again, so this instance answers "no tenant" like a fresh one rather than failing on dropped tables.
        await this.#context.start();
      });
      return;
    }
    await this.#context.publisher.retry();
    if (tenant?.deleteAt !== undefined) await armDeletionAlarm(this.ctx.storage, tenant.deleteAt);
  }
}
