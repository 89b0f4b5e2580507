/** Seeds, certificates and keys for the PSKC tests: fixtures made with openssl (test/fixtures/SOURCES.md, pskc/). */
import recipientCertificatePem from "../../fixtures/pskc/recipient-rsa2048.cert.pem?raw";
import recipientKeyPem from "../../fixtures/pskc/recipient-rsa2048.key.pem?raw";
import { fromBase64 } from "../../../src/domain/bytes";
import type { PskcSeed } from "../../../src/pskc/model";

export { recipientCertificatePem };

/** A moment inside every fixture certificate's validity (they run from November 2026 for 100 years). */
export const WITHIN_VALIDITY = new Date("2030-01-01T00:00:00Z");

/** The DER inside a PEM block with this label. */
export function pemToDer(pem: string, label = "CERTIFICATE"): Uint8Array {
  const body = new RegExp(`-----BEGIN ${label}-----([\\s\\S]+?)-----END ${label}-----`).exec(pem)?.[1];
  const der = body === undefined ? undefined : fromBase64(body);
  if (!der) throw new Error(`no ${label} PEM block`);
  return der;
}

/** The recipient's private key, for RSA-OAEP with SHA-1 (XML Encryption rsa-oaep-mgf1p). */
export function recipientPrivateKey(): Promise<CryptoKey> {
  return crypto.subtle.importKey("pkcs8", pemToDer(recipientKeyPem, "PRIVATE KEY"), { name: "RSA-OAEP", hash: "SHA-1" }, false, [
    "decrypt",
  ]);
}

/** A fresh 2048-bit RSA-OAEP private key that is not the recipient's. */
export async function otherPrivateKey(): Promise<CryptoKey> {
  const pair = await crypto.subtle.generateKey(
    { name: "RSA-OAEP", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-1" },
    false,
    ["encrypt", "decrypt"],
  );
  return (pair as CryptoKeyPair).privateKey;
}

/** Three random 30-byte seeds; one name needs XML escaping. */
export function sampleSeeds(): PskcSeed[] {
  return [
    { id: "0f2a1e4c-6b7d-4c8e-9a1b-2c3d4e5f6a7b", name: 'Main <live> & "VOD"', value: crypto.getRandomValues(new Uint8Array(30)) },
    { id: "1b3c5d7e-9f01-4234-8567-89abcdef0123", name: "Backup", value: crypto.getRandomValues(new Uint8Array(30)) },
    { id: "2c4e6a8b-0d1f-4345-9678-9abcdef01234", name: "", value: crypto.getRandomValues(new Uint8Array(30)) },
  ];
}
