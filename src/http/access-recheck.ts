import type { AuthenticationKind } from "./app-env";
import { tenantStore } from "./auth";

/**
 * What tenantAuth would now say of a request it let in: its credential is revoked or expired (or its tenant erased),
 * or the operator suspended its tenant (issue 28).
 */
export type WithdrawnAccess = "credential-not-current" | "tenant-suspended";

/** Thrown when access was withdrawn after authentication; the route group answers it in its shape (route-group.ts). */
export class AccessWithdrawn extends Error {
  constructor(readonly withdrawn: WithdrawnAccess) {
    super(withdrawn);
    this.name = "AccessWithdrawn";
  }
}

/**
 * tenantAuth's verdict again, taken as an acquisition is about to be recorded and answered: tenantAuth judged the
 * request when its headers arrived, but the body may follow minutes later, and keys answered then would outlast a
 * revocation, an expiry or a suspension without bound. Read from this isolate's tenant cache, so the answer honours
 * the documented staleness bound (snapshot-freshness.ts) and a warm request makes no storage call. The credential is
 * looked at first, as tenantAuth does, when `authenticatedBy` says a credential let the request in; signed URLs (a GET,
 * no body) and Widevine signers (their tenant is read after the body) are judged by their own checks.
 */
export async function recheckAcquisitionAccess(
  env: Env,
  background: (refresh: Promise<unknown>) => void,
  tenantId: string,
  authenticatedBy: AuthenticationKind,
  credential: string,
  now: Date,
): Promise<void> {
  const tenant = await tenantStore(env).load(tenantId, background);
  if (!tenant) throw new AccessWithdrawn("credential-not-current");
  if (authenticatedBy === "credential" && !tenant.currentScopes(credential, now)?.includes("acquire")) {
    throw new AccessWithdrawn("credential-not-current");
  }
  if (tenant.suspended) throw new AccessWithdrawn("tenant-suspended");
}
