import { toBase64 } from "../../domain/bytes";
import type { MigrationStep } from "../schema";
import type { SnapshotWidevineCredential } from "../snapshot";
import type { NewWidevineCredential, WidevineCredentialView } from "../tenant-types";

interface SignerRow extends Record<string, SqlStorageValue> {
  id: string;
  provider_name: string;
  sealed_aes_material: string | null;
  rsa_public_key_spki: string | null;
  key_seed_id: string | null;
  created: string;
}

const SIGNER_COLUMNS = "id, provider_name, sealed_aes_material, rsa_public_key_spki, key_seed_id, created";

/** The `widevine_credentials` table: this tenant's signers (names are claimed globally in the SignerRegistry first). */
export class WidevineSignerStore {
  static readonly migrations: readonly MigrationStep[] = [
    // Widevine CENC API signing credentials: AES key+IV sealed under the data key, or an RSA public key (not secret).
    {
      version: 2,
      sql:
        `CREATE TABLE widevine_credentials (id TEXT PRIMARY KEY, provider_name TEXT NOT NULL UNIQUE, ` +
        `sealed_aes_material TEXT, rsa_public_key_spki TEXT, key_seed_id TEXT, created TEXT NOT NULL)`,
    },
  ];

  readonly #sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
  }

  /** Stores a signer: its AES key ‖ IV already sealed under the data key, or its RSA public key (DER SPKI, base64). */
  insert(signer: NewWidevineCredential, sealedAesMaterial: string | null, created: string): void {
    this.#sql.exec(
      `INSERT INTO widevine_credentials (${SIGNER_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)`,
      signer.id,
      signer.providerName,
      sealedAesMaterial,
      signer.rsaPublicKeySpki ? toBase64(signer.rsaPublicKeySpki) : null,
      signer.keySeedId ?? null,
      created,
    );
  }

  /** Whether a signer already has this id or this provider name. */
  isTaken(id: string, providerName: string): boolean {
    return this.#sql.exec("SELECT id FROM widevine_credentials WHERE id = ? OR provider_name = ?", id, providerName).toArray().length > 0;
  }

  /** Whether a signer of this provider name is stored. */
  hasProviderName(providerName: string): boolean {
    return this.#sql.exec("SELECT id FROM widevine_credentials WHERE provider_name = ?", providerName).toArray().length > 0;
  }

  delete(id: string): void {
    this.#sql.exec("DELETE FROM widevine_credentials WHERE id = ?", id);
  }

  /** The provider name of a signer whose keys come from this seed, if any. */
  providerUsingSeed(seedId: string): string | undefined {
    return this.#sql
      .exec<{ provider_name: string }>("SELECT provider_name FROM widevine_credentials WHERE key_seed_id = ?", seedId)
      .toArray()[0]?.provider_name;
  }

  /** Signers as the Management API lists them, oldest first: never the signing key or IV. */
  views(): WidevineCredentialView[] {
    return this.#rows("ORDER BY created, provider_name").map((row) => ({
      id: row.id,
      providerName: row.provider_name,
      kind: row.sealed_aes_material ? "aes" : "rsa",
      keySeedId: row.key_seed_id,
      created: row.created,
    }));
  }

  /** Signers as the snapshot carries them, by provider name. */
  snapshotEntries(): SnapshotWidevineCredential[] {
    return this.#rows("ORDER BY provider_name").map((row) => ({
      id: row.id,
      providerName: row.provider_name,
      ...(row.sealed_aes_material !== null && { sealedAesMaterial: row.sealed_aes_material }),
      ...(row.rsa_public_key_spki !== null && { rsaPublicKeySpki: row.rsa_public_key_spki }),
      ...(row.key_seed_id !== null && { keySeedId: row.key_seed_id }),
    }));
  }

  #rows(order: "ORDER BY created, provider_name" | "ORDER BY provider_name"): SignerRow[] {
    return this.#sql.exec<SignerRow>(`SELECT ${SIGNER_COLUMNS} FROM widevine_credentials ${order}`).toArray();
  }
}
