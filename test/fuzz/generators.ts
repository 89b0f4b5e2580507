import fc from "fast-check";
import { toBase64, utf8 } from "../../src/domain/bytes";
import { aesRequestSignature } from "../../src/protocols/widevine-cenc/signature";
import { TEST_BINDINGS } from "../test-bindings";
import { CPIX_CORPUS } from "./corpus";
import {
  arrayBodyRecipe,
  bodyRecipe,
  describeBody,
  labeled,
  literal,
  objectEntries,
  renderBody,
  weirdJson,
  type BodyRecipe,
  type LabeledJson,
} from "./json-bodies";
import { cpixRecipe, describeCpix, renderCpix, type CpixRecipe } from "./xml-mutations";
import {
  protocolWord,
  weirdBase64,
  weirdHeaderText,
  weirdNumber,
  weirdShortText,
  weirdText,
  weirdUuid,
  type WeirdText,
} from "./weird-values";

/**
 * The fuzz targets: one per endpoint (or resource), each a fast-check arbitrary of request recipes, a renderer
 * that turns a recipe into an HTTP request for a given tenant, and a description of a recipe's shape for
 * reports. Shared by test/workers/fuzz.test.ts (a few hundred inputs per target) and `npm run fuzz`.
 */

/** The tenant the fuzzer attacks, and the secrets no response may contain. */
export interface FuzzTenant {
  readonly tenantId: string;
  readonly managementKey: string;
  readonly authorization: string;
  /** The imported test seed (Microsoft's published one), the keys' source in the known-good checks. */
  readonly seedId: string;
  /** A Widevine signer bound to that seed. */
  readonly providerName: string;
  readonly signingKey: Uint8Array;
  readonly signingIv: Uint8Array;
}

export interface FuzzRequest {
  readonly method: string;
  /** Path and query, as they go on the wire. */
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: Uint8Array;
}

/** How an endpoint reports errors: the JSON shape, the protocol's text, or Widevine's HTTP 200 with a status. */
export type ErrorStyle = "json" | "text" | "widevine";

export interface FuzzTarget<R = unknown> {
  readonly name: string;
  readonly errorStyle: ErrorStyle;
  /**
   * Requests sent after each 2xx answer, held to the same property: a write that was accepted must not break what
   * reads it (e.g. settings that every acquisition's signalling uses).
   */
  readonly afterwards?: (request: FuzzRequest, tenant: FuzzTenant) => readonly FuzzRequest[];
  readonly recipe: fc.Arbitrary<R>;
  render(recipe: R, tenant: FuzzTenant): Promise<FuzzRequest>;
  describe(recipe: R): string;
}

/** Stands for the tenant's own test seed id, filled in at render time. */
const KNOWN_SEED_ID: WeirdText = { label: "known-seed-id", text: "" };
/** Stands for the tenant's Widevine provider name. */
const KNOWN_PROVIDER: WeirdText = { label: "known-provider", text: "" };
/** Stands for the tenant's own id. */
const KNOWN_TENANT: WeirdText = { label: "known-tenant-id", text: "" };

/** The text a value stands for: the placeholders by their label (generated labels name a kind and a length). */
function resolve(value: WeirdText, tenant: FuzzTenant): string {
  switch (value.label) {
    case KNOWN_SEED_ID.label:
      return tenant.seedId;
    case KNOWN_PROVIDER.label:
      return tenant.providerName;
    case KNOWN_TENANT.label:
      return tenant.tenantId;
    default:
      return value.text;
  }
}

type Auth = "tenant" | "none" | "wrong-key" | "other-scheme" | "garbage";

const tenantAuth: fc.Arbitrary<Auth> = fc.oneof(
  { weight: 30, arbitrary: fc.constant<Auth>("tenant") },
  { weight: 1, arbitrary: fc.constantFrom<Auth>("none", "wrong-key", "other-scheme", "garbage") },
);

function authorizationHeader(auth: Auth, tenant: FuzzTenant, admin = false): Record<string, string> {
  switch (auth) {
    case "tenant":
      return { Authorization: admin ? `Bearer ${TEST_BINDINGS.ADMIN_TOKEN}` : tenant.authorization };
    case "none":
      return {};
    case "wrong-key":
      return { Authorization: admin ? "Bearer wrong" : `Basic ${btoa(`${tenant.tenantId}:wrong`)}` };
    case "other-scheme":
      return { Authorization: admin ? tenant.authorization : `Bearer ${TEST_BINDINGS.ADMIN_TOKEN}` };
    case "garbage":
      return { Authorization: "Basic %%%" };
  }
}

