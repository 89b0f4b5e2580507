/**
 * Why a CPIX content-key import (`POST /api/Import/ContentKeys` with an XML body) is refused, as data, and the one
 * sentence each becomes in the 400 (src/management/management-request-failure.ts): it names the ContentKey or
 * DeliveryData and the rule, never a key or MAC value.
 */
import { describeCpixReadFailure, type CpixReadFailure } from "./failure";
import type { DecryptionFailure } from "./security/delivery-decryption";

/** Why a CPIX import is refused; `contentKey` and `deliveryData` are 1-based positions in their lists. */
export type CpixKeyImportFailure =
  | { readonly reason: "unreadable"; readonly failure: CpixReadFailure }
  | { readonly reason: "no-content-keys" }
  | { readonly reason: "missing-key-value"; readonly contentKey: number; readonly kid: string }
  | { readonly reason: "duplicate-kid"; readonly contentKey: number; readonly first: number; readonly kid: string }
  | { readonly reason: "iv-length"; readonly contentKey: number; readonly kid: string; readonly length: number }
  /** Keys are encrypted, and no DeliveryData names a certificate the tenant holds the private key of. */
  | { readonly reason: "unknown-recipient"; readonly deliveryDataCount: number }
  | { readonly reason: "undecryptable"; readonly deliveryData: number; readonly failure: DecryptionFailure };

/**
 * One sentence naming the element and the rule, for a 400 body.
 * @example describeCpixKeyImportFailure({ reason: "no-content-keys" }) // "The CPIX document holds no ContentKey …"
 */
export function describeCpixKeyImportFailure(failure: CpixKeyImportFailure): string {
  const key = (position: number, kid: string) => `ContentKey[${position}] (kid ${kid})`;
  switch (failure.reason) {
    case "unreadable":
      return `Not a readable CPIX document: ${describeCpixReadFailure(failure.failure)}`;
    case "no-content-keys":
      return "The CPIX document holds no ContentKey (CPIX/ContentKeyList/ContentKey); there is nothing to import";
    case "missing-key-value":
      return `${key(failure.contentKey, failure.kid)} has no key value: Data/pskc:Secret must hold a PlainValue or an EncryptedValue`;
    case "duplicate-kid":
      return `${key(failure.contentKey, failure.kid)} has the same kid as ContentKey[${failure.first}]; a kid may appear once per import`;
    case "iv-length":
      return `${key(failure.contentKey, failure.kid)}@explicitIV must be 16 bytes to be imported, got ${failure.length}`;
    case "unknown-recipient":
      return failure.deliveryDataCount === 0
        ? "The CPIX document has encrypted keys but no DeliveryData naming their recipient"
        : `None of the ${failure.deliveryDataCount} DeliveryData of the CPIX document names the certificate of one of this tenant's signing keys (/api/SigningKeys), so its keys cannot be decrypted`;
    case "undecryptable":
      return describeDecryptionFailure(failure.failure, failure.deliveryData);
  }
}

function describeDecryptionFailure(failure: DecryptionFailure, deliveryData: number): string {
  const delivery = `DeliveryData[${deliveryData}]`;
  switch (failure.reason) {
    case "not-a-recipient":
      return `The private key of the signing key whose certificate ${delivery} names does not decrypt its DocumentKey`;
    case "missing-mac-key":
      return `${delivery} has no MACMethod key; CPIX 2.3 §Key Management requires a MAC on every encrypted key`;
    case "wrapped-key-mac-mismatch":
      return `The ValueMAC of a key wrapped in ${delivery} does not match: the document was altered`;
    case "unsupported-algorithm":
      return `${failure.element} Algorithm ${failure.algorithm} is not supported (CPIX 2.3 §Mandatory Algorithms)`;
    case "missing-value-mac":
      return `ContentKey kid ${failure.kid} has an EncryptedValue without a ValueMAC (CPIX 2.3 §Key Management)`;
    case "mac-mismatch":
      return `The ValueMAC of ContentKey kid ${failure.kid} does not match: the document was altered or not made for this key`;
    case "undecryptable-key":
      return `ContentKey kid ${failure.kid} cannot be decrypted: ${failure.detail}`;
  }
}
