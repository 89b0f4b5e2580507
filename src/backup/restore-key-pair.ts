/**
 * A new restore key (docs/backup.md §Restore certificate): an RSA key pair, its self-signed certificate, and its
 * private key sealed under a key-encryption key. Apart from restore-key.ts so that it runs where no Durable Object
 * binding exists (the interop tests read its certificate with openssl).
 */
import { toHex } from "../domain/bytes";
import { randomBytes } from "../runtime/random";
import { seal, type SealContext, type VersionedKey } from "../tenancy/envelope";
import type { StoredRestoreKey } from "../tenancy/tenant-directory";
import { certificateFingerprint } from "../x509/certificate-fingerprint";
import { BACKUP_MIN_RSA_MODULUS_BITS } from "../x509/certificate-policy";
import { selfSignedCertificate } from "../x509/self-signed-certificate";

/** RSA-OAEP with SHA-256 and MGF1-SHA-256 (RFC 8017 §7.1), what a backup's keys are wrapped with. */
export const RSA_OAEP_SHA256 = { name: "RSA-OAEP", hash: "SHA-256" } as const;
/** F4, 65537: the public exponent of RFC 8017 §3.1 practice and of every key WebCrypto implementations make. */
const PUBLIC_EXPONENT = Uint8Array.of(1, 0, 1);
/** About ten years (3,653 days), longer than backups are kept; a new key needs a new deployment key (docs/backup.md). */
const VALIDITY_MS = 3653 * 86_400_000;
/** notBefore an hour back, so a deployment whose clock is a little behind does not find the certificate not yet valid. */
const CLOCK_SKEW_MS = 3_600_000;
/** RFC 5280 §4.1.2.2: a positive serial of at most 20 octets; 16 random ones. */
const SERIAL_LENGTH = 16;

/** A fresh RSA 3072 key pair, its self-signed certificate, and its private key sealed under `kek`. */
export async function newRestoreKey(kek: VersionedKey, now: Date): Promise<StoredRestoreKey> {
  const { certificateDer, pkcs8 } = await newRestoreKeyPair(now);
  try {
    const sealedPrivateKey = await seal(pkcs8, kek, await restoreKeySealContext(certificateDer));
    return { certificateDer, sealedPrivateKey, created: now.toISOString() };
  } finally {
    pkcs8.fill(0);
  }
}

/**
 * An RSA key pair of BACKUP_MIN_RSA_MODULUS_BITS and its certificate, `CN=edge-key-service restore <16 hex digits>`
 * (a random label: nothing a Worker can read names its deployment), valid from `now` for about ten years. The PKCS #8
 * private key is the caller's to seal and zero.
 */
export async function newRestoreKeyPair(now: Date): Promise<{ certificateDer: Uint8Array; pkcs8: Uint8Array }> {
  const algorithm = { ...RSA_OAEP_SHA256, modulusLength: BACKUP_MIN_RSA_MODULUS_BITS, publicExponent: PUBLIC_EXPONENT };
  const pair = (await crypto.subtle.generateKey(algorithm, true, ["encrypt", "decrypt"])) as CryptoKeyPair;
  const spki = new Uint8Array((await crypto.subtle.exportKey("spki", pair.publicKey)) as ArrayBuffer);
  const pkcs8 = new Uint8Array((await crypto.subtle.exportKey("pkcs8", pair.privateKey)) as ArrayBuffer);
  // The same rsaEncryption key (RFC 8017 Appendix A.1) signs its own certificate: proof that its holder made it.
  const signingKey = await crypto.subtle.importKey("pkcs8", pkcs8, { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, false, ["sign"]);
  const serialNumber = randomBytes(SERIAL_LENGTH);
  serialNumber[0] = (serialNumber[0]! & 0x7f) | 0x40; // positive, and all 16 octets significant
  const certificateDer = await selfSignedCertificate({
    commonName: `edge-key-service restore ${toHex(randomBytes(8))}`,
    serialNumber,
    notBefore: new Date(now.getTime() - CLOCK_SKEW_MS),
    notAfter: new Date(now.getTime() + VALIDITY_MS),
    subjectPublicKeyInfo: spki,
    signingKey,
  });
  return { certificateDer, pkcs8 };
}

/** What the sealed private key is bound to: its certificate (envelope.ts purpose "restore-key"). */
export async function restoreKeySealContext(certificateDer: Uint8Array): Promise<SealContext> {
  return { purpose: "restore-key", certificateSha256: await certificateFingerprint(certificateDer) };
}
