import { DurableObject } from "cloudflare:workers";

/** Keys per page when listing KV (Cloudflare KV `list()` returns at most 1000 keys per call). */
const KV_LIST_PAGE = 1000;
/** A tenant's snapshot key, `tenant/<tenantId>/snapshot` (src/tenancy/snapshot.ts `snapshotKey`). */
const SNAPSHOT_KEY = /^tenant\/([^/]+)\/snapshot$/;

/** One tenant as the Operator API lists it (`GET /admin/tenants`). */
export interface ListedTenant {
  readonly tenantId: string;
  readonly name: string;
  /** When the directory listed it: its creation for tenants created since the directory exists. */
  readonly created: string;
  readonly suspended: boolean;
}

/** One page of the listing, in id order; `cursor` (the last id) is present when more tenants follow. */
export interface TenantPage {
  readonly items: readonly ListedTenant[];
  readonly cursor?: string;
}

/**
 * The deployment's restore key as the directory keeps it (docs/storage.md §Tenant directory, docs/backup.md): the
 * restore certificate and its PKCS #8 private key sealed under the key-encryption key (src/tenancy/envelope.ts,
 * purpose "restore-key"), so a copy of the object's storage alone opens no backup.
 */
export interface StoredRestoreKey {
  readonly certificateDer: Uint8Array;
  readonly sealedPrivateKey: string;
  readonly created: string;
}

/** The next tenants a KEK rotation visits, or that the directory is still listing the tenants older than itself. */
export type DirectoryBatch =
  | { readonly indexing: true; readonly remaining: number }
  | { readonly indexing: false; readonly tenantIds: string[]; readonly remaining: number };

/**
 * The list of every tenant (docs/storage.md §Tenant directory): one object for the service, named "global". The
 * Operator API adds a tenant id here before it creates the tenant's object, so no tenant exists that the directory
 * does not list; tenants created before the directory existed are listed once from their snapshot keys in KV. For
 * each tenant it records the key-encryption key version its data key was last confirmed wrapped under, so a rotation
 * knows exactly which tenants remain. It is never on the acquisition path.
 */
