import type { Context } from "hono";
import { routeGroup } from "../http/route-group";
import type { AppEnv } from "../http/app-env";
import { managementFailureResponse } from "../http/management-errors";
import { requestActor } from "../http/request-actor";
import { harmonicConfiguration, type HarmonicConfiguration } from "../tenancy/settings";
import { tenantObject } from "../tenancy/tenant-client";
import { InputError, asObject } from "./json-fields";
import { parseBody, respond } from "./responses";

/**
 * `GET/PUT /api/HarmonicConfiguration` (POST too, Axinom's verb: "Creates or updates"): `RequireSignatures` and
 * `EncryptContentKeys` for `POST /api/Harmonic/v2` (Axinom Key Service docs, Harmonic). Stored as two tenant
 * settings that `/api/Settings` neither shows nor changes.
 */
export const harmonicConfigurationRoutes = routeGroup({ kind: "tenant", scope: "manage" });
const routes = harmonicConfigurationRoutes.routes;

const FIELDS = ["EncryptContentKeys", "RequireSignatures"];

routes.get("/harmonicconfiguration", async (c) => {
  const result = await tenantObject(c.env, c.var.tenant.tenantId).getSettings();
  return result.ok ? c.json(configurationJson(harmonicConfiguration(result.value))) : managementFailureResponse(result.failure);
});

routes.put("/harmonicconfiguration", (c) => put(c));
routes.post("/harmonicconfiguration", (c) => put(c));

async function put(c: Context<AppEnv>): Promise<Response> {
  const configuration = await parseBody(c.req.raw, parseConfiguration);
  if (configuration instanceof Response) return configuration;
  const tenantId = c.var.tenant.tenantId;
  const result = await tenantObject(c.env, tenantId).putHarmonicConfiguration(configuration, requestActor(c, new Date().toISOString()));
  return respond(c.env, c.var.store, tenantId, result, (value) => c.json(configurationJson(value)));
}

function configurationJson(configuration: HarmonicConfiguration): Record<string, boolean> {
  return { EncryptContentKeys: configuration.harmonicEncryptContentKeys, RequireSignatures: configuration.harmonicRequireSignatures };
}

/** Both fields optional (absent or null: false, Axinom's default); unknown fields are refused. */
export function parseConfiguration(value: unknown): HarmonicConfiguration {
  const body = asObject(value);
  for (const name of Object.keys(body)) {
    if (!FIELDS.includes(name)) throw new InputError(`Unknown field ${name}; allowed: ${FIELDS.join(", ")}`);
  }
  const flag = (field: string): boolean => {
    const v = body[field];
    if (v === undefined || v === null) return false;
    if (typeof v !== "boolean") throw new InputError(`${field} must be true or false`);
    return v;
  };
  const configuration = { harmonicEncryptContentKeys: flag("EncryptContentKeys"), harmonicRequireSignatures: flag("RequireSignatures") };
  if (configuration.harmonicEncryptContentKeys && !configuration.harmonicRequireSignatures) {
    throw new InputError("EncryptContentKeys can only be enabled together with RequireSignatures");
  }
  return configuration;
}
