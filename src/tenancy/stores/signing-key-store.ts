import { toBase64 } from "../../domain/bytes";
import type { MigrationStep } from "../schema";
import type { SnapshotSigningKey } from "../snapshot";
import type { CertificateView, NewSigningKey } from "../tenant-types";

interface SigningKeyRow extends Record<string, SqlStorageValue> {
  id: string;
  subject: string;
  fingerprint: string;
  not_after: string;
  certificate: string;
  sealed_private_key: string;
  created: string;
}

/** The `signing_keys` table: keys that sign this tenant's CPIX answers (CPIX 2.3 §Digital Signature). */
export class SigningKeyStore {
  static readonly migrations: readonly MigrationStep[] = [
    // The private key sealed under the data key like seeds; the certificate is public.
    {
      version: 5,
      sql:
        `CREATE TABLE signing_keys (id TEXT PRIMARY KEY, subject TEXT NOT NULL, fingerprint TEXT NOT NULL, ` +
        `not_after TEXT NOT NULL, certificate TEXT NOT NULL, sealed_private_key TEXT NOT NULL, created TEXT NOT NULL)`,
    },
  ];

  readonly #sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
  }

  insert(key: NewSigningKey, sealedPrivateKey: string, created: string): void {
    this.#sql.exec(
      "INSERT INTO signing_keys (id, subject, fingerprint, not_after, certificate, sealed_private_key, created) VALUES (?, ?, ?, ?, ?, ?, ?)",
      key.id,
      key.subject,
      key.fingerprint,
      key.notAfter,
      toBase64(key.certificateDer),
      sealedPrivateKey,
      created,
    );
  }

  delete(id: string): void {
    this.#sql.exec("DELETE FROM signing_keys WHERE id = ?", id);
  }

  /** Signing keys as the Management API lists them, oldest first: never the private key. */
  views(): CertificateView[] {
    return this.#rows().map((row) => ({
      id: row.id,
      subject: row.subject,
      fingerprint: row.fingerprint,
      notAfter: row.not_after,
      created: row.created,
    }));
  }

  find(id: string): CertificateView | undefined {
    return this.views().find((view) => view.id === id);
  }

  snapshotEntries(): SnapshotSigningKey[] {
    return this.#rows().map((row) => ({ id: row.id, certificate: row.certificate, sealedPrivateKey: row.sealed_private_key }));
  }

  #rows(): SigningKeyRow[] {
    return this.#sql.exec<SigningKeyRow>("SELECT * FROM signing_keys ORDER BY created, id").toArray();
  }
}
