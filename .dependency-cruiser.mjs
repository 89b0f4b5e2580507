/**
 * The layers of docs/architecture.md, as rules dependency-cruiser checks (`npm run lint:layers`, and
 * test/interop/layers.test.ts in `npm test`). Each layer says its job, which other layers it may import and which
 * packages or platform modules it may import; its own folder it may always import. Type-only imports count like any
 * other (`tsPreCompilationDeps`): a type is a dependency too, and a type cycle is still a cycle. There is no
 * exception list: code that breaks a rule moves to the layer whose rules it keeps.
 *
 * The table in docs/architecture.md is generated from LAYERS (`node scripts/layers-table.mjs --write`).
 */

/**
 * @typedef {object} Layer
 * @property {string} name how other layers name it in `mayImport`
 * @property {string} path its folder (or file) from the repository root, without a trailing slash
 * @property {string} job what it holds, for the table
 * @property {readonly string[]} mayImport the other layers it may import
 * @property {Readonly<Record<string, string>>} [why] why an arrow that is not obvious is there, by layer name
 * @property {readonly string[]} [packages] npm packages and platform modules it may import (none when absent)
 */

/** @type {readonly Layer[]} */
export const LAYERS = [
  {
    name: "domain",
    path: "src/domain",
    job: "key IDs, content keys, the PlayReady key-seed derivation, schemes, system IDs, stable Key IDs, byte helpers, the RSA key policy, request limits, export-password and Widevine-signer rules, signed CPIX URLs (their HMAC and shape). Pure: no I/O, no clock (`now` is passed in), no randomness",
    mayImport: [],
  },
  {
    name: "xml",
    path: "src/xml",
    job: "the one XML parser and tree: bytes → text (UTF-8/UTF-16), one pass that tokenizes, checks XML 1.0 and Namespaces and builds the tree, Canonical XML 1.0 and exclusive C14N over it, escaping for writers. Its tree equals libxml2's for every document it accepts. Nothing outside it imports a parser",
    mayImport: [],
  },
  {
    name: "runtime",
    path: "src/runtime",
    job: "what the platform provides that is not pure (the CSPRNG)",
    mayImport: [],
  },
  {
    name: "x509",
    path: "src/x509",
    job: "X.509 for every purpose: the DER reader, the certificate model, one `CertificateProblem`, one policy check per purpose (recipient, signer, trusted requester, seed export), the RSA-OAEP importer, the fingerprint, the sentences of its problems (`certificate-failure.ts`)",
    mayImport: ["domain"],
  },
  {
    name: "drm",
    path: "src/drm",
    job: "DRM signalling: PSSH boxes, Widevine PSSH data, PlayReady header and object, FairPlay and Clear Key URIs, HLS key lines",
    mayImport: ["domain", "xml"],
    why: { xml: "the Char rule" },
  },
  {
    name: "cpix",
    path: "src/cpix",
    job: "the CPIX model, reader (one typed walk of the tree `src/xml/` built, resolving names by URI), writer; `security/`: DeliveryData encryption, XML-DSig signing and verification on the same tree",
    mayImport: ["domain", "xml", "runtime", "x509"],
    why: { runtime: "fresh document keys" },
  },
  {
    name: "pskc",
    path: "src/pskc",
    job: "PSKC (RFC 6030) key-seed packages: password and certificate writers, an all-or-nothing reader",
    mayImport: ["domain", "xml", "runtime", "x509"],
  },
  {
    name: "tenancy",
    path: "src/tenancy",
    job: "the tenant Durable Object (one RPC target per record kind in `operations/`, which work through one store per record kind in `stores/`), the snapshot publisher, the KV read path (`tenant-store.ts`: the isolate cache; `loaded-tenant.ts`: one tenant with its keys opened once), envelope encryption, credentials, the signer registry, storage faults",
    mayImport: ["domain", "runtime", "x509"],
    packages: ["cloudflare:workers"],
  },
  {
    name: "backup",
    path: "src/backup",
    job: "tenant backups across deployments: the envelope (a payload encrypted and MACed for a restore certificate, `backup-document.ts`) and the deployment's restore key (made on first use, kept sealed in the tenant directory, `restore-key.ts`)",
    mayImport: ["domain", "runtime", "x509", "tenancy"],
    why: {
      runtime: "fresh content and MAC keys, IVs, serial numbers",
      tenancy: "the KEK sealing and the tenant directory that keeps the restore key",
    },
  },
  {
    name: "http",
    path: "src/http",
    job: "auth (credentials and signed URLs), browser guard, CORS, rate limits, body limits, paths, error shapes, route groups, configuration checks, the request log and its usage data points, the JSON and query-parameter schemas (`json-fields.ts`: each field's 400 message)",
    mayImport: ["domain", "tenancy"],
    packages: ["hono", "valibot"],
  },
  {
    name: "protocols",
    path: "src/protocols",
    job: "one profile per acquisition protocol: `cpix/` (SPEKE v2, SPEKE v1, plain CPIX, CPIX GET, Harmonic, Broadpeak, Anevia in `cpix/profiles/`), `widevine-cenc/`; the acquisition route groups, each route declared with its documentation (valibot describes their query parameters and the Widevine body there, in `__OPENAPI__` code the Worker bundle drops: the acquisition path runs no schema)",
    mayImport: ["domain", "drm", "xml", "cpix", "x509", "tenancy", "http"],
    why: { x509: "signers' certificates and fingerprints, the sentences of their problems" },
    packages: ["hono", "valibot"],
  },
  {
    name: "management",
    path: "src/management",
    job: "the Management API route groups (the tenant's own keys, seeds, credentials, signers, settings, logs)",
    mayImport: ["domain", "drm", "xml", "cpix", "pskc", "x509", "tenancy", "http", "runtime"],
    why: { xml: "the Char rule", x509: "certificates of signing keys, trusted requesters and export recipients" },
    packages: ["hono", "valibot"],
  },
  {
    name: "admin",
    path: "src/admin",
    job: "the Operator API route groups (tenants, KEK rotation, health with its KEK canaries, the restore certificate)",
    mayImport: ["domain", "x509", "tenancy", "http", "management", "runtime", "backup"],
    why: {
      management: "the credential JSON it answers like the Management API",
      runtime: "the KEK canary's IV",
      backup: "the restore certificate and the backup envelope its routes serve",
    },
    packages: ["hono", "valibot"],
  },
  {
    name: "openapi",
    path: "src/openapi",
    job: "`ROUTE_GROUPS` (`route-groups.ts`), every route group in the document's order: the app mounts it and the OpenAPI 3.1 document is built from it at build time (`document.ts`; `scripts/openapi.mjs` writes `public/api/openapi.json`, a static asset); the public routes (the banner, `/healthz`, the route that answers other spellings of the document's path with the asset)",
    mayImport: ["http", "protocols", "management", "admin"],
    why: {
      http: "route groups, query schemas, route access",
      protocols: "the acquisition route groups",
      management: "the Management API route groups, the response shapes",
      admin: "the Operator API route groups",
    },
    packages: ["hono", "valibot", "@valibot/to-json-schema"],
  },
  {
    name: "app",
    path: "src/app.ts",
    job: "mounts the route groups of `ROUTE_GROUPS` and the middleware every response gets",
    mayImport: ["tenancy", "http", "openapi"],
    why: { openapi: "the table of route groups", tenancy: "the storage faults it answers outside any group" },
    packages: ["hono"],
  },
  {
    name: "index",
    path: "src/index.ts",
    job: "the Worker's entry: the app's `fetch` and the Durable Object classes",
    mayImport: ["app", "tenancy"],
  },
  {
    name: "console",
    path: "public/console",
    job: "the tenant console: static files (Workers Static Assets, `[assets]` in wrangler.toml) served at `/console/` before and without the Worker, headers from `public/_headers`; plain ES modules, one per page in `js/pages/`, calling only the public API",
    mayImport: [],
  },
];

