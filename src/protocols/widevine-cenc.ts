/**
 * Google's Widevine Common Encryption API ("getcontentkey", the protocol behind Shaka Packager's
 * `--enable_widevine_encryption`), with Axinom's `/WidevineProtectionInfo` extensions. Pure: no storage, no
 * clock; the route supplies the signer lookup and the tenant's seed. Steps, in the order they run:
 * parseSignedRequest → (resolve signer) → verifyRequestSignature → parseCommonEncryptionRequest → (load seed) →
 * issueCommonEncryptionKeys (planTracks, derive, signal, buildCommonEncryptionResponse) → encodeSignedResponse;
 * any refusal → encodeSignedResponse(failureResponse(failure)). `handleCommonEncryptionRequest` runs them all.
 */

export { encodeSignedResponse, parseSignedRequest, type SignedRequest, type SignedResponseJson } from "./widevine-cenc-envelope";
export {
  failureResponse,
  type CommonEncryptionFailureResponse,
  type CommonEncryptionStatus,
  type WidevineCencFailure,
  type WidevineCencResult,
} from "./widevine-cenc-failure";
export {
  handleCommonEncryptionRequest,
  type ResolvedSigner,
  type WidevineCencLookups,
  type WidevineCencOutcome,
} from "./widevine-cenc-handler";
export { issueCommonEncryptionKeys, type IssuedCommonEncryptionKeys, type WidevineCencSignallingSettings } from "./widevine-cenc-issue";
export { contentIdAsGuid, planTracks, type PlannedTrackKey } from "./widevine-cenc-plan";
export {
  parseCommonEncryptionRequest,
  type CommonEncryptionRequest,
  type WidevineDrmType,
  type WidevineTrackType,
} from "./widevine-cenc-request";
export { buildCommonEncryptionResponse, type CommonEncryptionResponseJson } from "./widevine-cenc-response";
export { aesRequestSignature, verifyRequestSignature, type SignerCredential } from "./widevine-cenc-signature";
