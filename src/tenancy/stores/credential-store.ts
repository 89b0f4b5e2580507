import { isExpired, type AcquisitionProtocol, type CredentialScope } from "../credentials";
import type { MigrationStep } from "../schema";
import type { SnapshotCredential } from "../snapshot";
import type { CredentialView } from "../tenant-types";

/** A credential to store: only the keyed hash of its secret, never the secret (docs/storage.md §Keys and sealing). */
export interface NewCredential {
  readonly id: string;
  readonly kind: "management";
  /** Absent for the tenant's first credential, made with the tenant: it is named INITIAL_CREDENTIAL_NAME. */
  readonly name?: string;
  readonly scopes: readonly CredentialScope[];
  /** Absent: every acquisition protocol. */
  readonly protocols?: readonly AcquisitionProtocol[];
  readonly secretHash: string;
  readonly created: string;
  readonly expiresAt?: string;
}

interface CredentialRow extends Record<string, SqlStorageValue> {
  id: string;
  name: string;
  scopes: string;
  secret_hash: string;
  created: string;
  expires_at: string | null;
  /** JSON array of AcquisitionProtocol; NULL when the credential is not limited (every row before migration 8). */
  protocols: string | null;
}

/** The name of a tenant's first credential, and of credentials stored before names existed. */
export const INITIAL_CREDENTIAL_NAME = "Management key";

const CREDENTIAL_COLUMNS = "id, name, scopes, secret_hash, created, expires_at, protocols";

/** The `credentials` table: a revoked credential keeps its row (with `revoked` set) until the log retention passes. */
export class CredentialStore {
  static readonly migrations: readonly MigrationStep[] = [
    {
      version: 1,
      sql:
        `CREATE TABLE credentials (id TEXT PRIMARY KEY, kind TEXT NOT NULL, scopes TEXT NOT NULL, ` +
        `secret_hash TEXT NOT NULL, created TEXT NOT NULL, revoked TEXT)`,
    },
    // Tenant-managed credentials (`/api/Credentials`): a name, and an optional instant from which it is refused.
    { version: 4, sql: `ALTER TABLE credentials ADD COLUMN name TEXT NOT NULL DEFAULT '${INITIAL_CREDENTIAL_NAME}'` },
    { version: 4, sql: "ALTER TABLE credentials ADD COLUMN expires_at TEXT" },
    // The acquisition protocols a credential may speak (issue 24); existing rows keep NULL: every protocol.
    { version: 8, sql: "ALTER TABLE credentials ADD COLUMN protocols TEXT" },
  ];

  readonly #sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
  }

  insert(credential: NewCredential): void {
    this.#sql.exec(
      "INSERT INTO credentials (id, kind, name, scopes, secret_hash, created, expires_at, protocols) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      credential.id,
      credential.kind,
      credential.name ?? INITIAL_CREDENTIAL_NAME,
      JSON.stringify(credential.scopes),
      credential.secretHash,
      credential.created,
      credential.expiresAt ?? null,
      credential.protocols === undefined ? null : JSON.stringify(credential.protocols),
    );
  }

  /** Credentials not revoked, oldest first, as the snapshot carries them (expired ones too: readers check the instant). */
  active(): SnapshotCredential[] {
    return this.#rows().map((row) => ({
      id: row.id,
      scopes: JSON.parse(row.scopes) as CredentialScope[],
      hash: row.secret_hash,
      ...(row.expires_at !== null && { expiresAt: row.expires_at }),
      ...(row.protocols !== null && { protocols: JSON.parse(row.protocols) as AcquisitionProtocol[] }),
    }));
  }

  /** Credentials not revoked, oldest first, as the Management API lists them: never a secret or hash. */
  views(): CredentialView[] {
    return this.#rows().map(toView);
  }

  /** A credential not revoked, or undefined. */
  find(id: string): CredentialView | undefined {
    const row = this.#sql
      .exec<CredentialRow>(`SELECT ${CREDENTIAL_COLUMNS} FROM credentials WHERE id = ? AND revoked IS NULL`, id)
      .toArray()[0];
    return row && toView(row);
  }

  /** How many credentials are not revoked. */
  count(): number {
    return this.#sql.exec<{ n: number }>("SELECT count(*) AS n FROM credentials WHERE revoked IS NULL").one().n;
  }

  /** How many credentials other than `exceptId` could still manage the tenant at `now`: not revoked, not expired, `manage`. */
  usableManageCount(now: Date, exceptId: string): number {
    return this.views().filter((view) => view.id !== exceptId && view.scopes.includes("manage") && !isExpired(view.expiresAt, now)).length;
  }

  /** Revokes a credential: it leaves the snapshot, so every reader refuses it once it holds the new snapshot. */
  revoke(id: string, now: string): void {
    this.#sql.exec("UPDATE credentials SET revoked = ? WHERE id = ? AND revoked IS NULL", now, id);
  }

  /** Forgets revoked credentials revoked before `cutoff` (their audit records age out alike). */
  pruneRevokedBefore(cutoff: string): void {
    this.#sql.exec("DELETE FROM credentials WHERE revoked IS NOT NULL AND revoked < ?", cutoff);
  }

  #rows(): CredentialRow[] {
    return this.#sql
      .exec<CredentialRow>(`SELECT ${CREDENTIAL_COLUMNS} FROM credentials WHERE revoked IS NULL ORDER BY created, id`)
      .toArray();
  }
}

function toView(row: CredentialRow): CredentialView {
  return {
    id: row.id,
    name: row.name,
    scopes: JSON.parse(row.scopes) as CredentialScope[],
    created: row.created,
    expiresAt: row.expires_at,
    protocols: row.protocols === null ? null : (JSON.parse(row.protocols) as AcquisitionProtocol[]),
  };
}
