import { CONTENT_KEY_LENGTH, KEY_SEED_LENGTH, STORED_IV_LENGTH } from "../domain/content-key";
import {
  MAX_CONTENT_KEY_NAME_LENGTH,
  MAX_CONTENT_KEYS_PER_EXPORT,
  MAX_CONTENT_KEYS_PER_IMPORT,
  type ContentKeyImportProblem,
} from "../tenancy/content-key-types";
import { MAX_CREDENTIALS_PER_TENANT } from "../tenancy/credentials";
import type { ManagementFailure } from "../tenancy/tenant-types";
import { jsonError } from "./errors";
import { requestFailureResponse } from "./request-errors";

/**
 * The one place management failures become HTTP: each typed failure has exactly one status and message. 400 for a
 * request the tenant's data makes invalid, 404 for an object that is not there, 409 when the tenant's current state
 * forbids a valid request (RFC 9110 §15.5.10). Messages name the rule and the way out, never a value.
 */
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
    case "seed-length":
      return jsonError(400, `Data must be exactly ${KEY_SEED_LENGTH} bytes, got ${failure.length}`);
    case "zero-seed":
      return jsonError(400, `Item ${failure.index}: Data is all zero bytes; a key seed must be secret random bytes`);
    case "seed-used-by-signer":
      // 400, as it always was, though the tenant's state decides it (clients may test for it).
      return jsonError(
        400,
        `Key seed ${failure.id} is used by the Widevine credential ${failure.providerName}; delete that credential first`,
      );
    case "unknown-key-seed":
      return jsonError(400, `KeySeedId ${failure.keySeedId} names no key seed of this tenant`);
    case "content-key-import":
      return jsonError(400, contentKeyImportProblem(failure.problem));
    case "repeated-content-key":
      return jsonError(409, `Entry ${failure.index}: content key ${failure.id} appears twice in the import`);
    case "content-key-retained":
      return jsonError(
        409,
        `Content key ${failure.id} was deleted recently and some location may still answer its old value; its Id can be stored again from ${failure.until}`,
      );
    case "export-too-large":
      return jsonError(400, `At most ${MAX_CONTENT_KEYS_PER_EXPORT} content keys per export, the selection holds ${failure.count}`);
    case "unknown-signing-key":
      return jsonError(400, `SigningKeyId ${failure.signingKeyId} names no signing key of this tenant (GET /api/SigningKeys)`);
    case "signing-key-in-use":
      return jsonError(
        409,
        `Signing key ${failure.id} is the tenant setting SigningKeyId; name another key or none first (PUT /api/Settings)`,
      );
    case "harmonic-signs-with-it":
      return jsonError(
        409,
        "SigningKeyId signs Harmonic answers while RequireSignatures is on; turn it off first (PUT /api/HarmonicConfiguration)",
      );
    case "harmonic-encryption-unsigned":
      return jsonError(400, "EncryptContentKeys can only be enabled together with RequireSignatures");
    case "harmonic-signing-key-missing":
      return jsonError(
        400,
        "RequireSignatures signs every Harmonic answer and needs the tenant setting SigningKeyId: add a key with POST /api/SigningKeys and name it with PUT /api/Settings",
      );
    case "last-manage-credential":
      return jsonError(
        409,
        `Credential ${failure.id} is the tenant's last unexpired credential with the manage scope; create another one first`,
      );
    case "credential-limit":
      return jsonError(409, `A tenant holds at most ${MAX_CREDENTIALS_PER_TENANT} credentials; delete one before creating another`);
    case "expiry-after-creator":
      return jsonError(
        400,
        `ExpiresAt must be at or before ${failure.creatorExpiresAt}, when the credential creating it expires: a credential cannot outlive the one that made it`,
      );
    // Found by the object after tenantAuth let the request in: answered as tenantAuth answers the same states.
    case "credential-not-current":
      return requestFailureResponse({ reason: "tenant-authentication-failed", challenge: false });
    case "tenant-suspended":
      return requestFailureResponse({ reason: "tenant-suspended" });
  }
}

/** The rule a content-key import broke, naming the entry by its index. */
function contentKeyImportProblem(problem: ContentKeyImportProblem): string {
  switch (problem.rule) {
    case "not-empty":
      return "An import must hold at least one content key";
    case "at-most":
      return `At most ${MAX_CONTENT_KEYS_PER_IMPORT} content keys per import, got ${problem.count}`;
    case "canonical-id":
      return `Entry ${problem.index}: the Id must be a canonical lower-case UUID`;
    case "key-length":
      return `Entry ${problem.index}: the key must be ${CONTENT_KEY_LENGTH} bytes, got ${problem.length}`;
    case "secret-key":
      return `Entry ${problem.index}: the key is all zero bytes; a content key must be secret random bytes`;
    case "iv-length":
      return `Entry ${problem.index}: the IV must be ${STORED_IV_LENGTH} bytes, got ${problem.length}`;
    case "name-length":
      return `Entry ${problem.index}: the Name must be at most ${MAX_CONTENT_KEY_NAME_LENGTH} characters, got ${problem.length}`;
  }
}
