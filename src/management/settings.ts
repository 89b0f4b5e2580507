import { routeGroup } from "../http/route-group";
import type { AppEnv } from "../http/app-env";
import { managementFailureResponse } from "../http/management-errors";
import { publishAllowedOrigins } from "../http/cors";
import { requestActor } from "../http/request-actor";
import {
  MAX_ALLOWED_ORIGINS,
  MAX_LOG_RETENTION_DAYS,
  MAX_RECIPIENT_CERTIFICATES,
  MAX_SETTING_LENGTH,
  MIN_LOG_RETENTION_DAYS,
  SETTINGS_FIELDS,
  logRetentionDays,
  type StringSettingName,
  type TenantSettings,
} from "../tenancy/settings";
import { tenantObject } from "../tenancy/tenant-client";
import { keyUriTemplateProblem } from "../drm/key-uri-template";
import { playReadyLaUrlProblem } from "../drm/playready";
import { InputError, asObject, optionalString, optionalUuid } from "./json-fields";
import { parseBody, respond } from "./responses";

/** `GET/PUT /api/Settings`: the per-tenant DRM signalling settings and the log retention, PascalCase JSON. */
export const settingsRoutes = routeGroup({ kind: "tenant", scope: "manage" });
const routes = settingsRoutes.routes;

routes.get("/settings", async (c) => {
  const result = await tenantObject(c.env, c.var.tenant.tenantId).getSettings();
  return result.ok ? c.json(settingsJson(result.value)) : managementFailureResponse(result.failure);
});

routes.put("/settings", async (c) => {
  const settings = await parseBody(c.req.raw, parseSettings);
  if (settings instanceof Response) return settings;
  const tenantId = c.var.tenant.tenantId;
  const before = c.var.tenant.snapshot.settings.allowedOrigins ?? [];
  const result = await tenantObject(c.env, tenantId).putSettings(settings, requestActor(c, new Date().toISOString()));
  if (result.ok) await publishAllowedOrigins(c.env.SNAPSHOTS, tenantId, before, result.value.allowedOrigins ?? []);
  return respond(c.env, c.var.store, tenantId, result, (value) => c.json(settingsJson(value)));
});

function settingsJson(settings: TenantSettings): Record<string, string | number | boolean | readonly string[] | null> {
  return {
    ...Object.fromEntries(Object.entries(SETTINGS_FIELDS).map(([wire, field]) => [wire, settings[field] ?? null])),
    AllowedOrigins: settings.allowedOrigins ?? [],
    LogRetentionDays: logRetentionDays(settings),
    RequireEncryption: settings.requireEncryption ?? false,
    RecipientCertificates: settings.recipientCertificates ?? null,
    SignResponses: settings.signResponses ?? false,
    SigningKeyId: settings.signingKeyId ?? null,
    RequireSignedRequests: settings.requireSignedRequests ?? false,
    AllowPlainContentKeyExport: settings.allowPlainContentKeyExport ?? false,
  };
}

