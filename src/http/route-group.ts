import type { Handler, Hono, MiddlewareHandler } from "hono";
import { SealedValueError } from "../tenancy/envelope";
import { requestRepublish } from "../tenancy/republish-request";
import { STORAGE_RETRY_AFTER_SECONDS, StorageUnavailable, StoredValueCorrupt } from "../tenancy/storage-fault";
import { AccessWithdrawn } from "./access-recheck";
import type { AppEnv } from "./app-env";
import { honoApp } from "./hono-app";
import { routerPath } from "./paths";
import type { RouteAccess } from "./route-access";
import type { DocumentedAccess, LazyRouteDoc } from "./route-doc";
import { requestFailureResponse } from "./request-errors";

export type { DocumentedAccess, RouteAccess };

/** The HTTP methods our routes answer, as the OpenAPI document names them. */
export type RouteMethod = "get" | "post" | "put" | "delete";

/** One route as declared: what the router, the OpenAPI document and the path words are derived from. */
export interface RouteDeclaration {
  readonly method: RouteMethod;
  /** The full path in its documented casing, parameters in braces (`/api/KeySeeds/{id}`). */
  readonly path: string;
  /** The route's documentation; `false` in the Worker, where `__OPENAPI__ && (() => ({…}))` drops it. */
  readonly doc: LazyRouteDoc | false;
}

/** A set of routes, the access they all require, and how their protocol says "storage unavailable, retry" and "tenant suspended". */
export interface RouteGroup {
  /** Who may call its routes; `public`: anyone, no credentials (the service banner, `/healthz`, the OpenAPI document). */
  readonly access: DocumentedAccess;
  readonly routes: Hono<AppEnv>;
  readonly unavailable: (retryAfterSeconds: number) => Response;
  /** The refusal of an authenticated tenant the operator suspended (issue 28), in the group's protocol shape. */
  readonly suspended: () => Response;
  /** The routes declared with `declare`, in order. */
  readonly declared: readonly RouteDeclaration[];
  /**
   * Declares a route once: it is routed (every group is mounted at `/`, so the path is the full one), documented in
   * `GET /api/openapi.json` with the group's access, and its literal words are path words (src/http/paths.ts).
   * @example keySeedRoutes.declare("get", "/api/KeySeeds/{id}", __OPENAPI__ && (() => ({ tag, summary, responses })), (c) => …);
   */
  declare<Path extends string>(
    method: RouteMethod,
    path: Path,
    doc: LazyRouteDoc | false,
    ...handlers: RouteHandler<RouterPathOf<Path>>[]
  ): void;
}

/** A documented path as Hono types it (`/api/KeySeeds/{id}` → `/api/KeySeeds/:id`), so handlers see its parameters. */
type RouterPathOf<Path extends string> = Path extends `${infer Before}{${infer Name}}${infer After}`
  ? `${Before}:${Name}${RouterPathOf<After>}`
  : Path;

type RouteHandler<Path extends string> = Handler<AppEnv, Path> | MiddlewareHandler<AppEnv, Path>;

/** The Management and Operator APIs' shape of a storage fault: JSON error, 503, `Retry-After`. */
function jsonUnavailable(retryAfterSeconds: number): Response {
  return requestFailureResponse({ reason: "storage-unavailable", retryAfterSeconds });
}

/** The Management API's shape of a suspended tenant: JSON error, 403. */
function jsonSuspended(): Response {
  return requestFailureResponse({ reason: "tenant-suspended" });
}

/**
 * A new route group with its access declared.
 * @example export const logRoutes = routeGroup({ kind: "tenant", scope: "manage" }); logRoutes.declare("get", "/api/Logs", doc, …);
 */
export function routeGroup(
  access: DocumentedAccess,
  unavailable: RouteGroup["unavailable"] = jsonUnavailable,
  suspended: RouteGroup["suspended"] = jsonSuspended,
): RouteGroup {
  const routes = honoApp<AppEnv>();
  const declared: RouteDeclaration[] = [];
  return {
    access,
    routes,
    unavailable,
    suspended,
    declared,
    declare(method, path, doc, ...handlers) {
      declared.push({ method, path, doc });
      routes.on(method.toUpperCase(), [routerPath(path)], ...(handlers as Handler<AppEnv>[]));
    },
  };
}

/**
 * Answers a storage fault raised anywhere below it (auth, handler) in the group's own shape, and access withdrawn
 * after authentication (access-recheck.ts) as the group's guard answers it. Hono hands a thrown error to `onError`
 * and records it on the context, so the fault is seen here after `next()`.
 */
export function storageFaultAnswer(group: RouteGroup): MiddlewareHandler<AppEnv> {
  return async function storageFaultAnswerMiddleware(c, next) {
    await next();
    if (c.error instanceof StoredValueCorrupt) {
      // A bad KV value: the object writes it again, so the tenant answers right within seconds without a management write.
      const asked = requestRepublish(c.env, c.error);
      if (asked) c.executionCtx.waitUntil(asked);
    }
    if (c.error instanceof StorageUnavailable) {
      console.error("storage unavailable", { store: c.error.store, path: new URL(c.req.url).pathname });
      c.res = group.unavailable(STORAGE_RETRY_AFTER_SECONDS);
    } else if (c.error instanceof AccessWithdrawn) {
      // Found as the keys were about to be answered (access-recheck.ts): answered as tenantAuth answers the same state.
      c.res =
        c.error.withdrawn === "tenant-suspended"
          ? group.suspended()
          : requestFailureResponse({ reason: "tenant-authentication-failed", challenge: false });
    } else if (c.error instanceof SealedValueError) {
      // A stored seed, key or data key that does not open (tampered, or a KEK not configured here) is a storage fault.
      console.error("stored value does not open", { path: new URL(c.req.url).pathname, problem: c.error.message });
      c.res = group.unavailable(STORAGE_RETRY_AFTER_SECONDS);
    }
  };
}
