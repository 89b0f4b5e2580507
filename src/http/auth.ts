import type { MiddlewareHandler } from "hono";
import { timingSafeEqual, utf8 } from "../domain/bytes";
import type { CredentialScope } from "../tenancy/credentials";
import { requestRepublish } from "../tenancy/republish-request";
import { StoredValueCorrupt } from "../tenancy/storage-fault";
import { tenantObject } from "../tenancy/tenant-client";
import { TenantStore } from "../tenancy/tenant-store";
import type { AppEnv } from "./app-env";
import { isBrowserRequest } from "./browser-guard";
import { requestFailureResponse } from "./request-errors";
import { authenticationBlockedFor, clientAddress, countAuthenticationFailure, overTenantBudget, type RateLimitBudget } from "./rate-limits";

/** The isolate's tenant read path for this request's environment. */
export function tenantStore(env: Env): TenantStore {
  return new TenantStore(env.SNAPSHOTS, env.KEY_ENCRYPTION_KEY, env.KEY_ENCRYPTION_KEY_VERSION, Date.now, (fault) =>
    requestRepublish(env, fault),
  );
}

/**
 * The tenant a management request acts on, from its object rather than from KV (docs/storage.md §Self-healing): the
 * credential is checked against the object's state, so a bad or missing snapshot never locks its tenant out of the
 * Management API, and a revocation holds at once. KV is read first only to tell a tenant from a guessed id, so a guess
 * never instantiates a Durable Object; a KV outage stays a 503 (storage-faults.test.ts).
 */
async function managedTenant(env: Env, store: TenantStore, tenantId: string, background: (work: Promise<unknown>) => void) {
  try {
    if (!(await store.load(tenantId))) return undefined;
  } catch (error) {
    if (!(error instanceof StoredValueCorrupt)) throw error;
    const asked = requestRepublish(env, error);
    if (asked) background(asked);
  }
  const current = await tenantObject(env, tenantId).tenant().snapshot();
  return current.ok ? store.prime(current.value) : undefined;
}

/** Splits `Authorization: Basic base64(user:secret)` (RFC 7617 §2); undefined when it is not that. */
export function parseBasicAuthorization(header: string | undefined): { user: string; secret: string } | undefined {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? "");
  if (!match) return undefined;
  let decoded: string;
  try {
    decoded = atob(match[1]!);
  } catch {
    return undefined;
  }
  const colon = decoded.indexOf(":");
  if (colon <= 0) return undefined;
  return { user: decoded.slice(0, colon).trim().toLowerCase(), secret: decoded.slice(colon + 1) };
}

/**
 * Tenant authentication by Basic credentials (Axinom Key Service API, "Authentication"): the user name is the
 * tenant id, the password the secret of one of the tenant's credentials. Every authentication failure (unknown
 * tenant, wrong or revoked or expired secret) is the same 401; a valid credential without `scope` gets 403 naming
 * the scope (RFC 9110 §15.5.4: the server understood who asks and refuses). A client address that keeps failing
 * is refused with 429 before its credentials are checked. An authenticated tenant then draws on its budget for
 * the scope's kind of request (429 past it).
 */
export function tenantAuth(scope: CredentialScope, suspendedAnswer: () => Response): MiddlewareHandler<AppEnv> {
  const budget: RateLimitBudget = scope === "acquire" ? "acquisition" : "management";
  return async function tenantAuthMiddleware(c, next) {
    const client = clientAddress(c.req.raw);
    const blockedFor = authenticationBlockedFor(client);
    if (blockedFor > 0) return requestFailureResponse({ reason: "authentication-blocked", retryAfterSeconds: blockedFor });
    const credentials = parseBasicAuthorization(c.req.header("Authorization"));
    const store = tenantStore(c.env);
    const refreshInBackground = (refresh: Promise<unknown>) => c.executionCtx.waitUntil(refresh);
    const tenantId = credentials && /^[0-9a-f-]{36}$/.test(credentials.user) ? credentials.user : undefined;
    const tenant =
      tenantId === undefined
        ? undefined
        : scope === "manage"
          ? await managedTenant(c.env, store, tenantId, refreshInBackground)
          : await store.load(tenantId, refreshInBackground);
    const credential = tenant && credentials ? await tenant.authenticate(credentials.secret, new Date()) : undefined;
    if (!tenant || !credential) {
      if (await countAuthenticationFailure(c.env, client)) return requestFailureResponse({ reason: "authentication-failures" });
      // The Basic challenge (RFC 7617 §2) for clients that send credentials only when asked (libcurl `--anyauth`, some
      // encoders). Never to a browser: it would prompt for the tenant's key and then attach it to every request,
      // cross-site ones included.
      return requestFailureResponse({ reason: "tenant-authentication-failed", challenge: !isBrowserRequest(c.req.raw) });
    }
    // Only a caller holding the tenant's credential learns it is suspended (issue 28); every other caller gets the 401.
    if (tenant.suspended) return suspendedAnswer();
    // 403 names the scope, never the credential.
    if (!credential.scopes.includes(scope)) return requestFailureResponse({ reason: "missing-scope", scope });
    if (await overTenantBudget(c.env, budget, tenant.tenantId)) return requestFailureResponse({ reason: "over-budget", budget });
    c.set("tenant", tenant);
    c.set("credentialId", credential.id);
    c.set("credentialProtocols", credential.protocols);
    c.set("authenticatedBy", "credential");
    c.set("store", store);
    await next();
  };
}

/** Operator authentication: `Authorization: Bearer <ADMIN_TOKEN>`, compared in constant time. */
export function adminAuth(): MiddlewareHandler<AppEnv> {
  return async function adminAuthMiddleware(c, next) {
    const client = clientAddress(c.req.raw);
    const blockedFor = authenticationBlockedFor(client);
    if (blockedFor > 0) return requestFailureResponse({ reason: "authentication-blocked", retryAfterSeconds: blockedFor });
    const presented = /^Bearer\s+(\S+)\s*$/i.exec(c.req.header("Authorization") ?? "")?.[1];
    const expected = c.env.ADMIN_TOKEN;
    if (!expected || !presented || !timingSafeEqual(await digest(presented), await digest(expected))) {
      if (await countAuthenticationFailure(c.env, client)) return requestFailureResponse({ reason: "authentication-failures" });
      return requestFailureResponse({ reason: "operator-authentication-failed" });
    }
    await next();
  };
}

/** Hashing both sides first makes the comparison independent of the token lengths. */
async function digest(text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", utf8(text)));
}
