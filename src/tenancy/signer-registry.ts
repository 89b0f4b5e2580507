import { DurableObject } from "cloudflare:workers";
import { signerKey } from "./snapshot";
import { faultMappedStub } from "./fault-mapped-stub";

/**
 * The global index of Widevine CENC API signer (provider) names → tenant (a provider name is unique across
 * all tenants: the signer in a request names only itself, so it must find exactly one tenant). One object for the whole service, named "global": it is written only when a
 * credential is created or deleted, never on the acquisition path, which reads the KV copy it maintains.
 * KV writes run one at a time and each writes what SQL holds when it runs, so the KV index cannot end on a
 * state older than the table's.
 */
export class SignerRegistry extends DurableObject<Env> {
  readonly #sql: SqlStorage;
  #kvChain: Promise<unknown> = Promise.resolve();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#sql = ctx.storage.sql;
    this.#sql.exec("CREATE TABLE IF NOT EXISTS signers (provider_name TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, claimed TEXT NOT NULL)");
  }

  /**
   * Claims a provider name for a tenant: true when it is free or already this tenant's (so a retry after a
   * failure between claim and credential succeeds), false when another tenant holds it.
   */
  async claim(providerName: string, tenantId: string, now: string): Promise<boolean> {
    const holder = this.#holder(providerName);
    if (holder !== undefined && holder !== tenantId) return false;
    if (holder === undefined)
      this.#sql.exec("INSERT INTO signers (provider_name, tenant_id, claimed) VALUES (?, ?, ?)", providerName, tenantId, now);
    await this.#syncKv(providerName);
    return true;
  }

  /**
   * Releases a name the tenant holds. Called only by that tenant's object, when it stores no credential of that name
   * (its credential was deleted, or adding it failed), so a claim a stored credential relies on is never released.
   */
  async release(providerName: string, tenantId: string): Promise<void> {
    this.#sql.exec("DELETE FROM signers WHERE provider_name = ? AND tenant_id = ?", providerName, tenantId);
    await this.#syncKv(providerName);
  }

  #holder(providerName: string): string | undefined {
    return this.#sql.exec<{ tenant_id: string }>("SELECT tenant_id FROM signers WHERE provider_name = ?", providerName).toArray()[0]
      ?.tenant_id;
  }

  #syncKv(providerName: string): Promise<void> {
    const run = this.#kvChain.then(async () => {
      const holder = this.#holder(providerName);
      if (holder === undefined) await this.env.SNAPSHOTS.delete(signerKey(providerName));
      else await this.env.SNAPSHOTS.put(signerKey(providerName), holder);
    });
    this.#kvChain = run.catch(() => undefined);
    return run;
  }
}

/** The single registry object. */
export function signerRegistry(env: Env): DurableObjectStub<SignerRegistry> {
  return faultMappedStub(env.SIGNERS.get(env.SIGNERS.idFromName("global")), "signer-registry");
}