export class TenantDirectory extends DurableObject<Env> {
  readonly #sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#sql = ctx.storage.sql;
    this.#sql.exec(`CREATE TABLE IF NOT EXISTS tenants (id TEXT PRIMARY KEY, listed TEXT NOT NULL, key_version INTEGER)`);
    this.#sql.exec("CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)");
    // One row at most: a deployment has one restore key (issue 29).
    this.#sql.exec(
      "CREATE TABLE IF NOT EXISTS restore_key (id INTEGER PRIMARY KEY CHECK (id = 1), certificate BLOB NOT NULL, sealed_private_key TEXT NOT NULL, created TEXT NOT NULL)",
    );
    // Name and suspension for the Operator API's listing (issue 28), added to directories created before it.
    if (this.#meta("listing_columns") !== "1") {
      ctx.storage.transactionSync(() => {
        this.#sql.exec("ALTER TABLE tenants ADD COLUMN name TEXT NOT NULL DEFAULT ''");
        this.#sql.exec("ALTER TABLE tenants ADD COLUMN suspended INTEGER NOT NULL DEFAULT 0");
        this.#setMeta("listing_columns", "1");
      });
    }
  }

  /** Lists a tenant about to be created; call before creating its object. */
  add(tenantId: string, now: string, name = ""): void {
    this.#sql.exec("INSERT INTO tenants (id, listed, name) VALUES (?, ?, ?) ON CONFLICT(id) DO NOTHING", tenantId, now, name);
  }

  /** Records a tenant's name and suspension as its object now holds them (the object is their source of truth). */
  describe(tenantId: string, name: string, suspended: boolean): void {
    this.#sql.exec("UPDATE tenants SET name = ?, suspended = ? WHERE id = ?", name, suspended ? 1 : 0, tenantId);
  }

  /** Forgets a tenant whose object and KV records were erased. */
  remove(tenantId: string): void {
    this.#sql.exec("DELETE FROM tenants WHERE id = ?", tenantId);
  }

  /** Up to `limit` tenants in id order after `after`; finishes listing the tenants older than the directory first. */
  async list(after: string | null, limit: number, now: string): Promise<TenantPage> {
    while (this.#meta("backfill_complete") !== "1") await this.#backfillPage(now);
    const rows = this.#sql
      .exec<{ id: string; name: string; listed: string; suspended: number }>(
        "SELECT id, name, listed, suspended FROM tenants WHERE id > ? ORDER BY id LIMIT ?",
        after ?? "",
        limit + 1,
      )
      .toArray();
    const items = rows
      .slice(0, limit)
      .map((row) => ({ tenantId: row.id, name: row.name, created: row.listed, suspended: row.suspended === 1 }));
    return rows.length > limit ? { items, cursor: items[items.length - 1]!.tenantId } : { items };
  }

  /**
   * Up to `limit` tenants whose data key is not yet confirmed under `keyVersion`, in id order after `after`, and how
   * many such tenants there are in all. While the tenants older than the directory are still being listed, lists one
   * more page of them instead (bounded work per call).
   */
  async nextBatch(keyVersion: number, after: string | null, limit: number, now: string): Promise<DirectoryBatch> {
    if (this.#meta("backfill_complete") !== "1") {
      await this.#backfillPage(now);
      if (this.#meta("backfill_complete") !== "1") return { indexing: true, remaining: this.#remaining(keyVersion) };
    }
    const tenantIds = this.#sql
      .exec<{ id: string }>(
        "SELECT id FROM tenants WHERE (key_version IS NULL OR key_version != ?) AND id > ? ORDER BY id LIMIT ?",
        keyVersion,
        after ?? "",
        limit,
      )
      .toArray()
      .map((row) => row.id);
    return { indexing: false, tenantIds, remaining: this.#remaining(keyVersion) };
  }

  /** Answers `nonce` back through a SQLite query: `GET /admin/health`'s Durable Object round trip (src/admin/health-checks.ts). */
  healthProbe(nonce: string): string {
    return this.#sql.exec<{ nonce: string }>("SELECT ? AS nonce", nonce).one().nonce;
  }

  /** Records tenants whose data key is now wrapped under `keyVersion`; answers how many remain. */
  confirm(tenantIds: readonly string[], keyVersion: number): { remaining: number } {
    this.ctx.storage.transactionSync(() => {
      for (const id of tenantIds) this.#sql.exec("UPDATE tenants SET key_version = ? WHERE id = ?", keyVersion, id);
    });
    return { remaining: this.#remaining(keyVersion) };
  }

  /** The deployment's restore key, or null before the first one is kept. */
  restoreKey(): StoredRestoreKey | null {
    const row = this.#sql
      .exec<{ certificate: ArrayBuffer; sealed_private_key: string; created: string }>(
        "SELECT certificate, sealed_private_key, created FROM restore_key WHERE id = 1",
      )
      .toArray()[0];
    return row ? { certificateDer: new Uint8Array(row.certificate), sealedPrivateKey: row.sealed_private_key, created: row.created } : null;
  }

  /**
   * Keeps `candidate` as the deployment's restore key unless one is kept already, and answers the one kept: of two
   * first calls made at once, both get the key of the one that reached the object first (the object runs one at a time).
   */
  keepRestoreKey(candidate: StoredRestoreKey): StoredRestoreKey {
    this.#sql.exec(
      "INSERT INTO restore_key (id, certificate, sealed_private_key, created) VALUES (1, ?, ?, ?) ON CONFLICT(id) DO NOTHING",
      candidate.certificateDer,
      candidate.sealedPrivateKey,
      candidate.created,
    );
    return this.restoreKey()!;
  }

  /** Replaces the sealed private key by the same key sealed under another KEK version, if it is still `previous`. */
  resealRestoreKey(previous: string, resealed: string): boolean {
    return (
      this.#sql.exec("UPDATE restore_key SET sealed_private_key = ? WHERE id = 1 AND sealed_private_key = ?", resealed, previous)
        .rowsWritten === 1
    );
  }

  /** Lists one page of `tenant/<id>/snapshot` keys into the directory; marks the listing complete after the last page. */
  async #backfillPage(now: string): Promise<void> {
    const cursor = this.#meta("backfill_cursor");
    const page = await this.env.SNAPSHOTS.list({ prefix: "tenant/", limit: KV_LIST_PAGE, ...(cursor !== undefined && { cursor }) });
    this.ctx.storage.transactionSync(() => {
      for (const { name } of page.keys) {
        const tenantId = SNAPSHOT_KEY.exec(name)?.[1];
        if (tenantId !== undefined) this.add(tenantId, now);
      }
      if (page.list_complete) this.#setMeta("backfill_complete", "1");
      else this.#setMeta("backfill_cursor", page.cursor);
    });
  }

  #remaining(keyVersion: number): number {
    return this.#sql
      .exec<{ n: number }>("SELECT count(*) AS n FROM tenants WHERE key_version IS NULL OR key_version != ?", keyVersion)
      .one().n;
  }

  #meta(name: string): string | undefined {
    return this.#sql.exec<{ value: string }>("SELECT value FROM meta WHERE name = ?", name).toArray()[0]?.value;
  }

  #setMeta(name: string, value: string): void {
    this.#sql.exec("INSERT INTO meta (name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value", name, value);
  }
}

/** The single directory object. */
export function tenantDirectory(env: Env): DurableObjectStub<TenantDirectory> {
  return env.TENANT_DIRECTORY.get(env.TENANT_DIRECTORY.idFromName("global"));
}
