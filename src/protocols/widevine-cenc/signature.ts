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
  checkAesCredential(signingKey, signingIv);
  const key = await crypto.subtle.importKey("raw", signingKey, "AES-CBC", false, ["encrypt"]);
  return signWithAesKey(request, key, signingIv);
}

/** A malformed AES credential is an internal fault (throws), never a signature mismatch. */
function checkAesCredential(signingKey: Uint8Array, signingIv: Uint8Array): void {
  if (signingKey.length !== AES_SIGNING_KEY_LENGTH) {
    throw new RangeError(`an AES signing key must be ${AES_SIGNING_KEY_LENGTH} bytes, got ${signingKey.length}`);
  }
  if (signingIv.length !== AES_SIGNING_IV_LENGTH) {
    throw new RangeError(`an AES signing IV must be ${AES_SIGNING_IV_LENGTH} bytes, got ${signingIv.length}`);
  }
}

/** `AesRequestSignature::GenerateSignature` with the AES key already imported. */
async function signWithAesKey(request: Uint8Array, key: CryptoKey, signingIv: Uint8Array): Promise<Uint8Array> {
  const digest = await crypto.subtle.digest("SHA-1", request);
  return new Uint8Array(await crypto.subtle.encrypt({ name: "AES-CBC", iv: signingIv }, key, digest));
}

/**
 * Imported signer keys by credential object. The read path keeps one credential object per signer per isolate and
 * snapshot (LoadedTenant.widevineSigner), so a key is imported once per snapshot, and goes with it.
 */
const IMPORTED_SIGNER_KEYS = new WeakMap<SignerCredential, Promise<CryptoKey>>();

function importedSignerKey(credential: SignerCredential): Promise<CryptoKey> {
  let key = IMPORTED_SIGNER_KEYS.get(credential);
  if (!key) {
    key =
      credential.kind === "aes"
        ? crypto.subtle.importKey("raw", credential.signingKey, "AES-CBC", false, ["encrypt"])
        : crypto.subtle.importKey("spki", credential.publicKeySpki, { name: "RSA-PSS", hash: "SHA-1" }, false, ["verify"]);
    IMPORTED_SIGNER_KEYS.set(credential, key);
    // A failed import is not kept: the next request throws the same internal fault afresh.
    key.catch(() => IMPORTED_SIGNER_KEYS.delete(credential));
  }
  return key;
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
  if (credential.kind === "aes") {
    checkAesCredential(credential.signingKey, credential.signingIv);
    const expected = await signWithAesKey(request, await importedSignerKey(credential), credential.signingIv);
    return timingSafeEqual(expected, signature) ? succeed(true) : fail({ reason: "signature-mismatch" });
  }
  const key = await importedSignerKey(credential);
  const valid = await crypto.subtle.verify({ name: "RSA-PSS", saltLength: RSA_PSS_SALT_LENGTH }, key, signature, request);
  return valid ? succeed(true) : fail({ reason: "signature-mismatch" });
}
