import {
  CPIX_GET_KID,
  WIDEVINE_REQUEST,
  WIDEVINE_ROTATION_REQUEST,
  signedWidevineBody,
  spekeV2OneKey,
  spekeV2OneKeyThreeDrms,
  spekeV2Presets,
  worstCaseCpix,
} from "./requests.mjs";
import { LARGE_TENANT_KEYS, SPEKE_V2_HEADERS, STORED_CONTENT_KEY_ID } from "./setup.mjs";

/**
 * The scenarios of the issue, in the order they run. Each has one request replayed unchanged and a check of
 * the answer made before timing; `target` is the minimum ratio to the trivial route (issue targets).
 */

const PLAIN_VALUE = /PlainValue>[A-Za-z0-9+/]{22}==</g;
const DRM_SYSTEM = /<(?:\w+:)?DRMSystem[\s>]/g;
const PSSH = /<(?:\w+:)?PSSH>[A-Za-z0-9+/=]{20,}</g;
const ENCRYPTED_VALUE = /<(?:\w+:)?EncryptedValue[\s>]/g;
const DELIVERY_DATA = /<(?:\w+:)?DeliveryData[\s>]/g;
const HLS_SIGNALLING = /<(?:\w+:)?HLSSignalingData[^>]*>[A-Za-z0-9+/=]{20,}</g;

const count = (text, pattern) => text.match(pattern)?.length ?? 0;
const expectCount = (text, pattern, expected, what) => {
  const found = count(text, pattern);
  return found === expected ? undefined : `expected ${expected} ${what}, found ${found}`;
};
const expectAtLeast = (text, pattern, expected, what) => {
  const found = count(text, pattern);
  return found >= expected ? undefined : `expected at least ${expected} ${what}, found ${found}`;
};

/**
 * Every answer must be 200 with this many keys, DRMSystems and PSSH boxes, and at least the HLS lines asked
 * for (the service also fills HLSSignalingData a request did not ask for).
 */
function cpixCheck({ keys, systems, pssh = 0, hls = 0 }) {
  return (status, text) => {
    if (status !== 200) return `HTTP ${status}: ${text.slice(0, 200)}`;
    return (
      expectCount(text, PLAIN_VALUE, keys, "PlainValue") ??
      expectCount(text, DRM_SYSTEM, systems, "DRMSystem") ??
      expectCount(text, PSSH, pssh, "PSSH") ??
      expectAtLeast(text, HLS_SIGNALLING, hls, "HLSSignalingData")
    );
  };
}

/** An answer whose content keys are all encrypted (CPIX DeliveryData): no PlainValue, one EncryptedValue per key. */
function encryptedCpixCheck({ keys, systems }) {
  return (status, text) => {
    if (status !== 200) return `HTTP ${status}: ${text.slice(0, 200)}`;
    if (count(text, PLAIN_VALUE) > 0) return "an encrypted answer carries a PlainValue";
    return (
      expectAtLeast(text, ENCRYPTED_VALUE, keys, "EncryptedValue") ??
      expectCount(text, DRM_SYSTEM, systems, "DRMSystem") ??
      expectCount(text, DELIVERY_DATA, 1, "DeliveryData")
    );
  };
}

export const TRIVIAL = {
  name: "Trivial route `GET /healthz` (ceiling)",
  request: { path: "/healthz" },
  check: (status, text) => (status === 200 && text === "ok" ? undefined : `HTTP ${status}: ${text.slice(0, 100)}`),
};

/**
 * The scenarios for one tenant and its Widevine signer; with `signed` (a tenant requiring signed requests and the
 * bodies of bench/signed-requests.mjs) also the signed 8-key request and the hostile signed one; with `large` (a tenant storing LARGE_TENANT_KEYS content keys
 * and one of their KIDs, bench/setup.mjs) also the acquisitions beside 100,000 stored keys.
 */
