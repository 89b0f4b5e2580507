import { KeyId } from "../domain/key-id";

/**
 * The literal words of the app's route paths, learned from the router once every route group is mounted, so a route
 * declared once (src/http/route-group.ts) is matched in any casing without a list to keep in step. Axinom paths are
 * case-insensitive (its clients send `/api/KeySeeds` and `/api/keyseeds` alike).
 */
export class RoutePathWords {
  /** Literal path segments of our routes. */
  readonly words = new Set<string>();
  /** Route words followed by a parameter (an id, a content id, a signer): nothing after them is lower-cased… */
  readonly parameterParents = new Set<string>();
  /** Each `word/next` of literal words that follow each other in a route, so a literal some route has in another's
   *  parameter place (`/admin/tenants/restore` beside `/admin/tenants/{id}`) is still a word there. */
  readonly #literalPairs = new Set<string>();

  /** Takes the words of one router path (`/api/keyseeds/:id`; `*` of middleware is no word). */
  learn(routerPath: string): void {
    const segments = routerPath.split("/").filter((segment) => segment !== "");
    segments.forEach((segment, index) => {
      if (segment.startsWith(":") || segment.includes("*")) return;
      this.words.add(segment);
      if (segments[index + 1]?.startsWith(":")) this.parameterParents.add(segment);
      if (index > 0) this.#literalPairs.add(`${segments[index - 1]}/${segment}`);
    });
  }

  /** Whether `word`, after the parameter parent `parent`, is a route's literal word rather than a parameter's value. */
  isLiteralAfter(parent: string, word: string): boolean {
    return this.#literalPairs.has(`${parent}/${word}`);
  }
}

/** The router's form of a documented path: literal words lower-case (see caseInsensitivePath), `{id}` as `:id`. */
export function routerPath(documentedPath: string): string {
  return documentedPath.replace(/[^/]+/g, (segment) =>
    segment.startsWith("{") && segment.endsWith("}") ? `:${segment.slice(1, -1)}` : segment.toLowerCase(),
  );
}

/**
 * The path words of the app's routes. `createApp` teaches it every route it mounts; the words are the same for every
 * app, so the signed-URL check (signed-url-auth.ts) reads the path exactly as the router does.
 */
export const ROUTE_PATH_WORDS = new RoutePathWords();

/**
 * Hono `getPath`: lower-cases the leading run of literal route words and leaves everything after the
 * first parameter as sent, so `/API/KeySeeds` routes like `/api/keyseeds` while a content id keeps its case.
 */
export function caseInsensitivePath(request: Request, routeWords: RoutePathWords = ROUTE_PATH_WORDS): string {
  const url = request.url;
  const start = url.indexOf("/", url.indexOf("//") + 2);
  const end = url.indexOf("?", start);
  const path = end === -1 ? url.slice(start) : url.slice(start, end);
  const segments = path.split("/");
  for (let i = 1; i < segments.length; i++) {
    const lower = segments[i]!.toLowerCase();
    if (!routeWords.words.has(lower)) break;
    segments[i] = lower;
    const next = segments[i + 1]?.toLowerCase();
    if (routeWords.parameterParents.has(lower) && !(next !== undefined && routeWords.isLiteralAfter(lower, next))) break;
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
