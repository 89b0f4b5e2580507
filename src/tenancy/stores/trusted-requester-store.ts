import { toBase64 } from "../../domain/bytes";
import type { MigrationStep } from "../schema";
import type { CertificateView, NewCertificate } from "../tenant-types";

interface TrustedRequesterRow extends Record<string, SqlStorageValue> {
  id: string;
  subject: string;
  fingerprint: string;
  not_after: string;
  created: string;
}

/** The `trusted_requesters` table: certificates whose signed CPIX requests this tenant answers (CPIX 2.3 §Digital Signature). */
export class TrustedRequesterStore {
  static readonly migrations: readonly MigrationStep[] = [
    {
      version: 5,
      sql:
        `CREATE TABLE trusted_requesters (id TEXT PRIMARY KEY, subject TEXT NOT NULL, fingerprint TEXT NOT NULL UNIQUE, ` +
        `not_after TEXT NOT NULL, certificate TEXT NOT NULL, created TEXT NOT NULL)`,
    },
  ];

  readonly #sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
  }

  insert(requester: NewCertificate, created: string): void {
    this.#sql.exec(
      "INSERT INTO trusted_requesters (id, subject, fingerprint, not_after, certificate, created) VALUES (?, ?, ?, ?, ?, ?)",
      requester.id,
      requester.subject,
      requester.fingerprint,
      requester.notAfter,
      toBase64(requester.certificateDer),
      created,
    );
  }

  delete(id: string): void {
    this.#sql.exec("DELETE FROM trusted_requesters WHERE id = ?", id);
  }

  /** Whether a trusted requester already has this id or this certificate. */
  isTaken(id: string, fingerprint: string): boolean {
    return this.#sql.exec("SELECT id FROM trusted_requesters WHERE id = ? OR fingerprint = ?", id, fingerprint).toArray().length > 0;
  }

  views(): CertificateView[] {
    return this.#sql
      .exec<TrustedRequesterRow>("SELECT id, subject, fingerprint, not_after, created FROM trusted_requesters ORDER BY created, id")
      .toArray()
      .map((row) => ({ id: row.id, subject: row.subject, fingerprint: row.fingerprint, notAfter: row.not_after, created: row.created }));
  }

  find(id: string): CertificateView | undefined {
    return this.views().find((view) => view.id === id);
  }

  /** The fingerprints the snapshot carries: all the acquisition path compares a signer's certificate with. */
  fingerprints(): string[] {
    return this.views().map((view) => view.fingerprint);
  }
}
