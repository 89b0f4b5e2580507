import { METHOD_NAME_ALL, UnsupportedPathError, type Params, type Result, type Router } from "hono/router";

/** A route path as compared: its segments (`:name` a parameter), whether it ends in `/*`, the routes added on it. */
interface RoutePath<T> {
  readonly segments: readonly string[];
  readonly prefix: boolean;
  /** Each route on this path: the order it was added in among all routes, its method, its handler. */
  readonly routes: [order: number, method: string, handler: T][];
}

/** Parameters of a route that has none (Hono's routers give every match a prototype-less object). */
const NO_PARAMS: Params = Object.create(null);

/**
 * The router of every Hono app here (src/http/hono-app.ts): TrieRouter's matches for the only paths the service
 * declares (literal segments, `:name` parameters, a trailing `/*`), in a fraction of its bytes (issue 27: the 100 KiB
 * gzip budget). A request path is split at `/` and compared segment by segment with each distinct route path: a
 * literal matches itself exactly, a parameter any non-empty segment (as sent: HonoRequest decodes it), a trailing `/*`
 * any rest, none included (`/api/*` matches `/api`), so `/api/keyseeds/` (an empty last segment) matches only
 * middleware. The routes of the matching paths are answered in the order they were added, as TrieRouter answers them.
 * Any other pattern (a regular expression, an optional parameter, a `*` inside a path) is refused when added.
 * test/workers/segment-router.test.ts compares it with TrieRouter over every route of the app.
 */
export class SegmentRouter<T> implements Router<T> {
  readonly name = "SegmentRouter";
  /** Distinct route paths in the order first added: ~50 to compare rather than ~200 routes (middleware share paths). */
  readonly #paths = new Map<string, RoutePath<T>>();
  /** The same, as an array: iterated on every request. */
  readonly #list: RoutePath<T>[] = [];
  #added = 0;

  add(method: string, path: string, handler: T): void {
    let routePath = this.#paths.get(path);
    if (!routePath) {
      // Hono's own middleware path is `*` (`app.use(handler)`), which TrieRouter reads as `/*`.
      const segments = (path.startsWith("/") ? path : `/${path}`).split("/").slice(1);
      const prefix = segments.at(-1) === "*";
      if (prefix) segments.pop();
      if (segments.some((segment) => /[*?{}]/.test(segment))) throw new UnsupportedPathError();
      this.#paths.set(path, (routePath = { segments, prefix, routes: [] }));
      this.#list.push(routePath);
    }
    routePath.routes.push([this.#added++, method, handler]);
  }

  match(method: string, path: string): Result<T> {
    const parts = path.split("/").slice(1);
    const found: [order: number, handler: T, params: Params][] = [];
    let matchedPaths = 0;
    for (const routePath of this.#list) {
      const segments = routePath.segments;
      if (routePath.prefix ? parts.length < segments.length : parts.length !== segments.length) continue;
      let params = NO_PARAMS;
      let matches = true;
      for (let i = 0; matches && i < segments.length; i++) {
        const segment = segments[i]!;
        const part = parts[i]!;
        if (segment.startsWith(":") && part !== "") {
          if (params === NO_PARAMS) params = Object.create(null) as Params;
          params[segment.slice(1)] = part;
        } else matches = segment === part;
      }
      if (!matches) continue;
      const before = found.length;
      for (const route of routePath.routes) {
        if (route[1] === method || route[1] === METHOD_NAME_ALL) found.push([route[0], route[2], params]);
      }
      if (found.length > before) matchedPaths++;
    }
    if (matchedPaths > 1) found.sort((a, b) => a[0] - b[0]);
    return [found.map((match) => [match[1], match[2]])];
  }
}
