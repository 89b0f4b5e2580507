import type { MiddlewareHandler } from "hono";
import { verifyCpixUrl } from "../domain/signed-cpix-url";
import type { AcquisitionProtocol, CredentialScope } from "../tenancy/credentials";
import type { AppEnv } from "./app-env";
import { tenantAuth, tenantStore } from "./auth";
import { caseInsensitivePath } from "./paths";
import { authenticationBlockedFor, clientAddress, countAuthenticationFailure, overTenantBudget } from "./rate-limits";
import { requestFailureResponse } from "./request-errors";

/** A signed URL names a `GET /api/Cpix/{contentId}` request and is bound to that protocol (issue 24). */
const SIGNED_URL_PROTOCOLS: readonly AcquisitionProtocol[] = ["CpixGet"];

/** The issuance record's credential for an acquisition by signed URL: the URL secret's id, never the token. */
export function signedUrlCredential(secretId: string): string {
  return `signed-url ${secretId}`;
}

/**
 * Tenant Basic credentials as `tenantAuth` checks them, or, for a request with a `token` parameter and no
 * Authorization header, a signed URL (`POST /api/CpixUrls`): the tenant named by its `tenant` parameter, the token
 * checked by `verifyCpixUrl`. A refused URL is 403 naming why (another tenant's, rotated secret, changed, expired) and
 * counts as a failed authentication of the client address. The token is never logged or recorded.
 */
export function tenantOrSignedUrlAuth(scope: CredentialScope, suspendedAnswer: () => Response): MiddlewareHandler<AppEnv> {
  const basic = tenantAuth(scope, suspendedAnswer);
  return async function tenantOrSignedUrlMiddleware(c, next) {
    if (c.req.header("Authorization") !== undefined || c.req.query("token") === undefined) return basic(c, next);
    const client = clientAddress(c.req.raw);
    const blockedFor = authenticationBlockedFor(client);
    if (blockedFor > 0) return requestFailureResponse({ reason: "authentication-blocked", retryAfterSeconds: blockedFor });
    const tenantId = (c.req.query("tenant") ?? "").toLowerCase();
    const store = tenantStore(c.env);
    const tenant = /^[0-9a-f-]{36}$/.test(tenantId)
      ? await store.load(tenantId, (refresh) => c.executionCtx.waitUntil(refresh))
      : undefined;
    const url = c.req.url;
    const queryStart = url.indexOf("?");
    const verdict = await verifyCpixUrl(
      tenantId,
      caseInsensitivePath(c.req.raw),
      queryStart === -1 ? "" : url.slice(queryStart + 1).replace(/#.*$/, ""),
      await tenant?.cpixUrlKey(),
      new Date(),
    );
    if (!tenant || !verdict.ok) {
      if (await countAuthenticationFailure(c.env, client)) return requestFailureResponse({ reason: "authentication-failures" });
      return requestFailureResponse({ reason: "signed-url-refused", refusal: verdict.ok ? { reason: "unknown-tenant" } : verdict.refusal });
    }
    // A URL that checks is the tenant's own: its holder learns the tenant is suspended (issue 28).
    if (tenant.suspended) return suspendedAnswer();
    if (await overTenantBudget(c.env, "acquisition", tenant.tenantId)) {
      return requestFailureResponse({ reason: "over-budget", budget: "acquisition" });
    }
    c.set("tenant", tenant);
    c.set("credentialId", signedUrlCredential(verdict.secretId));
    c.set("credentialProtocols", SIGNED_URL_PROTOCOLS);
    c.set("authenticatedBy", "signed-url");
    c.set("store", store);
    await next();
  };
}
