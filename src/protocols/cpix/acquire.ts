import type { KeySeedValue } from "../../domain/content-key";
import type { KeyId } from "../../domain/key-id";
import type { CpixDocument } from "../../cpix/model";
import { readCpix } from "../../cpix/reader";
import { writeCpixWithin } from "../../cpix/writer";
import { utf8 } from "../../domain/bytes";
import { MAX_ANSWER_BYTES } from "../../domain/request-limits";
import type { DrmSignallingSettings } from "../../drm/signalling";
import { answerCpixRequest, issuedKeyIds } from "./answer";
import type { AcquisitionFailure } from "./failure";
import { overrideKeyIds } from "./override-key-ids";
import type { CpixProfile } from "./profile";

export interface AcquisitionContext {
  readonly tenantId: string;
  readonly seed: KeySeedValue;
  readonly settings: DrmSignallingSettings;
  readonly overrideKeyIds: boolean;
}

export interface AcquisitionAnswer {
  readonly xml: string;
  readonly document: CpixDocument;
  /** The protocol actually spoken (a CPIX 2.2-style document on /SpekeV2 is answered as plain CPIX). */
  readonly protocolName: string;
  readonly contentId: string | null;
  readonly kids: readonly KeyId[];
}

export type AcquisitionResult =
  { readonly ok: true; readonly answer: AcquisitionAnswer } | { readonly ok: false; readonly failure: AcquisitionFailure };

/** Reads a CPIX request body and acquires its keys under a profile. */
export async function acquireCpix(body: Uint8Array, profile: CpixProfile, context: AcquisitionContext): Promise<AcquisitionResult> {
  if (body.length === 0)
    return { ok: false, failure: { reason: "invalid-request", message: "Request body is empty; expected a CPIX document" } };
  const read = readCpix(body);
  if (!read.ok) return { ok: false, failure: { reason: "unreadable", failure: read.failure } };
  return acquireCpixDocument(read.document, profile, context);
}

/** Checks a parsed request against its profile, fills it and renders the response. */
export async function acquireCpixDocument(
  parsed: CpixDocument,
  chosen: CpixProfile,
  context: AcquisitionContext,
): Promise<AcquisitionResult> {
  if (parsed.deliveryDataList && parsed.deliveryDataList.items.length > 0) {
    // Encrypting keys for the recipient (CPIX §Key Management) is not built yet: refuse rather than answer in clear.
    return {
      ok: false,
      failure: {
        reason: "unsupported",
        message:
          "Content key encryption (DeliveryDataList) is not supported yet; send the request without DeliveryDataList to receive keys in PlainValue",
      },
    };
  }

  const profile = chosen.answeredAs?.(parsed) ?? chosen;
  const failure = profile.check(parsed);
  if (failure) return { ok: false, failure };
  const request = context.overrideKeyIds ? await overrideKeyIds(parsed, context.tenantId, profile) : parsed;
  const answered = await answerCpixRequest(request, profile, context.seed, context.settings);
  if (!answered.ok) return answered;
  const document = profile.finishResponse?.(answered.document) ?? answered.document;
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

/** True when the UTF-8 form of `text` is longer than `limit` bytes; only a long text is encoded to find out. */
function utf8LengthOver(text: string, limit: number): boolean {
  // A UTF-16 code unit is 1 to 3 UTF-8 bytes (a surrogate pair, two units, is 4).
  return text.length * 3 > limit && utf8(text).length > limit;
}
