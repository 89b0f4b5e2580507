import { ivFromBytes } from "../../../domain/content-key";
import { fromBase64Url, fromStrictUtf8 } from "../../../domain/bytes";
import { KeyId } from "../../../domain/key-id";
import {
  MAX_ANEVIA_CONFIG_CHARS,
  MAX_ANEVIA_USAGE_RULES,
  MAX_CPIX_GET_DRMS,
  MAX_CPIX_GET_KIDS,
  MAX_FILTERS_PER_USAGE_RULE,
} from "../../../domain/request-limits";
import { SystemIds, type SystemId } from "../../../domain/system-id";
import type { CpixAudioFilter, CpixBitrateFilter, CpixContentKeyUsageRule, CpixDocument, CpixVideoFilter } from "../../../cpix/model";
import { knownDrmSystem } from "../../../drm/system-ids";
import type { CpixRequestUrl, CpixUrlProfile, CpixUrlRequest } from "../profile";
import { plainCpixProfile } from "./plain-cpix";

/** First stable Key ID part of Anevia with `?overrideKeyIds=true`; changing it changes every Key ID issued that way. */
const STABLE_KEY_ID_LABEL = "anevia";

type Failure = { readonly ok: false; readonly failure: { readonly reason: "invalid-request"; readonly message: string } };
const fail = (message: string): Failure => ({ ok: false, failure: { reason: "invalid-request", message } });

/**
 * The CPIX request a `GET /api/Anevia?id=<base64url JSON>[&fixedIv=true]` stands for (Axinom Key Service docs,
 * Anevia: "CPIX Configuration as url-safe base64-encoded JSON" naming `ContentKeyIds`, `DrmSystemIds` and
 * `ContentKeyUsageRules`, the rules "a pass-through which will be set in CPIX and returned to the Client").
 * Every key is signalled for every requested system. IVs: with `fixedIv=true` each key's explicitIV is derived from
 * seed and KID, so every request gets the same; by default each answer carries a fresh random 16-byte IV per key
 * (Axinom Key Service docs, Anevia: "If true, returned IVs are deterministic").
 */
async function aneviaRequest(url: CpixRequestUrl): Promise<CpixUrlRequest> {
  const fixedIvValues = url.queries("fixedIv");
  if (fixedIvValues.length > 1) return fail("Give fixedIv at most once");
  const fixedIv = fixedIvValues[0]?.toLowerCase();
  if (fixedIv !== undefined && fixedIv !== "true" && fixedIv !== "false") return fail("fixedIv must be true or false");

  const ids = url.queries("id");
  if (ids.length !== 1) return fail("Give the CPIX configuration once, as id=<url-safe base64 of JSON>");
  const id = ids[0]!;
  if (id.length > MAX_ANEVIA_CONFIG_CHARS) return fail(`The id parameter exceeds ${MAX_ANEVIA_CONFIG_CHARS} characters`);
  const bytes = /^[A-Za-z0-9_-]*={0,2}$/.test(id) ? fromBase64Url(id.replace(/=+$/, "")) : undefined;
  if (bytes === undefined || bytes.length === 0) return fail("The id parameter is not url-safe base64 (RFC 4648 §5)");
  let config: unknown;
  try {
    config = JSON.parse(fromStrictUtf8(bytes));
  } catch {
    return fail("The id parameter does not decode to UTF-8 JSON");
  }
  if (typeof config !== "object" || config === null || Array.isArray(config)) return fail("The CPIX configuration must be a JSON object");
  const fields = config as Record<string, unknown>;

  const keyIdValues = fields["ContentKeyIds"];
  if (!Array.isArray(keyIdValues) || keyIdValues.length === 0) return fail("ContentKeyIds must be a non-empty array of Key IDs");
  if (keyIdValues.length > MAX_CPIX_GET_KIDS) return fail(`ContentKeyIds may name at most ${MAX_CPIX_GET_KIDS} Key IDs`);
  const kids = new Map<string, KeyId>();
  for (const value of keyIdValues) {
    const kid = typeof value === "string" ? KeyId.parse(value) : undefined;
    if (!kid) return fail("Each of ContentKeyIds must be a UUID");
    if (kids.has(kid.toString())) return fail(`ContentKeyIds names ${kid} twice`);
    kids.set(kid.toString(), kid);
  }

  const systemValues = fields["DrmSystemIds"];
  if (!Array.isArray(systemValues) || systemValues.length === 0) return fail("DrmSystemIds must be a non-empty array of DRM system ids");
  if (systemValues.length > MAX_CPIX_GET_DRMS) return fail(`DrmSystemIds may name at most ${MAX_CPIX_GET_DRMS} systems`);
  const systems = new Map<string, SystemId>();
  for (const value of systemValues) {
    const systemId = typeof value === "string" ? SystemIds.parse(value) : undefined;
    if (!systemId) return fail("Each of DrmSystemIds must be a UUID");
    if (knownDrmSystem(systemId) === undefined) {
      return fail(`DrmSystemIds names ${systemId}, which is not supported; supported: Widevine, PlayReady, FairPlay, W3C Common PSSH`);
    }
    systems.set(systemId.toString(), systemId);
  }

  const rules = usageRules(fields["ContentKeyUsageRules"], kids);
  if (!rules.ok) return rules;

  const keys = [...kids.values()].map((kid) =>
    fixedIv === "true" ? { kid } : { kid, explicitIV: ivFromBytes(crypto.getRandomValues(new Uint8Array(16))) },
  );
  const document: CpixDocument = {
    version: "2.3",
    contentKeyList: { items: keys },
    drmSystemList: {
      items: [...kids.values()].flatMap((kid) =>
        [...systems.values()].map((systemId) => ({ systemId, kid, hlsSignalingData: [], extensions: [] })),
      ),
    },
    ...(rules.rules.length > 0 && { contentKeyUsageRuleList: { items: rules.rules } }),
  };
  return { ok: true, document };
}