export function scenarios(tenant, signer, large, signed) {
  const speke = (body) => ({
    path: "/api/SpekeV2",
    method: "POST",
    headers: { ...SPEKE_V2_HEADERS, Authorization: tenant.authorization },
    body,
  });
  // The 8 keys: SD, HD1, HD2, UHD1, UHD2 (PRESET-VIDEO-5) and three audio tracks (PRESET-AUDIO-3).
  const presets = spekeV2Presets("PRESET-VIDEO-5", "PRESET-AUDIO-3");
  const worst = worstCaseCpix();
  const withDelivery = spekeV2Presets("PRESET-VIDEO-5", "PRESET-AUDIO-3", { withDeliveryData: true });
  const systemCount = presets.keyCount * 3;
  const rotationKeys = WIDEVINE_ROTATION_REQUEST.tracks.length * WIDEVINE_ROTATION_REQUEST.crypto_period_count;
  const widevine = (request) => ({
    path: "/api/WidevineProtectionInfo",
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: signedWidevineBody(request, signer.providerName, signer.signingKeyHex, signer.signingIvHex),
  });
  return [
    {
      name: "SPEKE v2, 1 key × WV/PR/FP, every form (PSSH, ContentProtectionData, both HLS playlists), cbcs",
      target: 0.7,
      keys: 1,
      request: speke(spekeV2OneKeyThreeDrms()),
      // FairPlay has no PSSH or ContentProtectionData (Apple defines none); every system gets both HLS lines.
      check: cpixCheck({ keys: 1, systems: 3, pssh: 2, hls: 6 }),
    },
    {
      // The same request for a KID made with POST /api/ContentKeys (bench/setup.mjs): the key comes from its KV
      // record, read once per isolate, instead of the derivation. Target: within 10 % of the derived one above.
      name: "SPEKE v2, 1 stored key (random, `POST /api/ContentKeys`) × WV/PR/FP, every form, cbcs",
      withinOf: { scenario: 0, fraction: 0.1 },
      keys: 1,
      request: speke(withKid(spekeV2OneKeyThreeDrms(), STORED_CONTENT_KEY_ID)),
      check: cpixCheck({ keys: 1, systems: 3, pssh: 2, hls: 6 }),
    },
    ...(large ? largeTenantScenarios(large) : []),
    {
      name: `SPEKE v2, ${presets.keyCount} keys (SD, HD1, HD2, UHD1, UHD2 + 3 audio) × WV/PR/FP, every form, cbcs`,
      target: 0.5,
      keys: presets.keyCount,
      request: speke(presets.body),
      check: cpixCheck({ keys: presets.keyCount, systems: systemCount, pssh: presets.keyCount * 2, hls: systemCount * 2 }),
    },
    {
      name: "… the same with DeliveryData (encrypted keys)",
      target: 0.4,
      keys: presets.keyCount,
      request: speke(withDelivery.body),
      // A fresh document key and IVs per answer, so each body is checked for its shape: every key encrypted, none plain.
      variesPerRequest: true,
      check: encryptedCpixCheck({ keys: presets.keyCount, systems: systemCount }),
    },
    ...(signed ? [signedPresetsScenario(signed, systemCount)] : []),
    {
      name: "Widevine CENC API, 5 tracks",
      target: 0.6,
      keys: WIDEVINE_REQUEST.tracks.length,
      request: widevine(WIDEVINE_REQUEST),
      check: widevineCheck(WIDEVINE_REQUEST.tracks.length),
    },
    {
      name: `Widevine CENC API, key rotation as Shaka asks (${WIDEVINE_ROTATION_REQUEST.crypto_period_count} crypto periods × 5 tracks = ${rotationKeys} keys)`,
      target: 0.3,
      keys: rotationKeys,
      request: widevine(WIDEVINE_ROTATION_REQUEST),
      check: widevineCheck(rotationKeys),
    },
    {
      name: "SPEKE v2, 1 key, Widevine (cenc), PSSH + ContentProtectionData (earlier runs' first row)",
      keys: 1,
      request: speke(spekeV2OneKey("widevine")),
      check: cpixCheck({ keys: 1, systems: 1, pssh: 1 }),
    },
    {
      name: "CPIX GET, 1 key × WV/PR (cenc)",
      request: {
        path: `/api/Cpix/bench-content?kid=${CPIX_GET_KID}&drm=widevine&drm=playready&scheme=cenc`,
        headers: { Authorization: tenant.authorization },
      },
      check: cpixCheck({ keys: 1, systems: 2, pssh: 2 }),
    },
    {
      name: "Management list `GET /api/KeySeeds`",
      request: { path: "/api/KeySeeds", headers: { Authorization: tenant.authorization } },
      check: (status, text) => {
        if (status !== 200) return `HTTP ${status}: ${text.slice(0, 200)}`;
        const seeds = JSON.parse(text);
        return Array.isArray(seeds) && seeds.some((seed) => seed.Id === tenant.keySeedId) ? undefined : "the tenant's seed is not listed";
      },
    },
    {
      // One connection: the p50 is what one such request costs, not how long ten of them queue in one isolate.
      name: `The review's worst request: 1 MiB, ${worst.keys.toLocaleString("en-US")} shared-prefix keys, \`?overrideKeyIds=true\` (refused, 422; 1 connection)`,
      connections: 1,
      expectStatus: 422,
      maxP50Ms: 50,
      request: {
        path: "/api/Cpix?overrideKeyIds=true",
        method: "POST",
        headers: { "Content-Type": "application/xml", Authorization: tenant.authorization },
        body: worst.body,
      },
      check: (status, text) => {
        const expected = `CPIX/ContentKeyList has ${worst.keys} ContentKey elements; one request may carry at most 1024`;
        return status === 422 && text === expected ? undefined : `expected 422 "${expected}", got HTTP ${status}: ${text.slice(0, 200)}`;
      },
    },
    ...(signed ? [hostileSignedScenario(signed)] : []),
  ];
}