const contentTypes = [
  "application/json",
  "application/json; charset=utf-8",
  "application/xml",
  "text/xml; charset=utf-16",
  "text/plain",
  "multipart/form-data; boundary=x",
  "",
] as const;

function contentType(preferred: string): fc.Arbitrary<string | undefined> {
  return fc.oneof(
    { weight: 12, arbitrary: fc.constant(preferred) },
    { weight: 1, arbitrary: fc.constantFrom<string | undefined>(undefined, ...contentTypes) },
  );
}

/** Percent sequences as a client might send them raw: stray `%`, bad hex, invalid UTF-8, an encoded NUL. */
const rawPercent: fc.Arbitrary<WeirdText> = fc.constantFrom(
  ...["%", "%zz", "%E9", "%C3%28", "%00", "%ED%A0%80", "%F4%90%80%80", "+", "a=b", "&&", "%2525", "%0A", ".", ".."].map((text) => ({
    label: `raw:${JSON.stringify(text)}`,
    text,
  })),
);

interface QueryParameter {
  readonly name: WeirdText;
  readonly value: WeirdText;
  /** Sent as written, without percent-encoding. */
  readonly raw: boolean;
}

function queryParameters(names: fc.Arbitrary<WeirdText>, values: fc.Arbitrary<WeirdText>, maxLength = 4): fc.Arbitrary<QueryParameter[]> {
  const parameter = fc.oneof(
    { weight: 8, arbitrary: fc.record({ name: names, value: values, raw: fc.constant(false) }) },
    { weight: 1, arbitrary: fc.record({ name: names, value: rawPercent, raw: fc.constant(true) }) },
    { weight: 1, arbitrary: fc.record({ name: weirdShortText, value: weirdShortText, raw: fc.constant(false) }) },
  );
  return fc.array(parameter, { maxLength });
}

function names(...texts: string[]): fc.Arbitrary<WeirdText> {
  return fc.constantFrom(...texts.map((text) => ({ label: text, text })));
}

