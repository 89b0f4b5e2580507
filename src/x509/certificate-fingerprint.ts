import { toHex } from "../domain/bytes";

/**
 * A certificate's fingerprint as the service names certificates (trusted requesters, RecipientCertificates, audit
 * records of an export): lower-case hex SHA-256 of its whole DER encoding.
 */
export async function certificateFingerprint(der: Uint8Array): Promise<string> {
  return toHex(new Uint8Array(await crypto.subtle.digest("SHA-256", der)));
}
