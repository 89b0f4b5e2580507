import { Hono, type MiddlewareHandler } from "hono";
import type { CredentialScope } from "../tenancy/credentials";
import { SealedValueError } from "../tenancy/envelope";
import { requestRepublish } from "../tenancy/republish-request";
import { STORAGE_RETRY_AFTER_SECONDS, StorageUnavailable, StoredValueCorrupt } from "../tenancy/storage-fault";
import type { AppEnv } from "./app-env";
import { requestFailureResponse } from "./request-errors";

/** Who may call the routes of a group: declared where the group is defined, applied where it is mounted. */
export type RouteAccess =
  /** `Authorization: Basic` tenant credentials holding the scope (Axinom Key Service API, "Authentication"). */
  | { readonly kind: "tenant"; readonly scope: CredentialScope }
  /** `Authorization: Bearer <ADMIN_TOKEN>`: the platform operator. */
  | { readonly kind: "operator" }
  /** No Authorization header: every request carries its own signature (Widevine Common Encryption API). */
  | { readonly kind: "signed-request" }
  /**
   * Tenant Basic credentials holding the scope, or, without an Authorization header, a signed URL
   * (`POST /api/CpixUrls`) naming its tenant: for readers that can only GET a URL.
   */
  | { readonly kind: "tenant-or-signed-url"; readonly scope: CredentialScope };

/** A set of routes, the access they all require, and how their protocol says "storage unavailable, retry" and "tenant suspended". */
export interface RouteGroup {
  readonly access: RouteAccess;
  readonly routes: Hono<AppEnv>;
  readonly unavailable: (retryAfterSeconds: number) => Response;
  /** The refusal of an authenticated tenant the operator suspended (issue 28), in the group's protocol shape. */
  readonly suspended: () => Response;
}

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
 * @example export const logRoutes = routeGroup({ kind: "tenant", scope: "manage" }); logRoutes.routes.get("/logs", …);
 */
export function routeGroup(
  access: RouteAccess,
  unavailable: RouteGroup["unavailable"] = jsonUnavailable,
  suspended: RouteGroup["suspended"] = jsonSuspended,
): RouteGroup {
  return { access, routes: new Hono<AppEnv>(), unavailable, suspended };
}

/**
 * Answers a storage fault raised anywhere below it (auth, handler) in the group's own shape. Hono hands a thrown
 * error to `onError` and records it on the context, so the fault is seen here after `next()`.
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
    } else if (c.error instanceof SealedValueError) {
      // A stored seed, key or data key that does not open (tampered, or a KEK not configured here) is a storage fault.
      console.error("stored value does not open", { path: new URL(c.req.url).pathname, problem: c.error.message });
      c.res = group.unavailable(STORAGE_RETRY_AFTER_SECONDS);
    }
  };
}
