import { DurableObject } from "cloudflare:workers";
import { signerKey } from "./snapshot";

/**
 * The global index of Widevine CENC API signer (provider) names → tenant (DESIGN.md: "A provider name is
 * unique across all tenants"). One object for the whole service, named "global": it is written only when a
 * credential is created or deleted, never on the acquisition path, which reads the KV copy it maintains.
 */
export class SignerRegistry extends DurableObject<Env> {
  readonly #sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#sql = ctx.storage.sql;
    this.#sql.exec("CREATE TABLE IF NOT EXISTS signers (provider_name TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, claimed TEXT NOT NULL)");
  }

  /** Claims a provider name for a tenant; false when another tenant (or this one) already holds it. */
  async claim(providerName: string, tenantId: string, now: string): Promise<boolean> {
    const existing = this.#sql.exec<{ tenant_id: string }>("SELECT tenant_id FROM signers WHERE provider_name = ?", providerName).toArray()[0];
    if (existing) return false;
    this.#sql.exec("INSERT INTO signers (provider_name, tenant_id, claimed) VALUES (?, ?, ?)", providerName, tenantId, now);
    await this.env.SNAPSHOTS.put(signerKey(providerName), tenantId);
    return true;
  }

  /** Releases a name the tenant holds (after its credential was deleted, or when adding it failed). */
  async release(providerName: string, tenantId: string): Promise<void> {
    const removed = this.#sql.exec("DELETE FROM signers WHERE provider_name = ? AND tenant_id = ? RETURNING provider_name", providerName, tenantId).toArray();
    if (removed.length > 0) await this.env.SNAPSHOTS.delete(signerKey(providerName));
  }
}

/** The single registry object. */
export function signerRegistry(env: Env): DurableObjectStub<SignerRegistry> {
  return env.SIGNERS.get(env.SIGNERS.idFromName("global"));
}
