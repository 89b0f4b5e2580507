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
  /** The request was authenticated by a signed URL's token (signed-url-auth.ts) rather than Basic credentials. */
  signedUrl: boolean;
  /** The isolate's tenant read path. */
  store: TenantStore;
}

export type AppEnv = { Bindings: Env; Variables: AppVariables };
