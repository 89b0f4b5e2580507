/**
 * How much work one request may ask for, in one place. Every acquisition protocol's cost grows with the elements
 * or fields its request repeats; these bound each of them so one authenticated request cannot stall an isolate
 * that serves other tenants, and every limit is far above what a packager sends. The README's API section lists
 * them; a request over a limit is refused, in its protocol's error shape, with a message naming the limit.
 */

/** Largest request body any endpoint accepts (issue: CPIX acquisition §6, "a body over 1 MiB gets 413"). */
export const MAX_BODY_BYTES = 1024 * 1024;

/**
 * Most `ContentKey` elements in one CPIX request. A SPEKE v2 preset pair asks for at most 8 (speke-v2-presets.json);
 * a live request with key rotation for a few dozen. Counted before any key is read.
 */
export const MAX_CONTENT_KEYS = 1024;

/**
 * Most content keys one `POST /api/Import/ContentKeys` (JSON or CPIX) takes and one `POST /api/Export/ContentKeys`
 * document holds: the same as MAX_CONTENT_KEYS, so the JSON and CPIX forms of an import accept the same number and
 * every export can be imported back in one request. Inside MAX_BODY_BYTES either way (measured, with a 16-byte IV
 * on every key): 1,024 JSON entries with names are about 140 KB, a plain export of 1,024 keys about 285 KB and an
 * encrypted one about 690 KB.
 */
export const MAX_CONTENT_KEY_TRANSFER = MAX_CONTENT_KEYS;

/** Most `DRMSystem` elements in one CPIX request: four DRM systems for every key of a full request. */
export const MAX_DRM_SYSTEMS = 4096;

/** Most `ContentKeyPeriod` elements in one CPIX request (one key per period at the key limit). */
export const MAX_CONTENT_KEY_PERIODS = 1024;

/** Most `ContentKeyUsageRule` elements in one CPIX request (four rules for every key at the key limit). */
export const MAX_USAGE_RULES = 4096;

/**
 * Most filters of one kind (`KeyPeriodFilter`, `LabelFilter`, `VideoFilter`, `AudioFilter`, `BitrateFilter`) in
 * one `ContentKeyUsageRule`; the SPEKE v2 encryption-contract presets use one of each at most.
 */
export const MAX_FILTERS_PER_USAGE_RULE = 64;

/*
 * The deepest element nesting any XML reader accepts is MAX_XML_DEPTH (64) in src/xml/namespaces.ts, beside the
 * parser that enforces it: the XML layer imports nothing of ours.
 */

/**
 * Largest answer, in UTF-8 bytes, any acquisition protocol sends. Checked while the answer is built (the DRM
 * signalling as each DRMSystem is filled, then the text as it is written), so a refused answer is never built
 * whole. 16 MiB holds a full request's worth of signalling with default settings: 1,024 keys × Widevine,
 * PlayReady, FairPlay and W3C Common PSSH, every form, is about 8 MB.
 */
export const MAX_ANSWER_BYTES = 16 * 1024 * 1024;

/** `kid` parameters of one `GET /api/Cpix/{contentId}`: a URL cannot ask for an unbounded document. */
export const MAX_CPIX_GET_KIDS = 32;

/** `drm` parameters of one `GET /api/Cpix/{contentId}`. */
export const MAX_CPIX_GET_DRMS = 8;

/**
 * Most crypto periods one Widevine CENC request may ask for. With at most 5 tracks (one per track type) and 3
 * drm_types, one response holds at most 500 keys and 1,500 signalling entries. Shaka asks for 10 at a time
 * (`--crypto_period_count` default in `packager/app/packager_main.cc`).
 */
export const MAX_CRYPTO_PERIOD_COUNT = 100;

/**
 * Longest Widevine CENC `content_id`, in bytes. It is echoed into the response and written into the Widevine
 * PSSH data of every track, so its length multiplies by up to 500 keys; Shaka sends the bytes of
 * `--content_id` (16 in Google's examples) and Axinom's samples a 36-character GUID.
 */
export const MAX_WIDEVINE_CONTENT_ID_BYTES = 1024;

/** Characters of the `id` parameter of one `GET /api/Anevia` (base64url JSON): a URL cannot ask for an unbounded document. */
export const MAX_ANEVIA_CONFIG_CHARS = 16 * 1024;

/** Entries of `ContentKeyUsageRules` in one `GET /api/Anevia` configuration. */
export const MAX_ANEVIA_USAGE_RULES = 64;
