import { Hono } from "hono";
import type { AppEnv } from "../http/app-env";
import { managementFailureResponse } from "../http/management-errors";
import { MAX_SETTING_LENGTH, SETTINGS_FIELDS, type TenantSettings } from "../tenancy/settings";
import { tenantObject } from "../tenancy/tenant-client";
import { keyUriTemplateProblem } from "../drm/key-uri-template";
import { playReadyLaUrlProblem } from "../drm/playready";
import { InputError, asObject, optionalString } from "./json-fields";
import { parseBody, respond } from "./responses";

/** `GET/PUT /api/Settings`: the per-tenant DRM signalling settings, PascalCase JSON. */
export const settingsRoutes = new Hono<AppEnv>();

settingsRoutes.get("/settings", async (c) => {
  const result = await tenantObject(c.env, c.var.tenant.tenantId).getSettings();
  return result.ok ? c.json(settingsJson(result.value)) : managementFailureResponse(result.failure);
});

settingsRoutes.put("/settings", async (c) => {
  const settings = await parseBody(c.req.raw, parseSettings);
  if (settings instanceof Response) return settings;
  const tenantId = c.var.tenant.tenantId;
  const result = await tenantObject(c.env, tenantId).putSettings(settings);
  return respond(c.env, c.var.store, tenantId, result, (value) => c.json(settingsJson(value)));
});

function settingsJson(settings: TenantSettings): Record<string, string | null> {
  return Object.fromEntries(Object.entries(SETTINGS_FIELDS).map(([wire, field]) => [wire, settings[field] ?? null]));
}

/** Every field optional; unknown fields are refused so a typo is not silently dropped. */
export function parseSettings(value: unknown): TenantSettings {
  const body = asObject(value);
  for (const name of Object.keys(body)) {
    if (!Object.hasOwn(SETTINGS_FIELDS, name)) {
      throw new InputError(`Unknown setting ${name}; allowed: ${Object.keys(SETTINGS_FIELDS).join(", ")}`);
    }
  }
  const settings: Record<string, string> = {};
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
  return settings as TenantSettings;
}

function settingProblem(field: keyof TenantSettings, value: string): string | undefined {
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
