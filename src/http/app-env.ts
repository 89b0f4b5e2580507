import type { AcquisitionProtocol } from "../tenancy/credentials";
import type { LoadedTenant } from "../tenancy/loaded-tenant";
import type { TenantStore } from "../tenancy/tenant-store";

/** What middleware puts on the Hono context for the routes after it. */
export interface AppVariables {
  /** The authenticated tenant (tenantAuth). */
  tenant: LoadedTenant;
  /** Id of the credential that authenticated the request, for the issuance record. */
  credentialId: string;
  /** The acquisition protocols that credential may speak; undefined when it is not limited. */
  credentialProtocols: readonly AcquisitionProtocol[] | undefined;
  /** How the request was authenticated: Basic credentials (tenantAuth) or a signed URL's token (signed-url-auth.ts). */
  authenticatedBy: Exclude<AuthenticationKind, "widevine-signer">;
  /** The isolate's tenant read path. */
  store: TenantStore;
  /** The acquisition protocol the route speaks, for the request log (src/http/request-log.ts). */
  protocol: UsageProtocol;
  /** The content keys an acquisition answered and the tenant it served, set once they are recorded, for the request log. */
  issuance: { readonly tenantId: string; readonly keys: number };
}

/** An acquisition protocol as the request log and usage events name it: a credential's `Protocols` name, or the Widevine CENC API. */
export type UsageProtocol = AcquisitionProtocol | "WidevineCenc";

/**
 * What let an acquisition in: one of the tenant's credentials (Basic), a signed CPIX URL, or a Widevine CENC API
 * signer (its request signature). Set where authentication decides it, and read by the access re-check.
 */
export type AuthenticationKind = "credential" | "signed-url" | "widevine-signer";

export type AppEnv = { Bindings: Env; Variables: AppVariables };
