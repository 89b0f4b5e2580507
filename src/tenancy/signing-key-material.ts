import { open } from "./envelope";
import type { SnapshotSigningKey } from "./snapshot";
import type { LoadedTenant } from "./loaded-tenant";

/**
 * A CPIX signing key's private key as PKCS #8 DER (RFC 5208), opened from the snapshot with the tenant's data key.
 * For decrypting a CPIX document addressed to the signing key's certificate (a content-key import); acquisitions
 * sign through `LoadedTenant.signingKey`, which keeps only a non-extractable signing CryptoKey. The caller zeroes
 * the bytes once imported.
 */
export function openSigningKeyPkcs8(tenant: LoadedTenant, stored: SnapshotSigningKey): Promise<Uint8Array> {
  return open(stored.sealedPrivateKey, tenant.dataKey.sealing, {
    purpose: "cpix-signing",
    tenantId: tenant.tenantId,
    signingKeyId: stored.id,
  });
}
