import { routeGroup } from "../http/route-group";
import type { AppEnv } from "../http/app-env";
import { managementFailureResponse } from "../http/management-errors";
import { publishAllowedOrigins } from "../http/cors";
import { requestActor } from "../http/request-actor";
import { SETTINGS_FIELDS, type TenantSettings } from "../tenancy/settings";
import { resolveTenantPolicy } from "../tenancy/tenant-policy";
import { tenantObject } from "../tenancy/tenant-client";
import { parseSettings, TENANT_SETTINGS } from "./settings-input";
import { parseBody, respond } from "./responses";
import type { LazyRouteDoc } from "../http/route-doc";
import { error, json } from "../http/route-doc-parts";
import { responseShapes } from "./response-shapes";

/** `GET/PUT /api/Settings`: the per-tenant DRM signalling settings and the log retention, PascalCase JSON. */
export const settingsRoutes = routeGroup({ kind: "tenant", scope: "manage" });
const routes = settingsRoutes;

const readSettingsDoc: LazyRouteDoc | false =
  __OPENAPI__ &&
  (() => ({
    tag: "Settings",
    summary: "Read the tenant settings",
    responses: { 200: json("The settings", responseShapes().settings) },
  }));

routes.declare("get", "/api/Settings", readSettingsDoc, async (c) => {
  const result = await tenantObject(c.env, c.var.tenant.tenantId).settings().get();
  return result.ok ? c.json(settingsJson(result.value)) : managementFailureResponse(result.failure);
});

const replaceSettingsDoc: LazyRouteDoc | false =
  __OPENAPI__ &&
  (() => ({
    tag: "Settings",
    summary: "Replace the tenant settings",
    description: "Every field is optional; a field left out is reset to its default.",
    body: { kind: "json", schema: TENANT_SETTINGS },
    responses: {
      200: json("The settings", responseShapes().settings),
      409: error("The Harmonic configuration's RequireSignatures needs SigningKeyId; turn it off first"),
    },
  }));

routes.declare("put", "/api/Settings", replaceSettingsDoc, async (c) => {
  const settings = await parseBody(c.req.raw, parseSettings);
  if (settings instanceof Response) return settings;
  const tenantId = c.var.tenant.tenantId;
  const before = c.var.tenant.policy.cors.allowedOrigins;
  const result = await tenantObject(c.env, tenantId).settings().put(settings, requestActor(c, new Date()));
  if (result.ok) await publishAllowedOrigins(c.env, tenantId, before, resolveTenantPolicy(result.value).cors.allowedOrigins);
  return respond(c.env, c.var.store, tenantId, result, (value) => c.json(settingsJson(value)));
});

/** The settings in force as JSON; a string setting that is unset is `null` (the signalling rule for absence applies). */
function settingsJson(settings: TenantSettings): Record<string, string | number | boolean | readonly string[] | null> {
  const policy = resolveTenantPolicy(settings);
  const security = policy.documentSecurity;
  return {
    ...Object.fromEntries(Object.entries(SETTINGS_FIELDS).map(([wire, field]) => [wire, policy.signalling[field] ?? null])),
    AllowedOrigins: policy.cors.allowedOrigins,
    LogRetentionDays: policy.retention.logDays,
    RequireEncryption: security.requireEncryption,
    RecipientCertificates: security.recipientFingerprints ?? null,
    SignResponses: security.signResponses,
    SigningKeyId: security.signingKeyId ?? null,
    RequireSignedRequests: security.requireSignedRequests,
    AllowPlainContentKeyExport: policy.export.allowPlainContentKeys,
  };
}