const escape = (text) => text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
/** A layer's modules: everything under its folder, or the one file. */
const within = (layer) => (layer.path.endsWith(".ts") ? `^${escape(layer.path)}$` : `^${escape(layer.path)}/`);
const anyOf = (patterns) => patterns.map((pattern) => `(?:${pattern})`).join("|");
const byName = new Map(LAYERS.map((layer) => [layer.name, layer]));
const ALL_LAYERS = anyOf(LAYERS.map(within));

for (const layer of LAYERS) {
  for (const name of [...layer.mayImport, ...Object.keys(layer.why ?? {})]) {
    if (!byName.has(name)) throw new Error(`layer ${layer.name} names an unknown layer ${name}`);
  }
}

const layerRules = LAYERS.map((layer) => ({
  name: `layer-${layer.name}`,
  comment: `${layer.path} may import ${layer.mayImport.length === 0 ? "nothing of ours" : layer.mayImport.join(", ")} besides itself (docs/architecture.md, Layers)`,
  severity: "error",
  from: { path: within(layer) },
  to: { path: ALL_LAYERS, pathNot: anyOf([layer, ...layer.mayImport.map((name) => byName.get(name))].map(within)) },
}));

const packageRules = LAYERS.map((layer) => ({
  name: `packages-${layer.name}`,
  comment: `${layer.path} may import ${layer.packages?.length ? layer.packages.join(", ") : "no package"} (docs/architecture.md, Layers)`,
  severity: "error",
  from: { path: within(layer) },
  to: {
    dependencyTypesNot: ["local"],
    ...(layer.packages?.length
      ? { pathNot: anyOf(layer.packages.map((name) => `(^|/)node_modules/${escape(name)}/|^${escape(name)}$`)) }
      : {}),
  },
}));

