import type { MigrationStep } from "../schema";
import type { SnapshotCpixUrlSecret } from "../snapshot";

/** Bytes of a CPIX URL secret: the HMAC-SHA256 output length, the least key length RFC 2104 §3 recommends. */
export const CPIX_URL_SECRET_LENGTH = 32;

/** Retired secret ids kept, newest first: enough to name a rotation as the reason a URL is refused. */
const RETIRED_IDS_KEPT = 16;

/** The `meta` row that holds the secret (`meta` is created by `migrate` itself, so no schema version is needed). */
const META_NAME = "cpix_url_secret";

interface StoredCpixUrlSecret {
  readonly id: string;
  /** Sealed under the tenant data key (purpose `cpix-url-secret`). */
  readonly sealedSecret: string;
  readonly created: string;
  /** Ids of the secrets it replaced, newest first; their values are not kept. */
  readonly retiredIds: readonly string[];
}

/**
 * The HMAC-SHA256 secret that signs this tenant's CPIX URLs (`POST /api/CpixUrls`), one JSON value in the `meta`
 * table: the secret in use and the ids of those it replaced. A rotation replaces the value in one statement, so every
 * URL signed before it is refused; retired secrets are kept only as ids.
 */
export class CpixUrlSecretStore {
  static readonly migrations: readonly MigrationStep[] = [];

  readonly #sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
  }

  /** The id of the secret in use, or undefined before the first signed URL. */
  currentId(): string | undefined {
    return this.#read()?.id;
  }

  /** Retires the current secret (if any) and makes `id` the one in use. */
  replace(id: string, sealedSecret: string, now: string): void {
    const previous = this.#read();
    const value: StoredCpixUrlSecret = {
      id,
      sealedSecret,
      created: now,
      retiredIds: previous ? [previous.id, ...previous.retiredIds].slice(0, RETIRED_IDS_KEPT) : [],
    };
    this.#sql.exec(
      "INSERT INTO meta (name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value",
      META_NAME,
      JSON.stringify(value),
    );
  }

  snapshotEntry(): SnapshotCpixUrlSecret | undefined {
    const stored = this.#read();
    return stored && { id: stored.id, sealedSecret: stored.sealedSecret, retiredIds: stored.retiredIds };
  }

  #read(): StoredCpixUrlSecret | undefined {
    const value = this.#sql.exec<{ value: string }>("SELECT value FROM meta WHERE name = ?", META_NAME).toArray()[0]?.value;
    return value === undefined ? undefined : (JSON.parse(value) as StoredCpixUrlSecret);
  }
}
