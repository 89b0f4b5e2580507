import * as v from "valibot";
import { PROTECTION_SCHEMES } from "../domain/protection-scheme";
import type { QuerySchema } from "../http/query";
import { DRM_TYPES, TRACK_TYPES } from "../protocols/widevine-cenc/request";
import type { ResponseDoc, RouteDoc } from "../http/route-doc";

const ACQUIRE = { kind: "tenant", scope: "acquire" } as const;
const TAG = "Key Acquisition";

/**
 * Acquisition requests are CPIX XML or the Widevine CENC JSON envelope, read by the protocol modules
 * (src/protocols/), so their query parameters and the Widevine body are described here rather than validated by a
 * schema: the acquisition path runs no schema library. Built on first use.
 */
function described(entries: v.ObjectEntries): QuerySchema {
  return v.object(entries);
}

const text = (description: string) => v.optional(v.pipe(v.string(), v.description(description)));
const list = (description: string) => v.optional(v.pipe(v.array(v.string()), v.description(description)));

const CPIX_BODY = (spec: string) => ({ kind: "xml", description: `A CPIX document: ${spec}` }) as const;
const CPIX_ANSWER: ResponseDoc = { kind: "xml", description: "The CPIX document with the keys and the DRM signalling asked for" };
const ACQUISITION_ERRORS: Readonly<Record<number, ResponseDoc>> = {
  200: CPIX_ANSWER,
  400: { kind: "error", description: "Malformed XML, or not a CPIX document" },
  403: {
    kind: "error",
    description: "Refused by a document-security rule (RequireEncryption, RequireSignedRequests, recipient certificate)",
  },
  404: { kind: "error", description: "keySeedId names no key seed of the tenant" },
  413: { kind: "error", description: "The request body exceeds 1 MiB" },
  422: {
    kind: "error",
    description: "A CPIX or SPEKE rule is broken or not supported; the SPEKE error table's exact text where it has one",
  },
};

/** `keySeedId` and `overrideKeyIds`, read on every CPIX acquisition route (src/protocols/cpix/routes.ts). */
function commonQuery(): QuerySchema {
  return described({
    keySeedId: text("Use this key seed instead of the tenant's default (a UUID)"),
    overrideKeyIds: text("true: replace the request's Key IDs with stable ones derived from the content id (README, Stable Key IDs)"),
  });
}

