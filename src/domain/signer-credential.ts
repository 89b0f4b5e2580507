/** Widevine Common Encryption API signer credentials: the key material a signer (provider) name resolves to. */

/** AES-256 signing key length: Shaka's `--aes_signing_key` is 32 bytes hex; Axinom's `SigningKey` is byte[32]. */
export const AES_SIGNING_KEY_LENGTH = 32;
/** AES-CBC signing IV length: Shaka's `--aes_signing_iv`, Axinom's `SigningIv` byte[16]. */
export const AES_SIGNING_IV_LENGTH = 16;

/** How a signer signs its requests (Shaka Packager `packager/media/base/request_signer.cc`). */
export type SignerCredential =
  | { readonly kind: "aes"; readonly signingKey: Uint8Array; readonly signingIv: Uint8Array }
  /** Public half of the key given to Shaka's `--rsa_signing_key_path`, as DER SubjectPublicKeyInfo. */
  | { readonly kind: "rsa"; readonly publicKeySpki: Uint8Array };