type RulesResult = { readonly ok: true; readonly rules: readonly CpixContentKeyUsageRule[] } | Failure;

/** `ContentKeyUsageRules` as CPIX ContentKeyUsageRule elements (CPIX 2.3 §ContentKeyUsageRule Element). */
function usageRules(value: unknown, kids: ReadonlyMap<string, KeyId>): RulesResult {
  if (value === undefined || value === null) return { ok: true, rules: [] };
  if (!Array.isArray(value)) return fail("ContentKeyUsageRules must be an array");
  if (value.length > MAX_ANEVIA_USAGE_RULES) return fail(`ContentKeyUsageRules may hold at most ${MAX_ANEVIA_USAGE_RULES} rules`);
  const rules: CpixContentKeyUsageRule[] = [];
  for (const [i, item] of value.entries()) {
    const where = `ContentKeyUsageRules[${i}]`;
    if (typeof item !== "object" || item === null || Array.isArray(item)) return fail(`${where} must be an object`);
    const rule = item as Record<string, unknown>;
    const kid = typeof rule["KeyId"] === "string" ? KeyId.parse(rule["KeyId"]) : undefined;
    if (!kid) return fail(`${where}.KeyId must be a UUID`);
    if (!kids.has(kid.toString())) return fail(`${where}.KeyId ${kid} is not one of ContentKeyIds`);
    const video = filters<CpixVideoFilter>(
      rule["VideoFilters"],
      `${where}.VideoFilters`,
      ["minPixels", "maxPixels", "minFps", "maxFps"],
      ["hdr", "wcg"],
    );
    if (!video.ok) return video;
    const audio = filters<CpixAudioFilter>(rule["AudioFilters"], `${where}.AudioFilters`, ["minChannels", "maxChannels"], []);
    if (!audio.ok) return audio;
    const bitrate = filters<CpixBitrateFilter>(rule["BitrateFilters"], `${where}.BitrateFilters`, ["minBitrate", "maxBitrate"], []);
    if (!bitrate.ok) return bitrate;
    const intendedTrackType = rule["IntendedTrackType"];
    if (intendedTrackType !== undefined && typeof intendedTrackType !== "string")
      return fail(`${where}.IntendedTrackType must be a string`);
    rules.push({
      kid,
      ...(intendedTrackType !== undefined && { intendedTrackType }),
      keyPeriodFilters: [],
      labelFilters: [],
      videoFilters: video.filters,
      audioFilters: audio.filters,
      bitrateFilters: bitrate.filters,
      extensions: [],
    });
  }
  return { ok: true, rules };
}

/** One filter list: objects whose named attributes are non-negative integers (or booleans); `[{}]` is a filter without bounds. */
function filters<T>(
  value: unknown,
  where: string,
  numbers: readonly string[],
  booleans: readonly string[],
): { readonly ok: true; readonly filters: readonly T[] } | Failure {
  if (value === undefined || value === null) return { ok: true, filters: [] };
  if (!Array.isArray(value)) return fail(`${where} must be an array`);
  if (value.length > MAX_FILTERS_PER_USAGE_RULE) return fail(`${where} may hold at most ${MAX_FILTERS_PER_USAGE_RULE} filters`);
  const out: T[] = [];
  for (const [i, item] of value.entries()) {
    if (typeof item !== "object" || item === null || Array.isArray(item)) return fail(`${where}[${i}] must be an object`);
    const filter: Record<string, number | boolean> = {};
    for (const [name, field] of Object.entries(item as Record<string, unknown>)) {
      if (numbers.includes(name)) {
        if (typeof field !== "number" || !Number.isSafeInteger(field) || field < 0)
          return fail(`${where}[${i}].${name} must be a non-negative integer`);
        filter[name] = field;
      } else if (booleans.includes(name)) {
        if (typeof field !== "boolean") return fail(`${where}[${i}].${name} must be true or false`);
        filter[name] = field;
      } else {
        return fail(`${where}[${i}] has an unknown attribute ${name.slice(0, 40)}; allowed: ${[...numbers, ...booleans].join(", ")}`);
      }
    }
    out.push(filter as T);
  }
  return { ok: true, filters: out };
}

/**
 * `GET /api/Anevia` (Anevia/ATEME NEA-DVR): the built document is answered as plain CPIX, logged as "anevia";
 * `?overrideKeyIds=true` names Key IDs from "anevia", the ordered requested Key IDs, period and key index.
 */
export const ANEVIA: CpixUrlProfile = {
  ...plainCpixProfile("anevia"),
  stableKeyIdParts: (request, _key, index, period) => [
    STABLE_KEY_ID_LABEL,
    (request.contentKeyList?.items ?? []).map((key) => key.kid.toString()).join(","),
    period,
    String(index),
  ],
  requestFromUrl: aneviaRequest,
};