/** @type {import("dependency-cruiser").IConfiguration} */
export default {
  forbidden: [
    ...layerRules,
    ...packageRules,
    {
      name: "no-cycles",
      comment: "No module depends on itself through others, type-only imports included",
      severity: "error",
      from: {},
      to: { circular: true },
    },
    {
      name: "in-a-layer",
      comment: "Every module belongs to a layer of docs/architecture.md: a new folder gets its row in .dependency-cruiser.mjs",
      severity: "error",
      from: { pathNot: ALL_LAYERS },
      to: {},
    },
    {
      name: "to-a-layer",
      comment: "Every module imported belongs to a layer of docs/architecture.md (or is a package the layer may import)",
      severity: "error",
      from: {},
      to: { dependencyTypes: ["local"], pathNot: ALL_LAYERS },
    },
    {
      name: "openapi-generator-not-in-worker",
      comment:
        "The OpenAPI document is built at build time (scripts/openapi.mjs) and served as a static asset: its generator and the JSON Schema conversion stay out of the Worker bundle (issue 27, the 100 KiB gzip budget)",
      severity: "error",
      from: { path: "^src/index\\.ts$" },
      to: { path: "^src/openapi/document\\.ts$|(^|/)node_modules/@valibot/to-json-schema/", reachable: true },
    },
    {
      name: "no-orphans",
      comment: "A module nothing imports and that imports nothing is dead code (and would escape the rules above)",
      severity: "error",
      from: { orphan: true },
      to: {},
    },
    {
      name: "resolved",
      comment: "Every import resolves, so no dependency escapes the rules (cloudflare:* is the platform's)",
      severity: "error",
      from: {},
      to: { couldNotResolve: true, pathNot: "^cloudflare:" },
    },
  ],
  options: {
    tsPreCompilationDeps: true,
    doNotFollow: { path: "(^|/)node_modules/" },
    // Package subpaths (`hono/route`) resolve through their package's `exports`, as esbuild and TypeScript resolve them.
    enhancedResolveOptions: { exportsFields: ["exports"], conditionNames: ["import", "default"] },
    exclude: { path: "\\.(css|svg|html)$" },
  },
};