/** Key Acquisition routes (tenant Basic credentials with the `acquire` scope, signed URLs, or signed requests). */
export function acquisitionRouteDocs(): RouteDoc[] {
  const common = commonQuery();
  const cpixPost = (path: string, summary: string, spec: string, extra: Partial<RouteDoc> = {}): RouteDoc => ({
    method: "post",
    path,
    tag: TAG,
    access: ACQUIRE,
    summary,
    errors: "speke-text",
    query: [common],
    body: CPIX_BODY(spec),
    responses: ACQUISITION_ERRORS,
    ...extra,
  });
  const signedResponse = v.object({ response: v.pipe(v.string(), v.metadata({ contentEncoding: "base64" })) });
  const widevine = (path: string, extra: Partial<RouteDoc>): RouteDoc => ({
    method: "post",
    path,
    tag: TAG,
    access: { kind: "signed-request" },
    summary: "Widevine Common Encryption API: content keys and PSSH for a signed request",
    description:
      "Google's Widevine Common Encryption API as Shaka Packager speaks it (widevine_common_encryption.proto). Errors are answered with HTTP 200 and a non-OK status inside the response.",
    errors: "widevine",
    body: { kind: "protocol-json", ...widevineEnvelope(), description: "SignedModularDrmRequest" },
    responses: {
      200: {
        kind: "json",
        description: "SignedModularDrmResponse: response is base64 of the inner JSON (status OK with tracks, or an error status)",
        schema: signedResponse,
      },
      429: {
        kind: "json",
        description: "The signer's tenant used up its acquisition budget; the inner status says so too",
        schema: signedResponse,
      },
    },
    ...extra,
  });
  return [
    cpixPost(
      "/api/SpekeV2",
      "SPEKE v2.0 or v2.1 key request",
      "CPIX 2.3 (SPEKE v2.0) or 2.4 (SPEKE v2.1), by X-Speke-Version (AWS SPEKE v2 specification)",
      { description: "Send X-Speke-Version: 2.0 or 2.1; the answer echoes it." },
    ),
    cpixPost("/api/Speke", "SPEKE v1 key request", "CPIX 2.0 with the speke: namespace (AWS SPEKE v1 specification)", {
      query: [common, described({ protectionScheme: text(`Encryption scheme for the keys: one of ${PROTECTION_SCHEMES.join(", ")}`) })],
    }),
    cpixPost("/api/Cpix", "Plain CPIX key request", "any CPIX 2.x request (DASH-IF CPIX 2.0–2.4)"),
    cpixPost("/api/Broadpeak", "Broadpeak key request (CPIX)", "a CPIX request as Broadpeak sends it"),
    cpixPost("/api/Broadpeak", "Broadpeak key request (CPIX in a GET body)", "a CPIX request as Broadpeak sends it", {
      method: "get",
      description:
        "Axinom's documentation names both GET and POST; a GET whose body the platform did not pass on is refused naming what to send.",
    }),
    cpixPost(
      "/api/Harmonic/v2",
      "Harmonic v2 key request (CPIX, several keys, key rotation)",
      "a CPIX request without version as Harmonic encoders send it",
      {
        description: "/api/HarmonicConfiguration may require signed requests and encrypt the keys for the signer.",
      },
    ),
    {
      method: "get",
      path: "/api/Cpix/{contentId}",
      tag: TAG,
      access: { kind: "tenant-or-signed-url", scope: "acquire" },
      summary: "A complete CPIX document for readers that can only GET (Unified Streaming --mpd.cpix=URL)",
      errors: "speke-text",
      pathParameters: { contentId: "Becomes CPIX@contentId" },
      query: [
        common,
        described({
          kid: list("Key IDs (UUIDs, repeatable); left out, one stable Key ID from the content id and scheme"),
          drm: list("DRM systems (system id UUID, or widevine, playready, fairplay, clearkey; repeatable)"),
          scheme: text(`One of ${PROTECTION_SCHEMES.join(", ")}`),
        }),
      ],
      responses: ACQUISITION_ERRORS,
    },
    {
      method: "get",
      path: "/api/Anevia",
      tag: TAG,
      access: ACQUIRE,
      summary: "Anevia/ATEME key request: the CPIX configuration as url-safe base64 JSON in id",
      errors: "speke-text",
      query: [
        common,
        described({
          id: v.pipe(v.string(), v.description("url-safe base64 of the JSON {ContentKeyIds, DrmSystemIds, ContentKeyUsageRules}")),
          fixedIv: text("true: IVs derived from seed and KID, the same on every request"),
        }),
      ],
      responses: ACQUISITION_ERRORS,
    },
    widevine("/api/WidevineProtectionInfo", {}),
    widevine("/cenc/getcontentkey/{signer}", {
      summary: "Widevine Common Encryption API at Google's path (Shaka Packager --key_server_url)",
      pathParameters: { signer: "The provider name (ignored; the body's signer decides)" },
    }),
  ];
}

/**
 * The Widevine CENC API envelope and, as `request`'s decoded content (JSON Schema `contentSchema`), the inner
 * CommonEncryptionRequest (described, not validated: src/protocols/widevine-cenc/).
 */
function widevineEnvelope() {
  const base64 = (description: string) => v.pipe(v.string(), v.metadata({ contentEncoding: "base64", description }));
  const inner = v.object({
    content_id: base64("The content identifier"),
    policy: v.optional(v.string()),
    tracks: v.array(v.object({ type: v.picklist(TRACK_TYPES) })),
    drm_types: v.optional(v.array(v.picklist(DRM_TYPES))),
    protection_scheme: v.optional(v.union([v.string(), v.number()])),
    first_crypto_period_index: v.optional(v.number()),
    crypto_period_count: v.optional(v.number()),
    crypto_period_seconds: v.optional(v.number()),
    video_feature: v.optional(v.string()),
  });
  const envelope = v.object({
    request: v.pipe(
      v.string(),
      v.metadata({
        contentEncoding: "base64",
        contentMediaType: "application/json",
        description: "base64 of the CommonEncryptionRequest JSON",
      }),
    ),
    signature: base64("AES-CBC of SHA-1(request) with the signer's key and IV, or RSASSA-PSS/SHA-1"),
    signer: v.pipe(v.string(), v.description("The provider name of a credential from /api/WidevineProtectionInfoCredentials")),
  });
  return { schema: envelope, encodedContent: { request: inner } };
}
