/** The values a PSKC export carries, and the typed reasons a PSKC document is refused when read. */

/** One key seed to export: `pskc:Key/@Id`, `pskc:FriendlyName` and the 30-byte value (`Data/Secret`). */
export interface PskcSeed {
  readonly id: string;
  readonly name: string;
  readonly value: Uint8Array;
}

/** One key read back from a PSKC document (RFC 6030 §4.3), its secret opened and its ValueMAC checked. */
export interface PskcKey {
  /** `pskc:Key/@Id` (RFC 6030 §4.3.2, required). */
  readonly id: string;
  /** `pskc:FriendlyName`, when present, without leading and trailing whitespace. */
  readonly name?: string;
  /** `pskc:Key/@Algorithm`, when present; an export's seeds carry PLAYREADY_KEY_SEED_ALGORITHM. */
  readonly algorithm?: string;
  /** The decrypted `Data/Secret/EncryptedValue`. */
  readonly value: Uint8Array;
}

/** How a document's values are protected (RFC 6030 §6.2 or §6.3). */
export type PskcProtection = "password" | "certificate";

/** Why a document was refused. No reason carries a value, a key or the password. */
export type PskcReadFailure =
  | { readonly reason: "malformed-xml"; readonly detail: string }
  /** A mandatory element or attribute is absent, named as `pskc:Key/@Id`, `xenc:CipherValue`… */
  | { readonly reason: "missing"; readonly what: string }
  /** Present but not valid: not base64, a number out of range, a length that does not fit. */
  | { readonly reason: "invalid"; readonly what: string; readonly rule: string }
  | { readonly reason: "unsupported-algorithm"; readonly what: string; readonly algorithm: string }
  /** The document is protected one way and the reader was given the key for the other. */
  | { readonly reason: "protection-mismatch"; readonly document: PskcProtection | "none"; readonly given: PskcProtection }
  /**
   * A MAC did not check (RFC 6030 §6.1.1): a wrong password, or an altered document. `keyId` names the key whose
   * ValueMAC failed; absent when the MAC key itself did not decrypt.
   */
  | { readonly reason: "mac-mismatch"; readonly keyId?: string }
  /** The private key does not open the document's EncryptedKey (RFC 6030 §6.3): not the recipient's key. */
  | { readonly reason: "key-transport-failed" }
  /** The MAC checked but the value did not decrypt (bad padding from the sender). */
  | { readonly reason: "decryption-failed"; readonly keyId: string }
  | { readonly reason: "duplicate-key-id"; readonly keyId: string };

export type PskcReadResult = { readonly ok: true; readonly keys: PskcKey[] } | { readonly ok: false; readonly failure: PskcReadFailure };

/** Thrown inside the reader and caught at its edge, so every refusal leaves through one typed result. */
export class PskcReadError extends Error {
  override readonly name = "PskcReadError";
  constructor(readonly failure: PskcReadFailure) {
    super(pskcReadFailureMessage(failure));
  }
}

/** One sentence per failure for people; names the rule and the element, never a value. */
export function pskcReadFailureMessage(failure: PskcReadFailure): string {
  switch (failure.reason) {
    case "malformed-xml":
      return `The PSKC document is not well-formed XML: ${failure.detail}`;
    case "missing":
      return `The PSKC document has no ${failure.what}`;
    case "invalid":
      return `${failure.what} ${failure.rule}`;
    case "unsupported-algorithm":
      return `${failure.what} ${failure.algorithm} is not supported`;
    case "protection-mismatch":
      return failure.document === "none"
        ? "The PSKC document has no encrypted values (plain values are not accepted)"
        : `The PSKC document is protected with a ${failure.document}, but a ${failure.given === "password" ? "password" : "private key"} was given`;
    case "mac-mismatch":
      return failure.keyId === undefined
        ? "The MAC key does not decrypt: wrong password or key, or an altered document (RFC 6030 §6.1.1)"
        : `The ValueMAC of key ${failure.keyId} does not match: wrong password or key, or an altered document (RFC 6030 §6.1.1)`;
    case "key-transport-failed":
      return "The private key does not open the document's EncryptedKey: the document was encrypted for another key (RFC 6030 §6.3)";
    case "decryption-failed":
      return `The value of key ${failure.keyId} does not decrypt (bad padding)`;
    case "duplicate-key-id":
      return `Key Id ${failure.keyId} appears twice`;
  }
}