/** Percent-encodes UTF-8 (lone surrogates become U+FFFD, as TextEncoder does), unlike encodeURIComponent which throws. */
function percentEncode(text: string): string {
  let out = "";
  for (const byte of utf8(text)) {
    const char = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-_.~]/.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

function renderQuery(parameters: readonly QueryParameter[], tenant: FuzzTenant): string {
  if (parameters.length === 0) return "";
  const pairs = parameters.map(
    ({ name, value, raw }) => `${percentEncode(resolve(name, tenant))}=${raw ? value.text : percentEncode(resolve(value, tenant))}`,
  );
  return `?${pairs.join("&")}`;
}

function describeQuery(parameters: readonly QueryParameter[]): string {
  return parameters.length === 0 ? "" : ` ?${parameters.map(({ name, value }) => `${name.label}=${value.label}`).join("&")}`;
}

/** A path segment: a UUID, a weird text, or raw percent sequences. */
const pathSegment: fc.Arbitrary<{ value: WeirdText; raw: boolean }> = fc.oneof(
  { weight: 4, arbitrary: weirdUuid.map((value) => ({ value, raw: false })) },
  { weight: 3, arbitrary: weirdShortText.map((value) => ({ value, raw: false })) },
  { weight: 1, arbitrary: rawPercent.map((value) => ({ value, raw: true })) },
);

function renderSegment(segment: { value: WeirdText; raw: boolean }, tenant: FuzzTenant): string {
  return segment.raw ? segment.value.text : percentEncode(resolve(segment.value, tenant));
}

function bodyBytes(text: string | undefined): Uint8Array | undefined {
  return text === undefined ? undefined : utf8(text);
}

function headersOf(auth: Record<string, string>, type: string | undefined, extra: Record<string, string> = {}): Record<string, string> {
  return { ...auth, ...(type !== undefined && { "Content-Type": type }), ...extra };
}

function base64Label(label: string, bytes: fc.Arbitrary<Uint8Array>): fc.Arbitrary<{ label: string; value: unknown }> {
  return bytes.map((value) => ({ label: `${label}(${value.length})`, value: toBase64(value) }));
}

const seedIdValue: fc.Arbitrary<WeirdText> = fc.oneof(
  { weight: 2, arbitrary: fc.constant(KNOWN_SEED_ID) },
  { weight: 3, arbitrary: weirdUuid },
  { weight: 1, arbitrary: weirdShortText },
);

/** A JSON value from a weird text, keeping its label (and so the placeholders' labels). */
function jsonOf(value: WeirdText): LabeledJson {
  return { label: value.label, value: value.text };
}

/** Fills the placeholders in JSON bodies with the tenant's own ids. */
function substituteFor(tenant: FuzzTenant): (value: LabeledJson) => unknown {
  return (value) => (typeof value.value === "string" ? resolve({ label: value.label, text: value.value }, tenant) : value.value);
}

/** `{Id?, Name, IsDefault?}` and `{Name?, IsDefault?}`. */
const keySeedFields = {
  Id: fc.oneof(labeled("uuid", fc.uuid()), weirdUuid.map(jsonOf)),
  Name: fc.oneof(labeled("name", fc.string({ minLength: 1, maxLength: 20 })), literal("", " ", "seed")),
  IsDefault: literal(true, false, "true", 1, null),
};

/** Management requests by method and path under /api/KeySeeds. */
interface KeySeedsRecipe {
  readonly method: "GET" | "POST" | "PUT" | "DELETE" | "PATCH" | "OPTIONS";
  readonly id?: { value: WeirdText; raw: boolean };
  readonly body: BodyRecipe;
  readonly auth: Auth;
  readonly type: string | undefined;
}

/**
 * The id in the path, if any: POST creates (no id); DELETE never names the tenant's test seed, which the known-good
 * checks derive from.
 */
function keySeedsPathId(recipe: KeySeedsRecipe): KeySeedsRecipe["id"] {
  if (recipe.method === "POST" || (recipe.method === "DELETE" && recipe.id?.value.label === KNOWN_SEED_ID.label)) return undefined;
  return recipe.id;
}

const keySeedsTarget: FuzzTarget<KeySeedsRecipe> = {
  name: "POST, GET, PUT, DELETE /api/KeySeeds[/{id}]",
  errorStyle: "json",
  recipe: fc.record({
    method: fc.constantFrom("GET", "POST", "PUT", "PUT", "DELETE", "PATCH", "OPTIONS"),
    id: fc.option(fc.oneof(pathSegment, fc.constant({ value: KNOWN_SEED_ID, raw: false })), { freq: 4, nil: undefined }),
    body: bodyRecipe(objectEntries(keySeedFields)),
    auth: tenantAuth,
    type: contentType("application/json"),
  }),
  async render(recipe, tenant) {
    const id = keySeedsPathId(recipe) ? `/${renderSegment(keySeedsPathId(recipe)!, tenant)}` : "";
    const sendsBody = recipe.method === "POST" || recipe.method === "PUT" || recipe.method === "PATCH";
    return {
      method: recipe.method,
      path: `/api/KeySeeds${id}`,
      headers: headersOf(authorizationHeader(recipe.auth, tenant), sendsBody ? recipe.type : undefined),
      ...(sendsBody && { body: bodyBytes(renderBody(recipe.body)) }),
    };
  },
  describe: (recipe) =>
    `${recipe.method} /api/KeySeeds${keySeedsPathId(recipe) ? `/${keySeedsPathId(recipe)!.value.label}` : ""} auth=${recipe.auth} type=${recipe.type ?? "none"} ${describeBody(recipe.body, Object.keys(keySeedFields))}`,
};

interface ListRecipe {
  readonly query: readonly QueryParameter[];
  readonly auth: Auth;
}

/** `GET /api/KeySeeds` and `GET /api/Logs` with OData paging and anything else in the query. */
function listTarget(path: string): FuzzTarget<ListRecipe> {
  return {
    name: `GET ${path} (query)`,
    errorStyle: "json",
    recipe: fc.record({
      query: queryParameters(
        names("$top", "$skip", "$top", "$skip", "$filter", "$orderby", "$count", "%24top"),
        fc.oneof(weirdNumber, weirdNumber, weirdShortText),
      ),
      auth: tenantAuth,
    }),
    async render(recipe, tenant) {
      return { method: "GET", path: `${path}${renderQuery(recipe.query, tenant)}`, headers: authorizationHeader(recipe.auth, tenant) };
    },
    describe: (recipe) => `GET ${path}${describeQuery(recipe.query)} auth=${recipe.auth}`,
  };
}

interface BodyOnlyRecipe {
  readonly method: string;
  readonly body: BodyRecipe;
  readonly auth: Auth;
  readonly type: string | undefined;
}

const importTarget: FuzzTarget<BodyOnlyRecipe> = {
  name: "POST /api/Import/KeySeeds",
  errorStyle: "json",
  recipe: fc.record({
    method: fc.constant("POST"),
    body: arrayBodyRecipe(
      objectEntries({
        Id: keySeedFields.Id,
        Data: fc.oneof(
          { weight: 4, arbitrary: base64Label("base64-of-bytes", fc.uint8Array({ minLength: 30, maxLength: 30 })) },
          { weight: 1, arbitrary: weirdBase64.map(jsonOf) },
        ),
      }),
    ),
    auth: tenantAuth,
    type: contentType("application/json"),
  }),
  async render(recipe, tenant) {
    return {
      method: "POST",
      path: "/api/Import/KeySeeds",
      headers: headersOf(authorizationHeader(recipe.auth, tenant), recipe.type),
      body: bodyBytes(renderBody(recipe.body)),
    };
  },
  describe: (recipe) =>
    `POST /api/Import/KeySeeds auth=${recipe.auth} type=${recipe.type ?? "none"} ${describeBody(recipe.body, ["Id", "Data"])}`,
};

const templateText = fc.constantFrom(
  ...[
    "skd://{kid}:{ivHex}",
    "skd://acme/{kid}",
    "skd://{kidHex}/{kidBase64}",
    "https://keys.example.com/{kid}",
    "https://keys.example.com/{kidBase64}?iv={ivHex}",
    "https://x/{contentId}",
    "skd://{",
    "skd://}{",
    "skd://{{kid}}",
    "skd://{KID}",
    "skd://",
    "https://pr.example.com/rightsmanager.asmx",
    "https://pr.example.com/rm?a=1&b=<2>",
    "http://[::1]:99999/",
    "javascript:alert(1)",
    "urn:x",
  ].map((text) => ({ label: `template:${JSON.stringify(text)}`, value: text })),
  // Near the 2048-character bound, with characters that grow when escaped or expanded.
  ...[
    ["https://pr.example.com/rm?", "&", 1400],
    ["https://pr.example.com/rm?", "&", 2000],
    ["https://pr.example.com/rm?", "<", 2000],
    ["https://pr.example.com/", "\u00e9", 2000],
    ["skd://", "{kidBase64}", 185],
    ["https://keys.example.com/", "{kid}", 400],
  ].map(([prefix, unit, count]) => ({
    label: `template:${JSON.stringify(prefix)}+${JSON.stringify(unit)}x${count}`,
    value: `${prefix}${String(unit).repeat(Number(count))}`,
  })),
);

const settingsFields = {
  WidevineProvider: fc.oneof(literal("acme", "widevine_test", ""), weirdText.map(jsonOf)),
  PlayReadyLaUrl: templateText,
  FairPlayUriTemplate: templateText,
  ClearKeyUriTemplate: templateText,
};

/** Acquisitions that put every setting into signalling: PlayReady 4.0 and 4.3 headers, FairPlay and Clear Key URIs. */
function signallingProbes(tenant: FuzzTenant): FuzzRequest[] {
  const kid = "339c45b5-fb6d-4bd9-994c-eabd9d41c95b";
  return ["drm=widevine&drm=playready&drm=clearkey&scheme=cenc", "drm=widevine&drm=playready&drm=fairplay&drm=clearkey&scheme=cbcs"].map(
    (query) => ({
      method: "GET",
      path: `/api/Cpix/settings-probe?kid=${kid}&${query}&keySeedId=${tenant.seedId}`,
      headers: { Authorization: tenant.authorization },
    }),
  );
}

const settingsTarget: FuzzTarget<BodyOnlyRecipe> = {
  name: "GET, PUT /api/Settings",
  errorStyle: "json",
  // "The same checks acquisition applies, so a setting that would break every response is refused here" (settings.ts).
  afterwards: (request, tenant) => (request.method === "PUT" ? signallingProbes(tenant) : []),
  recipe: fc.record({
    method: fc.constantFrom("PUT", "PUT", "PUT", "GET", "POST"),
    body: bodyRecipe(objectEntries(settingsFields)),
    auth: tenantAuth,
    type: contentType("application/json"),
  }),
  async render(recipe, tenant) {
    const sendsBody = recipe.method !== "GET";
    return {
      method: recipe.method,
      path: "/api/Settings",
      headers: headersOf(authorizationHeader(recipe.auth, tenant), sendsBody ? recipe.type : undefined),
      ...(sendsBody && { body: bodyBytes(renderBody(recipe.body)) }),
    };
  },
  describe: (recipe) =>
    `${recipe.method} /api/Settings auth=${recipe.auth} type=${recipe.type ?? "none"} ${describeBody(recipe.body, Object.keys(settingsFields))}`,
};

const credentialFields = {
  ProviderName: fc.oneof(labeled("provider", fc.stringMatching(/^[a-z0-9_-]{1,24}$/)), literal("a/b", "", " ", "x".repeat(300))),
  SigningKey: fc.oneof(base64Label("base64-of-bytes", fc.uint8Array({ minLength: 32, maxLength: 32 })), weirdBase64.map(jsonOf)),
  SigningIv: fc.oneof(base64Label("base64-of-bytes", fc.uint8Array({ minLength: 16, maxLength: 16 })), weirdBase64.map(jsonOf)),
  RsaPublicKey: fc.oneof(
    literal("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----", "-----BEGIN PUBLIC KEY-----", "AAAA"),
    base64Label("base64-of-bytes", fc.uint8Array({ maxLength: 300 })),
  ),
  KeySeedId: seedIdValue.map(jsonOf),
  Id: keySeedFields.Id,
};

interface CredentialsRecipe extends BodyOnlyRecipe {
  readonly id?: { value: WeirdText; raw: boolean };
}

const credentialsTarget: FuzzTarget<CredentialsRecipe> = {
  name: "POST, GET, DELETE /api/WidevineProtectionInfoCredentials[/{id}]",
  errorStyle: "json",
  recipe: fc.record({
    method: fc.constantFrom("POST", "POST", "POST", "GET", "DELETE", "PUT"),
    id: fc.option(pathSegment, { freq: 3, nil: undefined }),
    body: bodyRecipe(objectEntries(credentialFields, { rare: ["RsaPublicKey"] })),
    auth: tenantAuth,
    type: contentType("application/json"),
  }),
  async render(recipe, tenant) {
    const sendsBody = recipe.method === "POST" || recipe.method === "PUT";
    return {
      method: recipe.method,
      path: `/api/WidevineProtectionInfoCredentials${recipe.id && recipe.method !== "POST" ? `/${renderSegment(recipe.id, tenant)}` : ""}`,
      headers: headersOf(authorizationHeader(recipe.auth, tenant), sendsBody ? recipe.type : undefined),
      // KeySeedId may stand for the tenant's test seed.
      ...(sendsBody && { body: bodyBytes(renderBody(recipe.body, substituteFor(tenant))) }),
    };
  },
  describe: (recipe) =>
    `${recipe.method} /api/WidevineProtectionInfoCredentials${recipe.id && recipe.method !== "POST" ? `/${recipe.id.value.label}` : ""} auth=${recipe.auth} type=${
      recipe.type ?? "none"
    } ${describeBody(recipe.body, Object.keys(credentialFields))}`,
};

interface AdminRecipe {
  readonly method: "POST" | "GET";
  readonly id: { value: WeirdText; raw: boolean };
  readonly body: BodyRecipe;
  readonly auth: Auth;
  readonly type: string | undefined;
}

const adminTarget: FuzzTarget<AdminRecipe> = {
  name: "POST, GET /admin/tenants[/{id}]",
  errorStyle: "json",
  recipe: fc.record({
    method: fc.constantFrom("POST", "GET"),
    id: fc.oneof(pathSegment, fc.constant({ value: KNOWN_TENANT, raw: false })),
    body: bodyRecipe(objectEntries({ name: fc.oneof(labeled("name", fc.string({ maxLength: 20 })), literal("", "acme")) })),
    auth: tenantAuth,
    type: contentType("application/json"),
  }),
  async render(recipe, tenant) {
    const auth = authorizationHeader(recipe.auth, tenant, true);
    if (recipe.method === "GET") return { method: "GET", path: `/admin/tenants/${renderSegment(recipe.id, tenant)}`, headers: auth };
    return { method: "POST", path: "/admin/tenants", headers: headersOf(auth, recipe.type), body: bodyBytes(renderBody(recipe.body)) };
  },
  describe: (recipe) =>
    recipe.method === "GET"
      ? `GET /admin/tenants/${recipe.id.value.label} auth=${recipe.auth}`
      : `POST /admin/tenants auth=${recipe.auth} type=${recipe.type ?? "none"} ${describeBody(recipe.body, ["name"])}`,
};

interface CpixPostRecipe {
  readonly cpix: CpixRecipe;
  readonly query: readonly QueryParameter[];
  readonly version?: WeirdText;
  readonly auth: Auth;
  readonly type: string | undefined;
}

const cpixQueryValues = fc.oneof(protocolWord, seedIdValue, weirdShortText);
const cpixQueryNames = (...extra: string[]) => names("keySeedId", "overrideKeyIds", ...extra);

/** A CPIX acquisition endpoint: a mutated corpus document, its query, and (SPEKE v2) the version header. */
function cpixPostTarget(path: string, options: { versions?: boolean; query: string[] }): FuzzTarget<CpixPostRecipe> {
  const versionHeader = fc.oneof(
    { weight: 10, arbitrary: names("2.0", "2.1") },
    { weight: 1, arbitrary: fc.oneof(names("1.0", "2.2", " 2.0", "2.0,2.1", ""), weirdHeaderText) },
  );
  return {
    name: `POST ${path}`,
    errorStyle: "text",
    recipe: fc.record({
      cpix: cpixRecipe(CPIX_CORPUS.length),
      // Mostly no query: a keySeedId that names no seed ends the request before the document is read.
      query: fc.oneof(
        { weight: 3, arbitrary: fc.constant([]) },
        { weight: 1, arbitrary: queryParameters(cpixQueryNames(...options.query), cpixQueryValues, 2) },
      ),
      ...(options.versions && { version: versionHeader }),
      auth: tenantAuth,
      type: contentType("application/xml"),
    }),
    async render(recipe, tenant) {
      return {
        method: "POST",
        path: `${path}${renderQuery(recipe.query, tenant)}`,
        headers: headersOf(
          authorizationHeader(recipe.auth, tenant),
          recipe.type,
          recipe.version ? { "X-Speke-Version": recipe.version.text } : {},
        ),
        body: renderCpix(recipe.cpix, CPIX_CORPUS),
      };
    },
    describe: (recipe) =>
      `POST ${path}${describeQuery(recipe.query)}${recipe.version ? ` X-Speke-Version=${recipe.version.label}` : ""} auth=${recipe.auth} type=${
        recipe.type ?? "none"
      } ${describeCpix(recipe.cpix, CPIX_CORPUS)}`,
  };
}

interface CpixGetRecipe {
  readonly contentId: { value: WeirdText; raw: boolean };
  readonly query: readonly QueryParameter[];
  readonly auth: Auth;
}

const drmValue = fc.oneof(names("widevine", "playready", "fairplay", "clearkey", "WIDEVINE", "marlin"), weirdUuid, weirdShortText);

const cpixGetTarget: FuzzTarget<CpixGetRecipe> = {
  name: "GET /api/Cpix/{contentId} (query)",
  errorStyle: "text",
  recipe: fc.record({
    contentId: fc.oneof(
      pathSegment,
      names("movie-1", "a", "Movie%201").map((value) => ({ value, raw: true })),
    ),
    query: fc.oneof(
      queryParameters(names("kid", "kid", "drm", "drm", "scheme"), fc.oneof(weirdUuid, drmValue, protocolWord), 8),
      queryParameters(
        names("kid", "drm", "scheme", "keySeedId", "overrideKeyIds"),
        fc.oneof(weirdUuid, drmValue, protocolWord, seedIdValue, weirdShortText),
        5,
      ),
      // Past the bounds: more than 32 kids or 8 drms.
      fc
        .constantFrom(33, 40)
        .chain((count) =>
          fc.array(fc.record({ name: names("kid"), value: weirdUuid, raw: fc.constant(false) }), { minLength: count, maxLength: count }),
        ),
      fc.array(fc.record({ name: names("drm"), value: drmValue, raw: fc.constant(false) }), { minLength: 9, maxLength: 12 }),
    ),
    auth: tenantAuth,
  }),
  async render(recipe, tenant) {
    return {
      method: "GET",
      path: `/api/Cpix/${renderSegment(recipe.contentId, tenant)}${renderQuery(recipe.query, tenant)}`,
      headers: authorizationHeader(recipe.auth, tenant),
    };
  },
  describe: (recipe) => `GET /api/Cpix/${recipe.contentId.value.label}${describeQuery(recipe.query)} auth=${recipe.auth}`,
};

/** Fields of Widevine's `CommonEncryptionRequest` (Shaka's widevine_common_encryption.proto), valid and not. */
/** A content_id as large as the 1 MiB body allows once signed and wrapped: it is hashed into Key IDs and logged. */
const HUGE_CONTENT_ID = { label: "base64-of-bytes(400000)", value: toBase64(new Uint8Array(400_000).fill(0x6d)) };

const widevineRequestFields = {
  content_id: fc.oneof(
    { weight: 1, arbitrary: fc.constant(HUGE_CONTENT_ID) },
    { weight: 20, arbitrary: base64Label("base64-of-uuid-text", fc.uuid().map(utf8)) },
    { weight: 20, arbitrary: base64Label("base64-of-bytes", fc.uint8Array({ minLength: 1, maxLength: 40 })) },
    { weight: 20, arbitrary: base64Label("base64-of-16-bytes", fc.uint8Array({ minLength: 16, maxLength: 16 })) },
  ),
  tracks: fc.uniqueArray(fc.constantFrom("SD", "HD", "UHD1", "UHD2", "AUDIO"), { minLength: 1, maxLength: 5 }).map((types) => ({
    label: `tracks(${types.join(",")})`,
    value: types.map((type) => ({ type })),
  })),
  drm_types: fc.subarray(["WIDEVINE", "PLAYREADY", "FAIRPLAY"]).map((value) => ({ label: `drm_types(${value.join(",")})`, value })),
  protection_scheme: literal("CENC", "CBCS", "CENS", "CBC1", "UNSPECIFIED", 0x63656e63, 0x63626373, 0),
  first_crypto_period_index: fc.oneof(literal(0, 1, 4294967295), labeled("uint", fc.nat())),
  crypto_period_count: literal(1, 2, 10, 100),
  crypto_period_seconds: literal(0, 10),
  policy: literal("", "default"),
  video_feature: literal("HDR", ""),
  pssh_data: base64Label("base64-of-bytes", fc.uint8Array({ maxLength: 40 })),
  asset_id: literal(1, 0, "1"),
  enable_entitlement_license: literal(true, false),
};
const WIDEVINE_REQUEST_KEYS = Object.keys(widevineRequestFields);

/** Values of those fields that break their rules: unknown or repeated names, numbers past uint32, wrong types. */
const widevineOddValues = {
  tracks: fc.oneof(
    fc
      .array(fc.record({ type: weirdJson.map((json) => json.value) }), { maxLength: 3 })
      .map((value) => ({ label: `weird-tracks(${value.length})`, value })),
    literal([{ type: "SD" }, { type: "SD" }], [], [{}], [null], "SD", {}),
  ),
  drm_types: fc.oneof(
    fc
      .array(
        weirdJson.map((json) => json.value),
        { maxLength: 3 },
      )
      .map((value) => ({ label: `weird-drm-types(${value.length})`, value })),
    literal(["WIDEVINE", "WIDEVINE"], ["widevine"], "WIDEVINE"),
  ),
  protection_scheme: literal("cenc", 1, -1, "CENC ", 0x63656e6300),
  first_crypto_period_index: literal(4294967296, -1, "7", 1.5, 1e21),
  crypto_period_count: literal(0, 101, 4294967295, -1, "3", 2.5),
  crypto_period_seconds: literal(4294967296, -5, "10"),
  policy: literal("x".repeat(1000), 5),
  video_feature: literal("hdr", 5, "HDR\u0000"),
};

/** `pssh_data`, `asset_id` and the entitlement flag are rare: each ends a request early, most should get past them. */
const widevineRequestEntries = objectEntries(widevineRequestFields, {
  rare: ["pssh_data", "asset_id", "enable_entitlement_license"],
  odd: widevineOddValues,
});

type WidevineRecipe =
  | {
      readonly kind: "signed";
      readonly request: BodyRecipe;
      readonly signer: WeirdText;
      readonly tamper: boolean;
      readonly pathSigner: WeirdText;
    }
  | { readonly kind: "unsigned"; readonly envelope: BodyRecipe; readonly pathSigner: WeirdText }
  | { readonly kind: "raw"; readonly body: WeirdText; readonly pathSigner: WeirdText };

const signerValue: fc.Arbitrary<WeirdText> = fc.oneof(
  { weight: 8, arbitrary: fc.constant(KNOWN_PROVIDER) },
  { weight: 1, arbitrary: weirdShortText },
);

/** The Widevine CENC API: requests signed with the tenant's credential, envelopes with bad signatures, any bytes. */
function widevineTarget(path: "/api/WidevineProtectionInfo" | "/cenc/getcontentkey/{signer}"): FuzzTarget<WidevineRecipe> {
  const pathSigner = path.includes("{signer}") ? signerValue : fc.constant(KNOWN_PROVIDER);
  const envelopeFields = {
    request: fc.oneof(base64Label("base64-of-bytes", fc.uint8Array({ maxLength: 64 })), weirdBase64.map(jsonOf)),
    signature: fc.oneof(base64Label("base64-of-bytes", fc.uint8Array({ maxLength: 64 })), weirdBase64.map(jsonOf)),
    signer: signerValue.map(jsonOf),
  };
  return {
    name: `POST ${path}`,
    errorStyle: "widevine",
    recipe: fc.oneof(
      {
        weight: 8,
        arbitrary: fc.record({
          kind: fc.constant("signed" as const),
          request: bodyRecipe(widevineRequestEntries),
          signer: signerValue,
          tamper: fc.oneof({ weight: 9, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
          pathSigner,
        }),
      },
      {
        weight: 2,
        arbitrary: fc.record({ kind: fc.constant("unsigned" as const), envelope: bodyRecipe(objectEntries(envelopeFields)), pathSigner }),
      },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant("raw" as const), body: weirdText, pathSigner }) },
    ),
    async render(recipe, tenant) {
      const target = path.replace("{signer}", percentEncode(resolve(recipe.pathSigner, tenant)));
      const headers = { "Content-Type": "application/json" };
      switch (recipe.kind) {
        case "raw":
          return { method: "POST", path: target, headers, body: utf8(recipe.body.text) };
        case "unsigned":
          return { method: "POST", path: target, headers, body: utf8(renderBody(recipe.envelope, substituteFor(tenant)) ?? "") };
        case "signed": {
          const request = utf8(renderBody(recipe.request) ?? "");
          const signature = await aesRequestSignature(request, tenant.signingKey, tenant.signingIv);
          if (recipe.tamper) signature[0]! ^= 1;
          const envelope = { request: toBase64(request), signature: toBase64(signature), signer: resolve(recipe.signer, tenant) };
          return { method: "POST", path: target, headers, body: utf8(JSON.stringify(envelope)) };
        }
      }
    },
    describe(recipe) {
      const where = path.includes("{signer}") ? `POST /cenc/getcontentkey/${recipe.pathSigner.label}` : `POST ${path}`;
      switch (recipe.kind) {
        case "raw":
          return `${where} raw ${recipe.body.label}`;
        case "unsigned":
          return `${where} unsigned ${describeBody(recipe.envelope, Object.keys(envelopeFields))}`;
        case "signed":
          return `${where} signed by ${recipe.signer.label}${recipe.tamper ? " (tampered)" : ""} request ${describeBody(recipe.request, WIDEVINE_REQUEST_KEYS)}`;
      }
    },
  };
}

/** Every fuzz target, in a fixed order (a seed and a target name replay one run). */
export const FUZZ_TARGETS: readonly FuzzTarget[] = [
  keySeedsTarget,
  listTarget("/api/KeySeeds"),
  importTarget,
  settingsTarget,
  listTarget("/api/Logs"),
  credentialsTarget,
  adminTarget,
  cpixPostTarget("/api/SpekeV2", { versions: true, query: [] }),
  cpixPostTarget("/api/Speke", { query: ["protectionScheme"] }),
  cpixPostTarget("/api/Cpix", { query: [] }),
  cpixGetTarget,
  widevineTarget("/api/WidevineProtectionInfo"),
  widevineTarget("/cenc/getcontentkey/{signer}"),
] as FuzzTarget[];
