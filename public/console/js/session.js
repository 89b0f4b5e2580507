/**
 * The signed-in credential. It lives in sessionStorage only (gone when the tab closes), is sent as the
 * Authorization header by api.js, and is never put in a cookie or a URL.
 */
const STORAGE_KEY = "eks-console-session";

/** @returns {{tenantId: string, secret: string} | null} */
export function currentSession() {
  try {
    const value = JSON.parse(sessionStorage.getItem(STORAGE_KEY) ?? "null");
    return value && typeof value.tenantId === "string" && typeof value.secret === "string" ? value : null;
  } catch {
    return null;
  }
}

export function remember(tenantId, secret) {
  sessionStorage.setItem(STORAGE_KEY, JSON.stringify({ tenantId, secret }));
}

/** Sign out: the console keeps nothing of the credential afterwards. */
export function forget() {
  sessionStorage.removeItem(STORAGE_KEY);
}

/** `Basic base64(tenantId:secret)` (RFC 7617 §2, UTF-8 as §2.1 allows). */
export function basicAuthorization(tenantId, secret) {
  const bytes = new TextEncoder().encode(`${tenantId}:${secret}`);
  return `Basic ${btoa(String.fromCharCode(...bytes))}`;
}
