import { Hono } from "hono";
import type { CredentialScope } from "../tenancy/credentials";
import type { AppEnv } from "./app-env";

/** Who may call the routes of a group: declared where the group is defined, applied where it is mounted. */
export type RouteAccess =
  /** `Authorization: Basic` tenant credentials holding the scope (Axinom Key Service API, "Authentication"). */
  | { readonly kind: "tenant"; readonly scope: CredentialScope }
  /** `Authorization: Bearer <ADMIN_TOKEN>`: the platform operator. */
  | { readonly kind: "operator" }
  /** No Authorization header: every request carries its own signature (Widevine Common Encryption API). */
  | { readonly kind: "signed-request" };

/** A set of routes and the access they all require. */
export interface RouteGroup {
  readonly access: RouteAccess;
  readonly routes: Hono<AppEnv>;
}

/**
 * A new route group with its access declared.
 * @example export const logRoutes = routeGroup({ kind: "tenant", scope: "manage" }); logRoutes.routes.get("/logs", …);
 */
export function routeGroup(access: RouteAccess): RouteGroup {
  return { access, routes: new Hono<AppEnv>() };
}
