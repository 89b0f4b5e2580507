import type { CpixUrlRefusal } from "../domain/signed-cpix-url";
import type { CredentialScope } from "../tenancy/credentials";
import { STORAGE_RETRY_AFTER_SECONDS } from "../tenancy/storage-fault";
import { jsonError } from "./errors";
import { RATE_LIMIT_PERIOD_SECONDS, type RateLimitBudget } from "./rate-limits";

/** Why a request was refused around its route (auth, guards, configuration, storage, routing), as data. */
export type RequestFailure =
  /** The client address failed authentication too often and may try again in `retryAfterSeconds`. */
  | { readonly reason: "authentication-blocked"; readonly retryAfterSeconds: number }
  /** This failed authentication was one too many: the address is refused for the rate-limit period. */
  | { readonly reason: "authentication-failures" }
  /** Unknown tenant, or a wrong, revoked or expired secret: one answer for all. `challenge` unless a browser asked. */
  | { readonly reason: "tenant-authentication-failed"; readonly challenge: boolean }
  | { readonly reason: "operator-authentication-failed" }
  /** An authenticated tenant the operator suspended (`PUT /admin/tenants/{id}`, issue 28). */
  | { readonly reason: "tenant-suspended" }
  /** A valid credential without the scope the route needs. */
  | { readonly reason: "missing-scope"; readonly scope: CredentialScope }
  /** The tenant's budget of this kind of request is used up for the rate-limit period. */
  | { readonly reason: "over-budget"; readonly budget: RateLimitBudget }
  /** A signed URL (`POST /api/CpixUrls`) that does not check, or names no tenant. */
  | { readonly reason: "signed-url-refused"; readonly refusal: SignedUrlRefusal }
  /** A browser request from `origin`, not on the tenant's AllowedOrigins (`operator`: the Operator API, which allows none). */
  | { readonly reason: "foreign-origin"; readonly origin: string; readonly operator: boolean }
  /** A secret the route group needs is missing or malformed; `problem` names it and how to set it (configuration.ts). */
  | { readonly reason: "not-configured"; readonly problem: string }
  /** A storage fault; `retryAfterSeconds` is named in the message when given (a route group's), else only in the header. */
  | { readonly reason: "storage-unavailable"; readonly retryAfterSeconds?: number }
  | { readonly reason: "no-route"; readonly method: string; readonly path: string }
  /** An unexpected fault: answered without detail (it is logged, without bodies, where it is caught). */
  | { readonly reason: "internal-error" };

/** Why a signed URL was refused: its check failed (verifyCpixUrl), or its `tenant` parameter names no tenant. */
export type SignedUrlRefusal = CpixUrlRefusal | { readonly reason: "unknown-tenant" };

/**
 * The one place these failures meet the wire, in the JSON error shape (errors.ts): 401 with its challenge (RFC 9110
 * §11.6.1; Basic RFC 7617 §2, Bearer RFC 6750 §3), 403 for a known caller refused (RFC 9110 §15.5.4), 429 with
 * `Retry-After` in seconds (RFC 6585 §4), 503 with `Retry-After` for storage (RFC 9110 §15.6.4).
 */
export function requestFailureResponse(failure: RequestFailure): Response {
  switch (failure.reason) {
    case "authentication-blocked":
      return tooManyRequests(
        `Too many failed authentications from this address; retry in ${failure.retryAfterSeconds} s`,
        failure.retryAfterSeconds,
      );
    case "authentication-failures":
      return tooManyRequests("Too many failed authentications from this address");
    case "tenant-authentication-failed":
      // One message for every authentication failure, so a response never tells whether the tenant exists.
      return jsonError(
        401,
        "Authentication failed: send Authorization: Basic base64(tenantId:managementKey)",
        failure.challenge ? { "WWW-Authenticate": 'Basic realm="edge-key-service", charset="UTF-8"' } : {},
      );
    case "operator-authentication-failed":
      return jsonError(401, "Authentication failed: send Authorization: Bearer <ADMIN_TOKEN>", {
        "WWW-Authenticate": 'Bearer realm="edge-key-service-admin"',
      });
    case "missing-scope": {
      const endpoints = failure.scope === "acquire" ? "Key acquisition endpoints" : "Management API endpoints";
      return jsonError(
        403,
        `Forbidden: this credential lacks the ${failure.scope} scope; ${endpoints} need a credential holding ${failure.scope}`,
      );
    }
    case "tenant-suspended":
      return jsonError(403, "Tenant suspended");
    case "over-budget":
      return tooManyRequests(`Rate limit of ${failure.budget} requests for this tenant reached`);
    case "signed-url-refused":
      return jsonError(403, `Signed URL refused: ${signedUrlRefusal(failure.refusal)}`);
    case "foreign-origin":
      return jsonError(
        403,
        `Cross-origin request from ${failure.origin} refused: ${
          failure.operator ? "the Operator API takes none" : "add the origin to AllowedOrigins in /api/Settings to allow it"
        }`,
      );
    case "not-configured":
      return jsonError(503, `Service not configured: ${failure.problem}`);
    case "storage-unavailable":
      return jsonError(
        503,
        `Storage is temporarily unavailable; retry${failure.retryAfterSeconds === undefined ? "" : ` in ${failure.retryAfterSeconds} s`}`,
        { "Retry-After": String(failure.retryAfterSeconds ?? STORAGE_RETRY_AFTER_SECONDS) },
      );
    case "no-route":
      return jsonError(404, `No route for ${failure.method} ${failure.path}`);
    case "internal-error":
      return jsonError(500, "Internal error");
  }
}

/** 429 with `Retry-After` (RFC 6585 §4): the rate-limit period unless the wait is known. */
function tooManyRequests(message: string, retryAfterSeconds = RATE_LIMIT_PERIOD_SECONDS): Response {
  return jsonError(429, message, { "Retry-After": String(retryAfterSeconds) });
}

/** Why a signed URL was refused, to follow "Signed URL refused: ", naming what to do where there is something. */
function signedUrlRefusal(refusal: SignedUrlRefusal): string {
  switch (refusal.reason) {
    case "unknown-tenant":
      return "unknown tenant";
    case "missing-parameters":
      return "it needs exactly one each of tenant, expires and token (POST /api/CpixUrls)";
    case "unknown-token":
      return "its token is not one this service issues";
    case "rotated":
      return "it was signed with a URL secret of this tenant that has since been rotated (POST /api/CpixUrls/rotate-secret)";
    case "other-tenant":
      return `its token was not issued for tenant ${refusal.tenantId} (another tenant's URL, or a changed tenant parameter)`;
    case "tampered":
      return "its path or query was changed after signing (the token does not match them)";
    case "expired":
      return `it expired at ${refusal.expiredAt ?? "an unreadable instant"}`;
  }
}
