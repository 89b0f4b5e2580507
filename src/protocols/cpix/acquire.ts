import type { KeySeedValue, ProtectionScheme } from "../../domain/content-key";
import type { KeyId } from "../../domain/key-id";
import type { CpixContentKey, CpixDocument } from "../../cpix/model";
import { readCpix } from "../../cpix/reader";
import { writeCpix } from "../../cpix/writer";
import type { DrmSignallingSettings } from "../../drm/signalling";
import { knownDrmSystem } from "../../drm/system-ids";
import { answerCpixRequest, issuedKeyIds, type CpixDialect } from "./answer";
import type { AcquisitionFailure } from "./failure";
import { overrideKeyIds, type OverrideFamily } from "./override-key-ids";
import { readSchemeValue } from "./schemes";
import { checkSpekeV2Request, type SpekeV2Version } from "./speke-v2-rules";
import { checkKeysAndSystems } from "./structure";

/** Which CPIX acquisition protocol a request came in by. */
export type CpixProtocol =
  | { readonly kind: "speke-v2"; readonly version: SpekeV2Version }
  | { readonly kind: "speke-v1"; readonly scheme: ProtectionScheme | undefined }
  | { readonly kind: "cpix" };

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

/** Reads a CPIX request, checks it against its protocol's profile, fills it and renders the response. */
export async function acquireCpix(body: Uint8Array, protocol: CpixProtocol, context: AcquisitionContext): Promise<AcquisitionResult> {
  if (body.length === 0)
    return { ok: false, failure: { reason: "invalid-request", message: "Request body is empty; expected a CPIX document" } };
  const read = readCpix(body);
  if (!read.ok) return { ok: false, failure: { reason: "unreadable", failure: read.failure } };
  return acquireCpixDocument(read.document, protocol, context);
}

/** Checks a parsed request against its protocol's profile, fills it and renders the response. */
export async function acquireCpixDocument(
  parsed: CpixDocument,
  protocol: CpixProtocol,
  context: AcquisitionContext,
): Promise<AcquisitionResult> {
  let request = parsed;
  if (request.deliveryDataList && request.deliveryDataList.items.length > 0) {
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

  const profile = resolveProfile(request, protocol);
  if (!profile.ok) return profile;
  if (context.overrideKeyIds) {
    request = await overrideKeyIds(request, context.tenantId, profile.overrideFamily, profile.schemeOf);
  }
  const answered = await answerCpixRequest(request, {
    dialect: profile.dialect,
    seed: context.seed,
    settings: context.settings,
    schemeOf: profile.schemeOf,
  });
  if (!answered.ok) return answered;
  // The SPEKE v2 suite requires CPIX@id to be absent from v2 responses (speke_element_assertions.py).
  const document = profile.dialect === "speke-v2" ? withoutRootId(answered.document) : answered.document;
  return {
    ok: true,
    answer: {
      xml: writeCpix(document),
      document,
      protocolName: profile.name,
      contentId: request.contentId ?? request.id ?? null,
      kids: issuedKeyIds(document),
    },
  };
}

type Profile =
  | {
      readonly ok: true;
      readonly name: string;
      readonly dialect: CpixDialect;
      readonly overrideFamily: OverrideFamily;
      readonly schemeOf: (key: CpixContentKey) => ProtectionScheme | undefined;
    }
  | { readonly ok: false; readonly failure: AcquisitionFailure };

function resolveProfile(request: CpixDocument, protocol: CpixProtocol): Profile {
  switch (protocol.kind) {
    case "speke-v2": {
      // Issue rule: strict SPEKE v2 when the document declares version or contentId; a document with neither
      // (CPIX 2.2 style, as Unified Streaming's docs send to /SpekeV2) is answered as plain CPIX in its own style.
      if (request.version === undefined && request.contentId === undefined) return plainCpixProfile(request, "cpix-via-speke-v2");
      const check = checkSpekeV2Request(request, protocol.version);
      if (!check.ok) return check;
      return {
        ok: true,
        name: `speke-v${protocol.version}`,
        dialect: "speke-v2",
        overrideFamily: "speke-v2",
        schemeOf: () => check.scheme,
      };
    }
    case "speke-v1": {
      const structure = checkKeysAndSystems(request);
      if (structure) return { ok: false, failure: structure };
      const fairPlayConflict =
        protocol.scheme !== undefined &&
        protocol.scheme !== "cbcs" &&
        request.drmSystemList?.items.some((system) => knownDrmSystem(system.systemId) === "fairPlay");
      if (fairPlayConflict)
        return {
          ok: false,
          failure: { reason: "invalid-request", message: `FairPlay needs protectionScheme=cbcs, got ${protocol.scheme}` },
        };
      return { ok: true, name: "speke-v1", dialect: "speke-v1", overrideFamily: "speke-v1", schemeOf: () => protocol.scheme };
    }
    case "cpix":
      return plainCpixProfile(request, "cpix");
  }
}

/** Plain DASH-IF CPIX: each key may name its own scheme or none (one key usable with several schemes). */
function plainCpixProfile(request: CpixDocument, name: string): Profile {
  const structure = checkKeysAndSystems(request);
  if (structure) return { ok: false, failure: structure };
  const allowHlsMethods = request.version === "2.4" || request.version === "2.3.1";
  for (const key of request.contentKeyList?.items ?? []) {
    if (key.commonEncryptionScheme !== undefined && !readSchemeValue(key.commonEncryptionScheme, allowHlsMethods)) {
      return {
        ok: false,
        failure: {
          reason: "invalid-request",
          message: `ContentKey@commonEncryptionScheme must be one of cenc, cbc1, cens, cbcs (KID ${key.kid})`,
        },
      };
    }
  }
  return {
    ok: true,
    name,
    dialect: "cpix",
    overrideFamily: "cpix",
    schemeOf: (key) =>
      key.commonEncryptionScheme === undefined ? undefined : readSchemeValue(key.commonEncryptionScheme, allowHlsMethods),
  };
}

function withoutRootId(document: CpixDocument): CpixDocument {
  const { id: _id, ...rest } = document;
  return rest;
}
