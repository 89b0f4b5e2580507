import { healthRoutes } from "../admin/health";
import { kekRotationRoutes } from "../admin/kek-rotation";
import { restoreCertificateRoutes } from "../admin/restore-certificate";
import { tenantBackupRoutes } from "../admin/tenant-backup";
import { tenantAdminRoutes } from "../admin/tenants";
import { usageAdminRoutes } from "../admin/usage";
import type { RouteGroup } from "../http/route-group";
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
import { usageRoutes } from "../management/usage";
import { widevineCredentialRoutes } from "../management/widevine-credentials";
import { aneviaRoutes, cpixRoutes, cpixUrlRoutes } from "../protocols/cpix/routes";
import { widevineCencRoutes } from "../protocols/widevine-cenc/routes";
import { serviceRoutes } from "./service-routes";

/**
 * Every route group of the service, in the order `GET /api/openapi.json` lists their routes: the one place a new group
 * is added. src/app.ts mounts each at `/` (a group declares its routes' full paths), the public ones before the
 * configuration checks; scripts/openapi.mjs documents each route as its group declared it (src/openapi/document.ts).
 * It lives here, not in app.ts, because the document generator reads it and may not import the app.
 */
export const ROUTE_GROUPS: readonly RouteGroup[] = [
  // Operator API (Authorization: Bearer <ADMIN_TOKEN>)
  tenantAdminRoutes,
  kekRotationRoutes,
  healthRoutes,
  restoreCertificateRoutes,
  tenantBackupRoutes,
  usageAdminRoutes,
  // No credentials
  serviceRoutes,
  // Management API (tenant credentials with the manage scope)
  keySeedRoutes,
  contentKeyRoutes,
  contentKeyTransferRoutes,
  settingsRoutes,
  harmonicConfigurationRoutes,
  logRoutes,
  usageRoutes,
  cpixUrlManagementRoutes,
  credentialRoutes,
  widevineCredentialRoutes,
  signingKeyRoutes,
  trustedRequesterRoutes,
  // Key Acquisition
  cpixRoutes,
  cpixUrlRoutes,
  aneviaRoutes,
  widevineCencRoutes,
];
