import { contentKeyTransferRoutes } from "../management/content-key-transfer";
import { contentKeyRoutes } from "../management/content-keys";
import { cpixUrlManagementRoutes } from "../management/cpix-urls";
import { credentialRoutes } from "../management/credentials";
import { harmonicConfigurationRoutes } from "../management/harmonic-configuration";
import { keySeedRoutes } from "../management/key-seeds";
import { logRoutes } from "../management/logs";
import { settingsRoutes } from "../management/settings";
import { signingKeyRoutes } from "../management/signing-keys";
import { trustedRequesterRoutes } from "../management/trusted-requesters";
import { widevineCredentialRoutes } from "../management/widevine-credentials";

/**
 * The Management API's route groups in the order `GET /api/openapi.json` lists them; each route's documentation is
 * declared with the route (src/http/route-group.ts `declare`).
 */
export const MANAGEMENT_ROUTE_GROUPS = [
  keySeedRoutes,
  contentKeyRoutes,
  contentKeyTransferRoutes,
  settingsRoutes,
  harmonicConfigurationRoutes,
  logRoutes,
  cpixUrlManagementRoutes,
  credentialRoutes,
  widevineCredentialRoutes,
  signingKeyRoutes,
  trustedRequesterRoutes,
];