/** Every field optional; unknown fields are refused so a typo is not silently dropped. */
export function parseSettings(value: unknown): TenantSettings {
  const body = asObject(value);
  const known = [
    ...Object.keys(SETTINGS_FIELDS),
    "AllowedOrigins",
    "LogRetentionDays",
    "RequireEncryption",
    "RecipientCertificates",
    "SignResponses",
    "SigningKeyId",
    "RequireSignedRequests",
    "AllowPlainContentKeyExport",
  ];
  for (const name of Object.keys(body)) {
    if (!known.includes(name)) throw new InputError(`Unknown setting ${name}; allowed: ${known.join(", ")}`);
  }
  const settings: { -readonly [K in keyof TenantSettings]: TenantSettings[K] } = {};
  for (const [wire, field] of Object.entries(SETTINGS_FIELDS)) {
    const text = optionalString(body, wire, MAX_SETTING_LENGTH);
    if (text !== undefined && text !== "") {
      if (/[\r\n"]/.test(text)) throw new InputError(`${wire} must not contain quotes or line breaks (it is written into manifests)`);
      // The same checks acquisition applies, so a setting that would break every response is refused here.
      const problem = settingProblem(field, text);
      if (problem) throw new InputError(`${wire} ${problem}`);
      settings[field] = text;
    }
  }
  const origins = parseAllowedOrigins(body["AllowedOrigins"]);
  if (origins.length > 0) settings.allowedOrigins = origins;
  const retention = parseLogRetentionDays(body["LogRetentionDays"]);
  if (retention !== undefined) settings.logRetentionDays = retention;
  if (parseBoolean(body, "RequireEncryption")) settings.requireEncryption = true;
  const recipients = parseRecipientCertificates(body["RecipientCertificates"]);
  if (recipients.length > 0) settings.recipientCertificates = recipients;
  if (parseBoolean(body, "SignResponses")) settings.signResponses = true;
  const signingKeyId = optionalUuid(body, "SigningKeyId");
  if (signingKeyId !== undefined) settings.signingKeyId = signingKeyId;
  if (settings.signResponses && settings.signingKeyId === undefined) {
    throw new InputError("SignResponses needs SigningKeyId: the Id of a key added with POST /api/SigningKeys");
  }
  if (parseBoolean(body, "RequireSignedRequests")) settings.requireSignedRequests = true;
  if (parseBoolean(body, "AllowPlainContentKeyExport")) settings.allowPlainContentKeyExport = true;
  return settings;
}

/** A boolean setting; absent or null is false. */
function parseBoolean(body: Record<string, unknown>, field: string): boolean {
  const value = body[field];
  if (value === undefined || value === null) return false;
  if (typeof value !== "boolean") throw new InputError(`${field} must be true or false`);
  return value;
}

/**
 * `RecipientCertificates`: SHA-256 fingerprints of the DER certificates keys may be encrypted for, hex (colons
 * allowed, as `openssl x509 -fingerprint -sha256` prints them); stored lowercase without colons. Absent, null or
 * empty: any certificate the policy accepts.
 */
function parseRecipientCertificates(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new InputError("RecipientCertificates must be an array of SHA-256 certificate fingerprints (hex)");
  if (value.length > MAX_RECIPIENT_CERTIFICATES) {
    throw new InputError(`RecipientCertificates may hold at most ${MAX_RECIPIENT_CERTIFICATES} fingerprints`);
  }
  return [
    ...new Set(
      value.map((fingerprint, index) => {
        const hex = typeof fingerprint === "string" ? fingerprint.replace(/:/g, "").toLowerCase() : "";
        if (!/^[0-9a-f]{64}$/.test(hex)) {
          throw new InputError(`RecipientCertificates[${index}] must be a SHA-256 fingerprint: 64 hex digits, colons allowed`);
        }
        return hex;
      }),
    ),
  ];
}

/** `LogRetentionDays`: whole days from 1 to 3650; absent or null keeps the default. */
function parseLogRetentionDays(value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value) || value < MIN_LOG_RETENTION_DAYS || value > MAX_LOG_RETENTION_DAYS) {
    throw new InputError(`LogRetentionDays must be a whole number of days from ${MIN_LOG_RETENTION_DAYS} to ${MAX_LOG_RETENTION_DAYS}`);
  }
  return value;
}

/** `AllowedOrigins`: serialized origins (RFC 6454 §6.2) such as `https://console.example.com`, no path. */
function parseAllowedOrigins(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new InputError("AllowedOrigins must be an array of origins such as https://console.example.com");
  if (value.length > MAX_ALLOWED_ORIGINS) throw new InputError(`AllowedOrigins may hold at most ${MAX_ALLOWED_ORIGINS} origins`);
  return [
    ...new Set(
      value.map((origin, index) => {
        const url = typeof origin === "string" && URL.canParse(origin) ? new URL(origin) : undefined;
        if (!url || (url.protocol !== "https:" && url.protocol !== "http:") || url.origin !== origin) {
          throw new InputError(
            `AllowedOrigins[${index}] must be an origin: scheme, host and optional port, e.g. https://console.example.com`,
          );
        }
        return origin;
      }),
    ),
  ];
}

function settingProblem(field: StringSettingName, value: string): string | undefined {
  switch (field) {
    case "widevineProvider":
      return undefined;
    case "playReadyLaUrl":
      return playReadyLaUrlProblem(value);
    case "fairPlayUriTemplate":
      return keyUriTemplateProblem(value) ?? (value.startsWith("skd://") ? undefined : "must start with skd://");
    case "clearKeyUriTemplate":
      return keyUriTemplateProblem(value);
  }
}
