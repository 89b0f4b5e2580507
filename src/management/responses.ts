import type { AppEnv } from "../http/app-env";
import { readJsonBody } from "../http/body";
import { jsonBodyFailureResponse } from "../http/body-failure";
import { managementFailureResponse } from "../http/management-errors";
import { tenantObject } from "../tenancy/tenant-client";
import type { ManagementResult } from "../tenancy/tenant-types";
import { InputError } from "../http/json-fields";
import { managementRequestFailureResponse } from "./management-request-failure";

/** Reads a JSON body and runs a parser over it; a Response for any problem, named in the message. */
export async function parseBody<T>(request: Request, parse: (value: unknown) => T): Promise<T | Response> {
  const body = await readJsonBody(request);
  if (!body.ok) return jsonBodyFailureResponse(body.failure);
  try {
    return parse(body.value);
  } catch (error) {
    if (error instanceof InputError) return managementRequestFailureResponse({ reason: "invalid-input", message: error.message });
    throw error;
  }
}

/**
 * Shapes a write's result and primes this isolate's snapshot cache with the object's newest snapshot,
 * so the next acquisition here sees the change at once (other isolates follow within the cache TTL).
 */
export async function respond<T>(
  env: Env,
  store: AppEnv["Variables"]["store"],
  tenantId: string,
  result: ManagementResult<T>,
  render: (value: T) => Response,
): Promise<Response> {
  if (!result.ok) return managementFailureResponse(result.failure);
  const snapshot = await tenantObject(env, tenantId).tenant().snapshot();
  if (snapshot.ok) await store.prime(snapshot.value);
  return render(result.value);
}
