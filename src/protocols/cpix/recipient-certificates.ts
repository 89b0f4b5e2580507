import { certificateFingerprint } from "../../x509/certificate-fingerprint";
import type { DeliveryRecipient } from "../../cpix/security/delivery-encryption";
import type { AcquisitionFailure } from "./failure";

/**
 * `RecipientCertificates` for a recipient the request did not list in DeliveryData: Harmonic's `EncryptContentKeys`
 * encrypts for the trusted request signer (Axinom Key Service docs, Harmonic), and the tenant's list of certificates
 * keys may be encrypted for holds for that one too. Undefined when the tenant lists none or lists the signer's.
 */
export async function unlistedSignerFailure(
  signer: DeliveryRecipient,
  recipientFingerprints: readonly string[] | undefined,
): Promise<AcquisitionFailure | undefined> {
  if (recipientFingerprints === undefined) return undefined;
  const fingerprint = await certificateFingerprint(signer.certificate.der);
  if (recipientFingerprints.includes(fingerprint)) return undefined;
  return { reason: "signer-not-listed", fingerprint };
}
