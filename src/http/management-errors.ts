import type { ManagementFailure } from "../tenancy/tenant-types";
import { jsonError } from "./errors";

/** The one place management failures become HTTP: each typed failure has exactly one status and message. */
export function managementFailureResponse(failure: ManagementFailure): Response {
  switch (failure.reason) {
    case "no-tenant":
      return jsonError(404, "Tenant not found");
    case "tenant-exists":
      return jsonError(409, "A tenant with this id already exists");
    case "not-found":
      return jsonError(404, `No ${failure.what} with Id ${failure.id}`);
    case "duplicate-id":
      return jsonError(409, `A ${failure.what} with Id ${failure.id} already exists`);
    case "default-seed":
      return jsonError(
        409,
        `Key seed ${failure.id} is the default key seed (or a pending default switch names it) and cannot be deleted; make another seed default first`,
      );
    case "seed-retained":
      return jsonError(
        409,
        `Key seed ${failure.id} was the default key seed until recently and some location may still issue keys from it; it can be deleted from ${failure.until}`,
      );
    case "provider-name-taken":
      return jsonError(409, `ProviderName ${failure.providerName} is already taken (provider names are unique across the service)`);
    case "in-progress":
      return jsonError(409, `Another request is creating or deleting the ${failure.what}; retry when it has finished`);
    case "invalid":
      return jsonError(400, failure.message);
    case "conflict":
      return jsonError(409, failure.message);
  }
}