/** The 8-key request signed over the whole document by the tenant's trusted requester (`RequireSignedRequests` on). */
function signedPresetsScenario({ tenant, presets }, systemCount) {
  return {
    name: `SPEKE v2, ${presets.keyCount} keys × WV/PR/FP, every form, cbcs, signed (XML-DSig, RSA-2048, exc-c14n) by a trusted requester, \`RequireSignedRequests\` on`,
    keys: presets.keyCount,
    request: {
      path: "/api/SpekeV2",
      method: "POST",
      headers: { ...SPEKE_V2_HEADERS, Authorization: tenant.authorization },
      body: presets.body,
    },
    check: cpixCheck({ keys: presets.keyCount, systems: systemCount, pssh: presets.keyCount * 2, hls: systemCount * 2 }),
  };
}

/**
 * The hostile signed request (bench/signed-requests.mjs `hostileSignedCpix`): refused by the References'
 * canonicalization budget after three full canonical forms. One connection, as the other refusal.
 */
function hostileSignedScenario({ tenant, hostile }) {
  const size = `${(Buffer.byteLength(hostile.body) / 1024 / 1024).toFixed(2)} MiB`;
  return {
    name: `Hostile signed request: ${size}, ${hostile.declarations.toLocaleString("en-US")} namespace declarations, ${hostile.elements.toLocaleString("en-US")} elements, 8 References over the document and lists (refused, 422; 1 connection)`,
    connections: 1,
    expectStatus: 422,
    maxP50Ms: 50,
    request: {
      path: "/api/SpekeV2",
      method: "POST",
      headers: { ...SPEKE_V2_HEADERS, Authorization: tenant.authorization },
      body: hostile.body,
    },
    check: (status, text) =>
      status === 422 && /References ask for more than \d+ characters of canonical XML/.test(text)
        ? undefined
        : `expected 422 naming the canonicalization budget, got HTTP ${status}: ${text.slice(0, 300)}`,
  };
}

/**
 * HTTP 200 always (Axinom Key Service API help, POST api/WidevineProtectionInfo); the verdict is `status`
 * inside the base64 `response`.
 */
function widevineCheck(trackCount) {
  return (status, text) => {
    if (status !== 200) return `HTTP ${status}`;
    const inner = JSON.parse(Buffer.from(JSON.parse(text).response, "base64").toString("utf8"));
    if (inner.status !== "OK") return `status ${inner.status}`;
    if (inner.tracks?.length !== trackCount) return `expected ${trackCount} tracks, got ${inner.tracks?.length}`;
    const keyless = inner.tracks.filter((track) => Buffer.from(track.key ?? "", "base64").length !== 16);
    return keyless.length === 0 ? undefined : `${keyless.length} tracks without a 16-byte key`;
  };
}

/** The request with its one KID replaced (the stored-key scenario asks for the KID the bench stored). */
function withKid(body, kid) {
  const current = /kid="([^"]+)"/.exec(body)?.[1];
  if (!current) throw new Error("the request names no kid");
  return body.replaceAll(current, kid);
}

/**
 * The first row's request to a tenant storing 100,000 content keys: a derived KID (the snapshot's membership filter
 * says no at once, no storage call) and a stored one (one KV read per isolate, then memory). Both within 10 % of the
 * first row.
 */
function largeTenantScenarios({ tenant, storedKid }) {
  const speke = (kid) => ({
    path: "/api/SpekeV2",
    method: "POST",
    headers: { ...SPEKE_V2_HEADERS, Authorization: tenant.authorization },
    body: kid === undefined ? spekeV2OneKeyThreeDrms() : withKid(spekeV2OneKeyThreeDrms(), kid),
  });
  const check = cpixCheck({ keys: 1, systems: 3, pssh: 2, hls: 6 });
  return [
    {
      name: `… the same, derived KID, tenant storing ${LARGE_TENANT_KEYS.toLocaleString("en")} content keys`,
      withinOf: { scenario: 0, fraction: 0.1 },
      keys: 1,
      request: speke(undefined),
      check,
    },
    {
      name: `… the same, stored KID among ${LARGE_TENANT_KEYS.toLocaleString("en")} content keys`,
      withinOf: { scenario: 0, fraction: 0.1 },
      keys: 1,
      request: speke(storedKid),
      check,
    },
  ];
}

/** The first row's request (1 key × WV/PR/FP, every form) for `kid`. */
export function oneKeyRequestFor(kid) {
  return withKid(spekeV2OneKeyThreeDrms(), kid);
}
