import { KeyId } from "../domain/key-id";

/** Literal path segments of our routes; Axinom paths are case-insensitive (its clients send `/api/KeySeeds` and `/api/keyseeds` alike). */
const ROUTE_WORDS = new Set([
  "api",
  "admin",
  "tenants",
  "keyseeds",
  "import",
  "export",
  "settings",
  "logs",
  "spekev2",
  "speke",
  "cpix",
  "widevineprotectioninfo",
  "widevineprotectioninfocredentials",
  "cenc",
  "getcontentkey",
  "contentkeys",
  "credentials",
  "signingkeys",
  "trustedrequesters",
  "anevia",
  "broadpeak",
  "harmonic",
  "v2",
  "harmonicconfiguration",
  "cpixurls",
  "rotate-secret",
  "health",
  "openapi.json",
]);

/** Route words followed by a parameter (an id, a content id, a signer): nothing after them is lower-cased. */
const PARAMETER_PARENTS = new Set([
  "tenants",
  "keyseeds",
  "cpix",
  "getcontentkey",
  "widevineprotectioninfocredentials",
  "contentkeys",
  "credentials",
  "signingkeys",
  "trustedrequesters",
]);

/**
 * Hono `getPath`: lower-cases the leading run of literal route words and leaves everything after the
 * first parameter as sent, so `/API/KeySeeds` routes like `/api/keyseeds` while a content id keeps its case.
 */
export function caseInsensitivePath(request: Request): string {
  const url = request.url;
  const start = url.indexOf("/", url.indexOf("//") + 2);
  const end = url.indexOf("?", start);
  const path = end === -1 ? url.slice(start) : url.slice(start, end);
  const segments = path.split("/");
  for (let i = 1; i < segments.length; i++) {
    const lower = segments[i]!.toLowerCase();
    if (!ROUTE_WORDS.has(lower)) break;
    segments[i] = lower;
    if (PARAMETER_PARENTS.has(lower)) break;
  }
  return segments.join("/");
}

/**
 * An object Id from a path (`/api/KeySeeds/{id}`, `/api/ContentKeys/{id}`): a UUID with or without hyphens, in any
 * case, as its canonical lower-case form; undefined for anything else (the route answers 400).
 */
export function uuidPathParameter(text: string | undefined): string | undefined {
  return text !== undefined && /^[0-9a-fA-F-]{32,36}$/.test(text) ? KeyId.parse(text)?.toString() : undefined;
}
