import type { Context } from "hono";
import type { RequestActor } from "../tenancy/tenant-types";
import type { AppEnv } from "./app-env";

/** Who makes a tenant API change, for its audit record: the authenticating credential, the path, `now`. */
export function requestActor(c: Context<AppEnv>, now: Date): RequestActor {
  return { credentialId: c.var.credentialId, requestPath: new URL(c.req.url).pathname, time: now };
}
