import type { BackupFailure } from "../backup/backup-document";
import { BACKUP_FORMAT_VERSION } from "../backup/backup-header";
import { jsonError } from "../http/errors";
import { describeCertificateProblem } from "../x509/certificate-failure";

/**
 * The one place a BackupFailure meets the wire, in the Operator API's JSON error shape (src/http/errors.ts): 400 for a
 * body that is not what the route reads (a `Certificate` the backup policy refuses, or not a backup document), 422
 * (RFC 9110 §15.5.21) for a backup document the service reads but will not restore: of a later format version, made
 * for another deployment's certificate, or not authentic. No sentence carries a key, a payload byte or the document.
 */
export function backupFailureResponse(failure: BackupFailure): Response {
  return jsonError(failure.reason === "certificate-invalid" || failure.reason === "malformed" ? 400 : 422, backupFailureSentence(failure));
}

/** The sentence of a BackupFailure: what is wrong and what to do. */
export function backupFailureSentence(failure: BackupFailure): string {
  switch (failure.reason) {
    case "certificate-invalid":
      return describeCertificateProblem(failure.problem, "Certificate");
    case "malformed":
      return "The body is not a backup document of this service (UTF-8 JSON as docs/backup.md describes, whole)";
    case "unsupported-version":
      return `Backup format version ${failure.version} is not supported: this service reads version ${BACKUP_FORMAT_VERSION}`;
    case "wrong-certificate":
      return "The backup was made for another restore certificate: make it again for this deployment's GET /admin/restore-certificate";
    case "tampered":
      return "The backup does not authenticate (its MAC, keys or ciphertext do not verify): it changed after it was made, and nothing was restored";
  }
}
