import { canonicalBase64Url, toBase64Url, utf8 } from "./bytes";

/**
 * Signed CPIX URLs, for readers that can only GET a URL and send no Authorization header (Unified Streaming
 * `--mpd.cpix=URL`; Unified Streaming docs, CPIX command-line options): `POST /api/CpixUrls` answers
 * `/api/Cpix/{contentId}?<query>&tenant=<id>&expires=<unix s>&token=<secret id>.<mac>`, the MAC an HMAC-SHA256
 * (RFC 2104) under the tenant's URL secret over the tenant, the path and every query parameter before `token`, so
 * none of them can be changed. Rotating the secret refuses every URL signed before.
 */

/** Longest a signed URL may stay valid: a packager job that needs longer gets a new URL. */
export const MAX_CPIX_URL_LIFETIME_SECONDS = 366 * 24 * 60 * 60;

/** Query parameters the service adds to a signed URL; a caller's `Query` may not name them. */
export const SIGNED_URL_PARAMETERS = ["tenant", "expires", "token"] as const;

/** The path every signed URL names, before the percent-encoded content id (lower-case: routes are case-insensitive). */
export const CPIX_URL_PATH = "/api/cpix/";

const TOKEN_PREFIX = "token=";

/** An HMAC-SHA256 key from the opened secret, non-extractable. */
export function importCpixUrlKey(secret: Uint8Array): Promise<CryptoKey> {
  return crypto.subtle.importKey("raw", secret, { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]);
}

/** The secret a URL is checked with: the one in use and the ids of those it replaced. */
export interface CpixUrlKey {
  readonly id: string;
  readonly key: CryptoKey;
  readonly retiredIds: readonly string[];
}

function message(tenantId: string, path: string, query: string): Uint8Array {
  return utf8(`edge-key-service/cpix-url/v1\n${tenantId}\n${path}\n${query}`);
}

/** The path and query of a signed URL for `contentId` (without origin), token last. */
export async function signCpixUrl(
  key: CpixUrlKey,
  tenantId: string,
  contentId: string,
  query: string,
  expiresUnixSeconds: number,
): Promise<string> {
  const path = CPIX_URL_PATH + encodeURIComponent(contentId);
  const signedQuery = `${query === "" ? "" : `${query}&`}tenant=${tenantId}&expires=${expiresUnixSeconds}`;
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key.key, message(tenantId, path, signedQuery)));
  return `${path}?${signedQuery}&${TOKEN_PREFIX}${key.id}.${toBase64Url(mac)}`;
}

/** Why a signed URL does not check; src/http/request-errors.ts says it in words. */
export type CpixUrlRefusal =
  /** Not exactly one each of `tenant`, `expires` and `token`. */
  | { readonly reason: "missing-parameters" }
  /** A token not of the shape this service issues (`<secret id>.<43 base64url characters>`). */
  | { readonly reason: "unknown-token" }
  /** Signed with a URL secret of this tenant that has since been rotated. */
  | { readonly reason: "rotated" }
  /** Not signed with any secret of `tenantId`: another tenant's URL, or a changed `tenant` parameter. */
  | { readonly reason: "other-tenant"; readonly tenantId: string }
  /** The MAC does not match the path and query: they were changed after signing. */
  | { readonly reason: "tampered" }
  /** `expiredAt` (ISO 8601) has passed; undefined when `expires` is not a readable instant. */
  | { readonly reason: "expired"; readonly expiredAt: string | undefined };

export type CpixUrlVerdict = { readonly ok: true; readonly secretId: string } | { readonly ok: false; readonly refusal: CpixUrlRefusal };

const refused = (refusal: CpixUrlRefusal): CpixUrlVerdict => ({ ok: false, refusal });

/**
 * Checks a signed URL: its token names the tenant's secret (else another tenant's, or one since rotated), its MAC
 * matches path and query (else it was altered), and it has not expired. `path` is the request path with the route
 * words lower-cased (caseInsensitivePath), `rawQuery` the query as sent (without `?`); `key` is undefined for a
 * tenant that has no URL secret or does not exist (refused alike, so the answer does not tell which).
 */
export async function verifyCpixUrl(
  tenantId: string,
  path: string,
  rawQuery: string,
  key: CpixUrlKey | undefined,
  now: Date,
): Promise<CpixUrlVerdict> {
  const parts = rawQuery.split("&");
  const tokens = parts.filter((part) => part.startsWith(TOKEN_PREFIX));
  const expiresValues = parts.filter((part) => part.startsWith("expires="));
  const tenantValues = parts.filter((part) => part.startsWith("tenant="));
  if (tokens.length !== 1 || expiresValues.length !== 1 || tenantValues.length !== 1) {
    return refused({ reason: "missing-parameters" });
  }
  const [secretId, macText, extra] = tokens[0]!.slice(TOKEN_PREFIX.length).split(".");
  // Only the spelling signCpixUrl writes: another spelling of the same MAC would be a changed URL that still checks.
  const mac = macText === undefined || extra !== undefined ? undefined : canonicalBase64Url(macText);
  if (secretId === undefined || mac?.length !== 32) return refused({ reason: "unknown-token" });
  if (!key || key.id !== secretId) {
    return refused(key?.retiredIds.includes(secretId) ? { reason: "rotated" } : { reason: "other-tenant", tenantId });
  }
  const signedQuery = parts.filter((part) => !part.startsWith(TOKEN_PREFIX)).join("&");
  if (!(await crypto.subtle.verify("HMAC", key.key, mac, message(tenantId, path, signedQuery)))) {
    return refused({ reason: "tampered" });
  }
  const expires = Number(expiresValues[0]!.slice("expires=".length));
  if (!Number.isSafeInteger(expires) || expires * 1000 <= now.getTime()) {
    return refused({ reason: "expired", expiredAt: Number.isSafeInteger(expires) ? new Date(expires * 1000).toISOString() : undefined });
  }
  return { ok: true, secretId };
}
