/**
 * Google's Widevine Common Encryption API ("getcontentkey", the protocol behind Shaka Packager's
 * `--enable_widevine_encryption`), with Axinom's `/WidevineProtectionInfo` extensions. Pure: no storage, no
 * clock; the route (routes.ts) supplies the signer lookup and the tenant's seed. Steps, in the order they run:
 * parseSignedRequest → (resolve signer) → verifyRequestSignature → parseCommonEncryptionRequest → (load seed) →
 * issueCommonEncryptionKeys (planTracks, derive, signal, buildCommonEncryptionResponse) → encodeSignedResponse;
 * any refusal → encodeSignedResponse(failureResponse(failure)). `handleCommonEncryptionRequest` runs them all.
 */
import type { KeySeedValue } from "../../domain/content-key";
import { MAX_ANSWER_BYTES } from "../../domain/request-limits";
import type { SignerCredential } from "../../domain/signer-credential";
import type { StoredKeyLookup } from "../../tenancy/stored-content-keys";
import { encodeSignedResponse, parseSignedRequest, type SignedResponseJson } from "./envelope";
import { failureResponse, type WidevineCencFailure } from "./failure";
import { issueCommonEncryptionKeys, type WidevineCencSignallingSettings } from "./issue";
import type { PlannedTrackKey } from "./plan";
import { parseCommonEncryptionRequest } from "./request";
import { verifyRequestSignature } from "./signature";

/** `{"response":""}`: the body around the base64 response (ASCII, so characters are bytes). */
const EMPTY_ENVELOPE_LENGTH = JSON.stringify({ response: "" }).length;

/** A signer name resolved to its credential and tenant; the route's own type adds what it loads keys from. */
export interface ResolvedSigner {
  readonly tenantId: string;
  readonly credential: SignerCredential;
}

/** What the route looks up once the signature names a signer. */
export interface WidevineCencLookups<S extends ResolvedSigner = ResolvedSigner> {
  /** The provider name in the URL path (`/cenc/getcontentkey/{signer}`), when the route has one. */
  readonly pathSigner?: string;
  /** Finds the credential a signer (provider) name belongs to, and its tenant. */
  resolveSigner(signer: string): Promise<S | undefined>;
  /** Loads the seed of this resolved signer and the signalling settings; runs only after the signature verified. */
  loadTenantKeys(signer: S): Promise<{
    readonly seed: KeySeedValue | undefined;
    /** The tenant's stored content keys, answered for the KIDs it stores. */
    readonly storedKeys?: StoredKeyLookup;
    readonly settings: WidevineCencSignallingSettings;
  }>;
}

/** The answer to one request: always sent as HTTP 200 with `body`; the rest is for the audit log. */
export interface WidevineCencOutcome<S extends ResolvedSigner = ResolvedSigner> {
  readonly body: SignedResponseJson;
  /** The body's `signer`, once the envelope parsed (for the issuance record). */
  readonly signer?: string;
  readonly tenantId?: string;
  /** The signer as `resolveSigner` found it, once it did (keys were issued under it when `keys` is set). */
  readonly resolvedSigner?: S;
  readonly failure?: WidevineCencFailure;
  readonly keys?: readonly PlannedTrackKey[];
  /** The request's `content_id` (bytes), for the issuance record. */
  readonly contentId?: Uint8Array;
}

/**
 * Runs the whole protocol for one request body. Unexpected exceptions propagate: the route logs them (without
 * the body) and answers `encodeSignedResponse(failureResponse({ reason: "internal-error" }))`, which Shaka retries.
 * @example const { body } = await handleCommonEncryptionRequest(new Uint8Array(await c.req.arrayBuffer()), lookups); return c.json(body);
 */
export async function handleCommonEncryptionRequest<S extends ResolvedSigner>(
  body: Uint8Array,
  lookups: WidevineCencLookups<S>,
): Promise<WidevineCencOutcome<S>> {
  const envelope = parseSignedRequest(body);
  if (!envelope.ok) return { body: encodeSignedResponse(failureResponse(envelope.failure)), failure: envelope.failure };
  const { request: requestBytes, signature, signer } = envelope.value;
  const refuse = (failure: WidevineCencFailure, resolved?: S): WidevineCencOutcome<S> => ({
    body: encodeSignedResponse(failureResponse(failure)),
    signer,
    failure,
    ...(resolved !== undefined && { tenantId: resolved.tenantId, resolvedSigner: resolved }),
  });
  if (lookups.pathSigner !== undefined && lookups.pathSigner !== signer) return refuse({ reason: "signer-mismatch" });
  const resolved = await lookups.resolveSigner(signer);
  if (!resolved) return refuse({ reason: "unknown-signer" });
  const verdict = await verifyRequestSignature(requestBytes, signature, resolved.credential);
  if (!verdict.ok) return refuse(verdict.failure, resolved);

  const request = parseCommonEncryptionRequest(requestBytes);
  if (!request.ok) return refuse(request.failure, resolved);
  const { seed, storedKeys, settings } = await lookups.loadTenantKeys(resolved);
  if (!seed) return refuse({ reason: "no-key-seed" }, resolved);
  const issued = await issueCommonEncryptionKeys({
    request: request.value,
    tenantId: resolved.tenantId,
    seed,
    ...(storedKeys && { storedKeys }),
    // The credential's provider name is the natural WidevinePsshData provider (Axinom names credentials by it).
    settings: { ...settings, widevineProvider: settings.widevineProvider ?? signer },
  });
  if (!issued.ok) return refuse(issued.failure, resolved);
  const signed = encodeSignedResponse(issued.value.response);
  if (EMPTY_ENVELOPE_LENGTH + signed.response.length > MAX_ANSWER_BYTES)
    return refuse({ reason: "answer-too-large", limit: MAX_ANSWER_BYTES }, resolved);
  return {
    body: signed,
    signer,
    tenantId: resolved.tenantId,
    resolvedSigner: resolved,
    keys: issued.value.keys,
    contentId: request.value.contentId,
  };
}
