/**
 * The clear header of a backup document (docs/backup.md §Format): what the backup is, readable without its key. The
 * header is covered by the document's MAC like every other byte, so it is read here only for its shape.
 */

/** What the service that made a backup says about it; the payload's own shape is the tenant object's (schemaVersion). */
export interface BackupHeader {
  /** The tenant the backup restores (a UUID, lower case, as tenant ids are made). */
  readonly tenantId: string;
  /** When it was made: ISO 8601 in UTC (`Date.prototype.toISOString`). */
  readonly created: string;
  /** The tenant object's storage schema version the payload was written from (src/tenancy/schema.ts). */
  readonly schemaVersion: number;
  /** Records per kind in the payload (`{"keySeeds": 3, …}`), for a reader who must decide before restoring. */
  readonly counts: Readonly<Record<string, number>>;
}

/** The header as written: the format's name and version, the backup's fields, and the certificate it was made for. */
export interface WrittenBackupHeader extends BackupHeader {
  readonly format: typeof BACKUP_FORMAT;
  readonly version: typeof BACKUP_FORMAT_VERSION;
  /** Lower-case hex SHA-256 of the restore certificate's DER (src/x509/certificate-fingerprint.ts). */
  readonly certificateSha256: string;
}

/** The document's name for itself, so a file is recognised before anything else is read. */
export const BACKUP_FORMAT = "edge-key-service-backup";
/** The one format version this service writes and reads; a later layout gets a new number. */
export const BACKUP_FORMAT_VERSION = 1;

const TENANT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$/;
const SHA256_HEX = /^[0-9a-f]{64}$/;
const HEADER_FIELDS = ["format", "version", "tenantId", "created", "schemaVersion", "counts", "certificateSha256"];

/** The field of a BackupHeader that breaks its rule, or undefined when it is whole. */
export function backupHeaderProblem(header: BackupHeader): string | undefined {
  if (typeof header.tenantId !== "string" || !TENANT_ID.test(header.tenantId)) return "tenantId must be a lower-case UUID";
  if (typeof header.created !== "string" || !ISO_INSTANT.test(header.created) || Number.isNaN(Date.parse(header.created))) {
    return "created must be an ISO 8601 instant in UTC";
  }
  if (!Number.isSafeInteger(header.schemaVersion) || header.schemaVersion < 1) return "schemaVersion must be a positive integer";
  const counts: unknown = header.counts;
  if (typeof counts !== "object" || counts === null || Array.isArray(counts)) return "counts must be an object of counts";
  for (const value of Object.values(counts)) {
    if (!Number.isSafeInteger(value) || (value as number) < 0) return "every count must be a non-negative integer";
  }
  return undefined;
}

/** The header written for a backup made for the certificate with this fingerprint. */
export function writtenHeader(header: BackupHeader, certificateSha256: string): WrittenBackupHeader {
  const { tenantId, created, schemaVersion, counts } = header;
  return { format: BACKUP_FORMAT, version: BACKUP_FORMAT_VERSION, tenantId, created, schemaVersion, counts, certificateSha256 };
}

/** How a parsed `header` member reads: whole, of another format version, or not a header of this format. */
export type HeaderRead =
  | { readonly ok: true; readonly header: WrittenBackupHeader }
  | { readonly ok: false; readonly reason: "malformed" }
  | { readonly ok: false; readonly reason: "unsupported-version"; readonly version: number };

/** Reads the `header` member of a parsed document: the format first, then its version, then every field. */
export function readWrittenHeader(value: unknown): HeaderRead {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return { ok: false, reason: "malformed" };
  const header = value as Record<string, unknown>;
  if (header.format !== BACKUP_FORMAT || !Number.isSafeInteger(header.version)) return { ok: false, reason: "malformed" };
  if (header.version !== BACKUP_FORMAT_VERSION) return { ok: false, reason: "unsupported-version", version: header.version as number };
  const fields = Object.keys(header);
  const exact = fields.length === HEADER_FIELDS.length && HEADER_FIELDS.every((field) => fields.includes(field));
  const written = header as unknown as WrittenBackupHeader;
  if (!exact || typeof written.certificateSha256 !== "string" || !SHA256_HEX.test(written.certificateSha256)) {
    return { ok: false, reason: "malformed" };
  }
  return backupHeaderProblem(written) === undefined ? { ok: true, header: written } : { ok: false, reason: "malformed" };
}
