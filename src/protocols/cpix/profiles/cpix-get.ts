import { KeyId } from "../../../domain/key-id";
import { MAX_CPIX_GET_DRMS, MAX_CPIX_GET_KIDS } from "../../../domain/request-limits";
import { firstNonXmlChar } from "../../../xml/chars";
import type { ProtectionScheme } from "../../../domain/protection-scheme";
import { stableKeyId } from "../../../domain/stable-key-id";
import { SystemIds, type SystemId } from "../../../domain/system-id";
import type { CpixDocument } from "../../../cpix/model";
import { SYSTEM_IDS } from "../../../drm/system-ids";
import type { CpixRequestUrl, CpixUrlProfile, CpixUrlRequest } from "../profile";
import { readSchemeParameter } from "../scheme-parameter";
import { plainCpixProfile } from "./plain-cpix";

/** First stable Key ID part of a GET without `kid`; changing it changes every Key ID issued that way. */
const STABLE_KEY_ID_LABEL = "cpix-get";
/** DRM names accepted by `drm=` besides system ids. */
const DRM_NAMES: Record<string, SystemId> = {
  widevine: SYSTEM_IDS.widevine,
  playready: SYSTEM_IDS.playReady,
  fairplay: SYSTEM_IDS.fairPlay,
  clearkey: SYSTEM_IDS.commonPssh,
};

/**
 * The CPIX 2.3 request a `GET /api/Cpix/{contentId}?kid=…&drm=…&scheme=…` stands for, for readers that can
 * only GET a URL (Unified Streaming `--mpd.cpix=URL`; Unified Streaming docs, CPIX command-line options).
 * Without `kid` the key id is `stableKeyId(tenant, ["cpix-get", contentId, scheme])`; without `drm`, Widevine
 * and PlayReady (and FairPlay for cbcs) are signalled.
 */
async function cpixGetRequest(url: CpixRequestUrl, tenantId: string): Promise<CpixUrlRequest> {
  const fail = (message: string) => ({ ok: false, failure: { reason: "invalid-request", message } }) as const;
  const contentId = url.param("contentId") ?? "";
  // It becomes CPIX@contentId: a character no XML document may hold (XML 1.0 §2.2 Char) cannot be answered.
  if (firstNonXmlChar(contentId) !== -1) return fail("contentId must hold only characters XML allows (XML 1.0 §2.2 Char)");
  const schemeValues = url.queries("scheme");
  if (schemeValues.length > 1) return fail("Give scheme at most once");
  const scheme = readSchemeParameter(schemeValues[0]);
  if (scheme === "invalid") return fail("scheme must be one of cenc, cbcs, cens, cbc1");

  const kidValues = url.queries("kid");
  if (kidValues.length > MAX_CPIX_GET_KIDS) return fail(`At most ${MAX_CPIX_GET_KIDS} kid parameters`);
  const kids = new Map<string, KeyId>();
  for (const value of kidValues) {
    const kid = KeyId.parse(value);
    if (!kid) return fail("Each kid must be a UUID");
    if (kids.has(kid.toString())) return fail(`kid ${kid} is given twice`);
    kids.set(kid.toString(), kid);
  }
  if (kids.size === 0) {
    const kid = await stableKeyId(tenantId, [STABLE_KEY_ID_LABEL, contentId, scheme ?? ""]);
    kids.set(kid.toString(), kid);
  }

  const drmValues = url.queries("drm");
  if (drmValues.length > MAX_CPIX_GET_DRMS) return fail(`At most ${MAX_CPIX_GET_DRMS} drm parameters`);
  const systems = new Map<string, SystemId>();
  for (const value of drmValues) {
    const systemId = DRM_NAMES[value.toLowerCase()] ?? SystemIds.parse(value);
    if (!systemId) return fail("Each drm must be a DRM system id (UUID) or one of widevine, playready, fairplay, clearkey");
    if (!systems.has(systemId.toString())) systems.set(systemId.toString(), systemId);
  }
  if (drmValues.length === 0) {
    for (const systemId of [SYSTEM_IDS.widevine, SYSTEM_IDS.playReady, ...(scheme === "cbcs" ? [SYSTEM_IDS.fairPlay] : [])]) {
      systems.set(systemId.toString(), systemId);
    }
  }

  return { ok: true, document: buildDocument(contentId, [...kids.values()], [...systems.values()], scheme) };
}

function buildDocument(contentId: string, kids: KeyId[], systems: SystemId[], scheme: ProtectionScheme | undefined): CpixDocument {
  return {
    contentId,
    version: "2.3",
    contentKeyList: { items: kids.map((kid) => ({ kid, ...(scheme && { commonEncryptionScheme: scheme }) })) },
    drmSystemList: { items: kids.flatMap((kid) => systems.map((systemId) => ({ systemId, kid, hlsSignalingData: [], extensions: [] }))) },
  };
}

/**
 * `GET /api/Cpix/{contentId}`: the built document is answered as plain CPIX (so `?overrideKeyIds=true` names Key
 * IDs as plain CPIX does), logged as "cpix-get".
 */
export const CPIX_GET: CpixUrlProfile = { ...plainCpixProfile("cpix-get"), requestFromUrl: cpixGetRequest };
