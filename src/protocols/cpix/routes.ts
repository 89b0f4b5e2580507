import * as v from "valibot";
import { PROTECTION_SCHEMES } from "../../domain/protection-scheme";
import type { LazyRouteDoc } from "../../http/route-doc";
import { routeGroup } from "../../http/route-group";
import {
  ACQUISITION_TAG,
  CPIX_ACQUISITION_RESPONSES,
  cpixBodyRouteDoc,
  cpixCommonQuery,
  described,
  describedList,
  describedText,
} from "../acquisition-route-doc-parts";
import { harmonicSecurity } from "./acquisition-security";
import { ANEVIA } from "./profiles/anevia";
import { BROADPEAK } from "./profiles/broadpeak";
import { CPIX_GET } from "./profiles/cpix-get";
import { HARMONIC } from "./profiles/harmonic";
import { PLAIN_CPIX } from "./profiles/plain-cpix";
import { spekeV1Profile } from "./profiles/speke-v1";
import { SPEKE_V2_PROFILES } from "./profiles/speke-v2";
import { SPEKE_CPIX_VERSIONS, type SpekeV2Version } from "./profiles/speke-v2-rules";
import { readSchemeParameter } from "./scheme-parameter";
import { acquisitionFailureResponse } from "./wire";
import { acquisitionProtocol } from "./acquisition-access";
import { NO_HEADERS, answerBody, answerUrl, type AnswerHeaders } from "./route-answer";

/** Identifies the key provider (SPEKE v2 `X-Speke-User-Agent`, v1 `Speke-User-Agent`, mandatory). */
export const SPEKE_USER_AGENT = "edge-key-service/0.1";

const SPEKE_V1_HEADERS: AnswerHeaders = { "Speke-User-Agent": SPEKE_USER_AGENT };
const SPEKE_V2_AGENT_HEADERS: AnswerHeaders = { "X-Speke-User-Agent": SPEKE_USER_AGENT };
/** "X-Speke-Version … cannot be modified by the key provider" (AWS SPEKE v2 docs, vod-workflow-method-v2): echoed. */
const SPEKE_V2_HEADERS: Readonly<Record<SpekeV2Version, AnswerHeaders>> = {
  "2.0": { ...SPEKE_V2_AGENT_HEADERS, "X-Speke-Version": "2.0" },
  "2.1": { ...SPEKE_V2_AGENT_HEADERS, "X-Speke-Version": "2.1" },
};
const SPEKE_V2_SUPPORTED = Object.keys(SPEKE_CPIX_VERSIONS);

/** The CPIX routes' shape of a storage fault: SPEKE's text error, 503, `Retry-After`. */
function cpixUnavailable(retryAfterSeconds: number): Response {
  return acquisitionFailureResponse({ reason: "storage-unavailable", retryAfterSeconds }, { "Retry-After": String(retryAfterSeconds) });
}

function cpixSuspended(): Response {
  return acquisitionFailureResponse({ reason: "tenant-suspended" });
}

/** Key Acquisition over CPIX with the request in the body: SPEKE v2.0/v2.1, SPEKE v1, plain CPIX, Broadpeak, Harmonic; behind tenant auth. */
export const cpixRoutes = routeGroup({ kind: "tenant", scope: "acquire" }, cpixUnavailable, cpixSuspended);
const routes = cpixRoutes;

const spekeV2Doc: LazyRouteDoc | false =
  __OPENAPI__ &&
  (() =>
    cpixBodyRouteDoc(
      "SPEKE v2.0 or v2.1 key request",
      "CPIX 2.3 (SPEKE v2.0) or 2.4 (SPEKE v2.1), by X-Speke-Version (AWS SPEKE v2 specification)",
      { description: "Send X-Speke-Version: 2.0 or 2.1; the answer echoes it." },
    ));

routes.declare("post", "/api/SpekeV2", spekeV2Doc, acquisitionProtocol("SpekeV2", SPEKE_V2_AGENT_HEADERS), async (c) => {
  const requested = c.req.header("X-Speke-Version")?.trim();
  if (requested === undefined || !Object.hasOwn(SPEKE_CPIX_VERSIONS, requested)) {
    return acquisitionFailureResponse(
      { reason: "speke-version", received: requested, supported: SPEKE_V2_SUPPORTED },
      SPEKE_V2_AGENT_HEADERS,
    );
  }
  const version = requested as SpekeV2Version;
  return answerBody(c, SPEKE_V2_PROFILES[version], SPEKE_V2_HEADERS[version]);
});

const spekeV1Doc: LazyRouteDoc | false =
  __OPENAPI__ &&
  (() =>
    cpixBodyRouteDoc("SPEKE v1 key request", "CPIX 2.0 with the speke: namespace (AWS SPEKE v1 specification)", {
      query: [
        cpixCommonQuery(),
        described({ protectionScheme: describedText(`Encryption scheme for the keys: one of ${PROTECTION_SCHEMES.join(", ")}`) }),
      ],
    }));

routes.declare("post", "/api/Speke", spekeV1Doc, acquisitionProtocol("Speke", SPEKE_V1_HEADERS), async (c) => {
  const scheme = readSchemeParameter(c.req.query("protectionScheme"));
  if (scheme === "invalid")
    return acquisitionFailureResponse(
      { reason: "invalid-request", message: "protectionScheme must be one of cenc, cbcs, cens, cbc1" },
      SPEKE_V1_HEADERS,
    );
  return answerBody(c, spekeV1Profile(scheme), SPEKE_V1_HEADERS);
});

