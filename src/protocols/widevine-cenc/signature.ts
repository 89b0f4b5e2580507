import { timingSafeEqual } from "../../domain/bytes";
import { AES_SIGNING_IV_LENGTH, AES_SIGNING_KEY_LENGTH, type SignerCredential } from "../../domain/signer-credential";
import { fail, succeed, type WidevineCencResult } from "./failure";

/**
 * Request signatures of the Widevine Common Encryption API, as Shaka Packager makes them
 * (`packager/media/base/request_signer.cc`, verified against Shaka Packager 3.4.2 in test/interop/shaka-e2e.test.ts).
 */

/** RSASSA-PSS salt length Shaka's `RsaRequestSigner` uses: the SHA-1 digest length (20). */
const RSA_PSS_SALT_LENGTH = 20;

/**
 * AES-256-CBC(signingKey, signingIv, PKCS#7(SHA-1(request))): 20-byte digest → 32-byte signature
 * (`AesRequestSigner::GenerateSignature`; WebCrypto's AES-CBC applies PKCS#7 itself). Exposed so tests and
 * tools can sign the way Shaka does.
 */
export async function aesRequestSignature(request: Uint8Array, signingKey: Uint8Array, signingIv: Uint8Array): Promise<Uint8Array> {
  if (signingKey.length !== AES_SIGNING_KEY_LENGTH) {
    throw new RangeError(`an AES signing key must be ${AES_SIGNING_KEY_LENGTH} bytes, got ${signingKey.length}`);
  }
  if (signingIv.length !== AES_SIGNING_IV_LENGTH) {
    throw new RangeError(`an AES signing IV must be ${AES_SIGNING_IV_LENGTH} bytes, got ${signingIv.length}`);
  }
  const digest = await crypto.subtle.digest("SHA-1", request);
  const key = await crypto.subtle.importKey("raw", signingKey, "AES-CBC", false, ["encrypt"]);
  return new Uint8Array(await crypto.subtle.encrypt({ name: "AES-CBC", iv: signingIv }, key, digest));
}

/**
 * Checks a signature over the exact decoded request bytes (never a re-serialisation). AES signatures are
 * recomputed and compared in constant time; RSA uses RSASSA-PSS with SHA-1 and a 20-byte salt. A malformed
 * credential throws (an internal fault); a signature that does not verify is a `signature-mismatch`.
 */
export async function verifyRequestSignature(
  request: Uint8Array,
  signature: Uint8Array,
  credential: SignerCredential,
): Promise<WidevineCencResult<true>> {
  const valid =
    credential.kind === "aes"
      ? timingSafeEqual(await aesRequestSignature(request, credential.signingKey, credential.signingIv), signature)
      : await verifyRsaPss(request, signature, credential.publicKeySpki);
  return valid ? succeed(true) : fail({ reason: "signature-mismatch" });
}

async function verifyRsaPss(request: Uint8Array, signature: Uint8Array, publicKeySpki: Uint8Array): Promise<boolean> {
  const key = await crypto.subtle.importKey("spki", publicKeySpki, { name: "RSA-PSS", hash: "SHA-1" }, false, ["verify"]);
  return crypto.subtle.verify({ name: "RSA-PSS", saltLength: RSA_PSS_SALT_LENGTH }, key, signature, request);
}
