import type { LoadedTenant } from "../tenancy/loaded-tenant";
import type { TenantStore } from "../tenancy/tenant-store";

/** What middleware puts on the Hono context for the routes after it. */
export interface AppVariables {
  /** The authenticated tenant (tenantAuth). */
  tenant: LoadedTenant;
  /** Id of the credential that authenticated the request, for the issuance record. */
  credentialId: string;
  /** The isolate's tenant read path. */
  store: TenantStore;
}

export type AppEnv = { Bindings: Env; Variables: AppVariables };
