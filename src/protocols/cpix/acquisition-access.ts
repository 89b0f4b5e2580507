import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../../http/app-env";
import { ACQUISITION_PROTOCOLS, allowsProtocol, type AcquisitionProtocol } from "../../tenancy/credentials";
import type { AcquisitionFailure } from "./failure";
import { acquisitionFailureResponse } from "./wire";

/**
 * Refuses, before the request is read, a credential whose `Protocols` leave out this route's protocol (403 in the
 * protocol's own error shape, with its headers). A signed CPIX URL speaks CpixGet only (signed-url-auth.ts). Names the
 * protocol for the request log either way.
 * @example routes.post("/harmonic/v2", acquisitionProtocol("Harmonic"), (c) => …);
 */
export function acquisitionProtocol(
  protocol: AcquisitionProtocol,
  headers: Readonly<Record<string, string>> = {},
): MiddlewareHandler<AppEnv> {
  return async function acquisitionProtocolMiddleware(c, next) {
    c.set("protocol", protocol);
    const allowed = c.get("credentialProtocols"); // not `c.var`, which Hono rebuilds from every variable on each read
    if (!allowsProtocol(allowed, protocol)) {
      return acquisitionFailureResponse({ reason: "protocol-not-allowed", protocol, allowed: allowed ?? ACQUISITION_PROTOCOLS }, headers);
    }
    await next();
  };
}

/**
 * `RequireSignedRequests` for a GET (CPIX GET, Anevia) with Basic credentials: a URL carries no XML-DSig signature
 * (CPIX 2.3 §Digital Signature signs documents), so only a signed CPIX URL, whose token signs the request, is answered.
 */
export function unsignedGetRefusal(): AcquisitionFailure {
  return { reason: "unsigned-get" };
}
