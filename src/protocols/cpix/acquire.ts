import type { KeySeedValue } from "../../domain/content-key";
import type { KeyId } from "../../domain/key-id";
import type { CpixAnswerDocument, CpixDocument } from "../../cpix/model";
import { readCpixTree } from "../../cpix/reader";
import { parseXml } from "../../xml/parse";
import { writeCpixWithin } from "../../cpix/writer";
import { utf8 } from "../../domain/bytes";
import { MAX_ANSWER_BYTES } from "../../domain/request-limits";
import type { DrmSignallingSettings } from "../../drm/signalling";
import { toHex } from "../../domain/bytes";
import {
  acceptRecipients,
  encryptContentKeys,
  recipientForCertificate,
  type DeliveryRecipient,
} from "../../cpix/security/delivery-encryption";
import type { StoredKeyLookup } from "../../tenancy/stored-content-keys";
import { answerCpixRequest, issuedKeyIds } from "./answer";
import { verifyRequestSignatures, type RequestSignaturePolicy } from "./document-signatures";
import type { AcquisitionFailure } from "./failure";
import { overrideKeyIds } from "./override-key-ids";
import { unlistedSignerFailure } from "./recipient-certificates";
import type { CpixProfile, CpixProfileName } from "./profile";

export interface AcquisitionContext {
  readonly tenantId: string;
  readonly seed: KeySeedValue;
  /** The tenant's stored content keys; KIDs it does not store are derived from `seed`. */
  readonly storedKeys?: StoredKeyLookup;
  readonly settings: DrmSignallingSettings;
  readonly overrideKeyIds: boolean;
  readonly security: DocumentSecurity;
}

/** The tenant's document-security rules for one acquisition (settings RequireEncryption, RecipientCertificates). */
export interface DocumentSecurity extends RequestSignaturePolicy {
  /** When the request is judged: certificates must be valid at this moment (RFC 5280 §4.1.2.5). */
  readonly now: Date;
  /** `RequireEncryption`: a request without DeliveryData is refused rather than answered with keys in PlainValue. */
  readonly requireEncryption: boolean;
  /** `RecipientCertificates`: lowercase hex SHA-256 fingerprints a DeliveryData certificate must be among; undefined = any. */
  readonly recipientFingerprints?: readonly string[];
  /**
   * Harmonic `EncryptContentKeys` (only with a required, trusted signature): the keys are encrypted for the trusted
   * request signer's certificate instead of any DeliveryDataList the request carries.
   */
  readonly encryptForSigner?: boolean;
}

export interface AcquisitionAnswer {
  readonly xml: string;
  readonly document: CpixAnswerDocument;
  /** The protocol actually spoken (a CPIX 2.2-style document on /SpekeV2 is answered as plain CPIX). */
  readonly protocolName: CpixProfileName;
  readonly contentId: string | null;
  readonly kids: readonly KeyId[];
}

export type AcquisitionResult =
  { readonly ok: true; readonly answer: AcquisitionAnswer } | { readonly ok: false; readonly failure: AcquisitionFailure };

/** Reads a CPIX request body and acquires its keys under a profile. */
export async function acquireCpix(body: Uint8Array, profile: CpixProfile, context: AcquisitionContext): Promise<AcquisitionResult> {
  if (body.length === 0)
    return { ok: false, failure: { reason: "invalid-request", message: "Request body is empty; expected a CPIX document" } };
  // One parse, one tree: the reader and the signature check below read the same nodes (issue: signed requests).
  const parsed = parseXml(body);
  if (!parsed.ok) return { ok: false, failure: { reason: "unreadable", failure: parsed.failure } };
  // Signatures first: a request is authenticated before anything in it is read as CPIX, and a refused one costs no read.
  const signatures = await verifyRequestSignatures(parsed.document, context.security);
  if (!signatures.ok) return signatures;
  const read = readCpixTree(parsed.document);
  if (!read.ok) return { ok: false, failure: { reason: "unreadable", failure: read.failure } };
  if (!context.security.encryptForSigner) return acquireCpixDocument(read.document, profile, context);
  if (!signatures.trustedSigner) {
    // encryptForSigner is only set together with a required signature, which names a trusted signer or refuses.
    return { ok: false, failure: { reason: "no-signer-to-encrypt-for" } };
  }
  const signer = await recipientForCertificate(signatures.trustedSigner, { id: "request-signer" }, context.security.now);
  if (!signer.ok) return { ok: false, failure: { reason: "signer-refused", problem: signer.problem } };
  const unlisted = await unlistedSignerFailure(signer.recipient, context.security.recipientFingerprints);
  if (unlisted) return { ok: false, failure: unlisted };
  return acquireCpixDocument(read.document, profile, context, [signer.recipient]);
}

