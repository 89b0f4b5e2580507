import type { CredentialScope } from "../credentials";
import type { MigrationStep } from "../schema";
import type { SnapshotCredential } from "../snapshot";

/** A credential to store: only the keyed hash of its secret, never the secret (docs/storage.md §Keys and sealing). */
export interface NewCredential {
  readonly id: string;
  readonly kind: "management";
  readonly scopes: readonly CredentialScope[];
  readonly secretHash: string;
  readonly created: string;
}

/** The `credentials` table. */
export class CredentialStore {
  static readonly migrations: readonly MigrationStep[] = [
    {
      version: 1,
      sql: `CREATE TABLE credentials (id TEXT PRIMARY KEY, kind TEXT NOT NULL, scopes TEXT NOT NULL,
     secret_hash TEXT NOT NULL, created TEXT NOT NULL, revoked TEXT)`,
    },
  ];

  readonly #sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
  }

  insert(credential: NewCredential): void {
    this.#sql.exec(
      "INSERT INTO credentials (id, kind, scopes, secret_hash, created) VALUES (?, ?, ?, ?, ?)",
      credential.id,
      credential.kind,
      JSON.stringify(credential.scopes),
      credential.secretHash,
      credential.created,
    );
  }

  /** Credentials not revoked, oldest first, as the snapshot carries them. */
  active(): SnapshotCredential[] {
    return this.#sql
      .exec<{ id: string; scopes: string; secret_hash: string }>(
        "SELECT id, scopes, secret_hash FROM credentials WHERE revoked IS NULL ORDER BY created, id",
      )
      .toArray()
      .map((row) => ({ id: row.id, scopes: JSON.parse(row.scopes) as CredentialScope[], hash: row.secret_hash }));
  }
}