const plainCpixDoc: LazyRouteDoc | false =
  __OPENAPI__ && (() => cpixBodyRouteDoc("Plain CPIX key request", "any CPIX 2.x request (DASH-IF CPIX 2.0–2.4)"));

routes.declare("post", "/api/Cpix", plainCpixDoc, acquisitionProtocol("Cpix"), (c) => answerBody(c, PLAIN_CPIX, NO_HEADERS));

/**
 * Broadpeak Origin Packager / BkS: a CPIX request body; Axinom's docs list the endpoint as GET in one revision and
 * POST in another (Axinom Key Service docs, Key Acquisition API), so both are routed. A GET whose body the platform
 * did not pass on gets the "empty body" refusal naming what to send.
 */
const broadpeakPostDoc: LazyRouteDoc | false =
  __OPENAPI__ && (() => cpixBodyRouteDoc("Broadpeak key request (CPIX)", "a CPIX request as Broadpeak sends it"));
const broadpeakGetDoc: LazyRouteDoc | false =
  __OPENAPI__ &&
  (() =>
    cpixBodyRouteDoc("Broadpeak key request (CPIX in a GET body)", "a CPIX request as Broadpeak sends it", {
      description:
        "Axinom's documentation names both GET and POST; a GET whose body the platform did not pass on is refused naming what to send.",
    }));

routes.declare("post", "/api/Broadpeak", broadpeakPostDoc, acquisitionProtocol("Broadpeak"), (c) => answerBody(c, BROADPEAK, NO_HEADERS));
routes.declare("get", "/api/Broadpeak", broadpeakGetDoc, acquisitionProtocol("Broadpeak"), (c) => answerBody(c, BROADPEAK, NO_HEADERS));

const harmonicDoc: LazyRouteDoc | false =
  __OPENAPI__ &&
  (() =>
    cpixBodyRouteDoc(
      "Harmonic v2 key request (CPIX, several keys, key rotation)",
      "a CPIX request without version as Harmonic encoders send it",
      { description: "/api/HarmonicConfiguration may require signed requests and encrypt the keys for the signer." },
    ));

/**
 * Harmonic encoders (v2: several keys, key rotation). The tenant's `/api/HarmonicConfiguration` adds Axinom's rules
 * (Axinom Key Service docs, Harmonic): `RequireSignatures` answers only requests signed by a trusted requester
 * (`/api/TrustedRequesters`) and signs the answer with the tenant's `SigningKeyId` key (even without
 * `SignResponses`); `EncryptContentKeys` encrypts the keys for that signer's certificate. A signed request is
 * verified either way, as on every CPIX endpoint.
 */
routes.declare("post", "/api/Harmonic/v2", harmonicDoc, acquisitionProtocol("Harmonic"), (c) =>
  answerBody(c, HARMONIC, NO_HEADERS, harmonicSecurity),
);

/**
 * `GET /api/Cpix/{contentId}`: Basic credentials like the routes above, or a signed URL without them
 * (`POST /api/CpixUrls`; src/http/signed-url-auth.ts).
 */
export const cpixUrlRoutes = routeGroup({ kind: "tenant-or-signed-url", scope: "acquire" }, cpixUnavailable, cpixSuspended);

const cpixGetDoc: LazyRouteDoc | false =
  __OPENAPI__ &&
  (() => ({
    tag: ACQUISITION_TAG,
    summary: "A complete CPIX document for readers that can only GET (Unified Streaming --mpd.cpix=URL)",
    errors: "speke-text",
    pathParameters: { contentId: "Becomes CPIX@contentId" },
    query: [
      cpixCommonQuery(),
      described({
        kid: describedList("Key IDs (UUIDs, repeatable); left out, one stable Key ID from the content id and scheme"),
        drm: describedList("DRM systems (system id UUID, or widevine, playready, fairplay, clearkey; repeatable)"),
        scheme: describedText(`One of ${PROTECTION_SCHEMES.join(", ")}`),
      }),
    ],
    responses: CPIX_ACQUISITION_RESPONSES,
  }));

cpixUrlRoutes.declare("get", "/api/Cpix/{contentId}", cpixGetDoc, acquisitionProtocol("CpixGet"), (c) => answerUrl(c, CPIX_GET));

/**
 * Anevia/ATEME NEA-DVR: the CPIX configuration is base64url JSON in `id` (Axinom Key Service docs, Anevia); behind
 * tenant auth. A group of its own, after `cpixUrlRoutes`, because the OpenAPI document lists it there.
 */
export const aneviaRoutes = routeGroup({ kind: "tenant", scope: "acquire" }, cpixUnavailable, cpixSuspended);

const aneviaDoc: LazyRouteDoc | false =
  __OPENAPI__ &&
  (() => ({
    tag: ACQUISITION_TAG,
    summary: "Anevia/ATEME key request: the CPIX configuration as url-safe base64 JSON in id",
    errors: "speke-text",
    query: [
      cpixCommonQuery(),
      described({
        id: v.pipe(v.string(), v.description("url-safe base64 of the JSON {ContentKeyIds, DrmSystemIds, ContentKeyUsageRules}")),
        fixedIv: describedText("true: IVs derived from seed and KID, the same on every request"),
      }),
    ],
    responses: CPIX_ACQUISITION_RESPONSES,
  }));

aneviaRoutes.declare("get", "/api/Anevia", aneviaDoc, acquisitionProtocol("Anevia"), (c) => answerUrl(c, ANEVIA));