/** Checks a parsed request against its profile, fills it and renders the response. */
export async function acquireCpixDocument(
  parsed: CpixDocument,
  chosen: CpixProfile,
  context: AcquisitionContext,
  chosenRecipients?: readonly DeliveryRecipient[],
): Promise<AcquisitionResult> {
  const profile = chosen.answeredAs?.(parsed) ?? chosen;
  const failure = profile.check(parsed);
  if (failure) return { ok: false, failure };
  // Recipients are judged before any key is derived, so a refused certificate issues nothing.
  const recipients: RecipientsResult = chosenRecipients
    ? { ok: true, recipients: chosenRecipients }
    : await deliveryRecipients(parsed, context.security);
  if (!recipients.ok) return recipients;
  const request = context.overrideKeyIds ? await overrideKeyIds(parsed, context.tenantId, profile) : parsed;
  const answered = await answerCpixRequest(request, profile, context.seed, context.settings, context.storedKeys);
  if (!answered.ok) return answered;
  const filled =
    recipients.recipients.length > 0 ? await encrypted(answered.document, recipients.recipients, chosen, parsed) : answered.document;
  const document = profile.finishResponse?.(filled) ?? filled;
  const xml = writeCpixWithin(document, MAX_ANSWER_BYTES);
  if (xml === undefined || utf8LengthOver(xml, MAX_ANSWER_BYTES)) {
    return { ok: false, failure: { reason: "answer-too-large", limit: MAX_ANSWER_BYTES } };
  }
  return {
    ok: true,
    answer: {
      xml,
      document,
      protocolName: profile.name,
      contentId: request.contentId ?? request.id ?? null,
      kids: issuedKeyIds(document),
    },
  };
}

type RecipientsResult =
  { readonly ok: true; readonly recipients: readonly DeliveryRecipient[] } | { readonly ok: false; readonly failure: AcquisitionFailure };

/**
 * The request's recipients of encrypted keys (CPIX 2.3 §DeliveryDataList Element), each certificate checked against
 * the certificate policy and the tenant's `RecipientCertificates`; none when it asks for keys in clear, which
 * `RequireEncryption` refuses.
 */
async function deliveryRecipients(request: CpixDocument, security: DocumentSecurity): Promise<RecipientsResult> {
  const items = request.deliveryDataList?.items ?? [];
  if (items.length === 0) {
    if (!security.requireEncryption) return { ok: true, recipients: [] };
    return { ok: false, failure: { reason: "encryption-required" } };
  }
  const accepted = await acceptRecipients(items, security.now);
  if (!accepted.ok) return { ok: false, failure: { reason: "recipient-refused", failure: accepted.failure } };
  if (security.recipientFingerprints !== undefined) {
    for (const [i, recipient] of accepted.recipients.entries()) {
      const fingerprint = toHex(new Uint8Array(await crypto.subtle.digest("SHA-256", recipient.certificate.der)));
      if (!security.recipientFingerprints.includes(fingerprint)) {
        return { ok: false, failure: { reason: "recipient-not-listed", index: i + 1, fingerprint } };
      }
    }
  }
  return { ok: true, recipients: accepted.recipients };
}

/**
 * The filled answer with every content key encrypted for the recipients (CPIX 2.3 §Key Management): ContentKeys
 * carry `Data/Secret/EncryptedValue` and no PlainValue, and DeliveryDataList holds each recipient's DocumentKey and
 * MACMethod. The MAC key shape follows the endpoint (`chosen`), the DocumentKey form the request's CPIX version.
 */
async function encrypted(
  document: CpixAnswerDocument,
  recipients: readonly DeliveryRecipient[],
  chosen: CpixProfile,
  request: CpixDocument,
): Promise<CpixAnswerDocument> {
  const delivery = await encryptContentKeys(recipients, document.contentKeyList?.items ?? [], {
    macKeyShape: chosen.macKeyShape,
    ...(document.version !== undefined && { version: document.version }),
  });
  return {
    ...document,
    deliveryDataList: { ...request.deliveryDataList, items: [...delivery.deliveryData] },
    ...(document.contentKeyList && { contentKeyList: { ...document.contentKeyList, items: [...delivery.contentKeys] } }),
  };
}

/** True when the UTF-8 form of `text` is longer than `limit` bytes; only a long text is encoded to find out. */
function utf8LengthOver(text: string, limit: number): boolean {
  // A UTF-16 code unit is 1 to 3 UTF-8 bytes (a surrogate pair, two units, is 4).
  return text.length * 3 > limit && utf8(text).length > limit;
}
