import type { Context } from "hono";
import * as v from "valibot";
import { routeGroup } from "../http/route-group";
import type { AppEnv } from "../http/app-env";
import { managementFailureResponse } from "../http/management-errors";
import { requestActor } from "../http/request-actor";
import type { HarmonicConfiguration } from "../tenancy/settings";
import { harmonicConfiguration, resolveTenantPolicy } from "../tenancy/tenant-policy";
import { tenantObject } from "../tenancy/tenant-client";
import { flag, jsonObject, optional, parseJson } from "../http/json-fields";
import { parseBody, respond } from "./responses";
import type { LazyRouteDoc } from "../http/route-doc";
import { json } from "../http/route-doc-parts";
import { responseShapes } from "./response-shapes";

/**
 * `GET/PUT /api/HarmonicConfiguration` (POST too, Axinom's verb: "Creates or updates"): `RequireSignatures` and
 * `EncryptContentKeys` for `POST /api/Harmonic/v2` (Axinom Key Service docs, Harmonic). Stored as two tenant
 * settings that `/api/Settings` neither shows nor changes.
 */
export const harmonicConfigurationRoutes = routeGroup({ kind: "tenant", scope: "manage" });
const routes = harmonicConfigurationRoutes;

const FIELDS = ["EncryptContentKeys", "RequireSignatures"];

const readHarmonicConfigurationDoc: LazyRouteDoc | false =
  __OPENAPI__ &&
  (() => ({
    tag: "Settings",
    summary: "Read the Harmonic configuration",
    responses: { 200: json("The configuration", responseShapes().harmonicConfiguration) },
  }));

routes.declare("get", "/api/HarmonicConfiguration", readHarmonicConfigurationDoc, async (c) => {
  const result = await tenantObject(c.env, c.var.tenant.tenantId).settings().get();
  return result.ok
    ? c.json(configurationJson(harmonicConfiguration(resolveTenantPolicy(result.value))))
    : managementFailureResponse(result.failure);
});

const setHarmonicConfigurationDoc: LazyRouteDoc | false =
  __OPENAPI__ &&
  (() => ({
    tag: "Settings",
    summary: "Set the Harmonic configuration (RequireSignatures, EncryptContentKeys)",
    body: { kind: "json", schema: HARMONIC_CONFIGURATION },
    responses: { 200: json("The configuration", responseShapes().harmonicConfiguration) },
  }));

routes.declare("put", "/api/HarmonicConfiguration", setHarmonicConfigurationDoc, (c) => put(c));
routes.declare("post", "/api/HarmonicConfiguration", setHarmonicConfigurationDoc, (c) => put(c));

async function put(c: Context<AppEnv>): Promise<Response> {
  const configuration = await parseBody(c.req.raw, parseConfiguration);
  if (configuration instanceof Response) return configuration;
  const tenantId = c.var.tenant.tenantId;
  const result = await tenantObject(c.env, tenantId).settings().putHarmonicConfiguration(configuration, requestActor(c, new Date()));
  return respond(c.env, c.var.store, tenantId, result, (value) => c.json(configurationJson(value)));
}

function configurationJson(configuration: HarmonicConfiguration): Record<string, boolean> {
  return { EncryptContentKeys: configuration.harmonicEncryptContentKeys, RequireSignatures: configuration.harmonicRequireSignatures };
}

/** `{EncryptContentKeys?, RequireSignatures?}`: both optional (absent or null: false, Axinom's default); unknown fields are refused. */
export const HARMONIC_CONFIGURATION = v.pipe(
  jsonObject(
    { EncryptContentKeys: optional(flag("EncryptContentKeys")), RequireSignatures: optional(flag("RequireSignatures")) },
    { unknownField: (name) => `Unknown field ${name}; allowed: ${FIELDS.join(", ")}` },
  ),
  v.check(
    (body) => !body.EncryptContentKeys || body.RequireSignatures === true,
    "EncryptContentKeys can only be enabled together with RequireSignatures",
  ),
);

/** The typed configuration of a PUT or POST. */
export function parseConfiguration(value: unknown): HarmonicConfiguration {
  const body = parseJson(HARMONIC_CONFIGURATION, value);
  return { harmonicEncryptContentKeys: body.EncryptContentKeys ?? false, harmonicRequireSignatures: body.RequireSignatures ?? false };
}
