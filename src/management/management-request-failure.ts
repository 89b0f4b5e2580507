import { describeCpixKeyImportFailure, type CpixKeyImportFailure } from "../cpix/content-key-import-failure";
import { MAX_CPIX_URL_LIFETIME_SECONDS } from "../domain/signed-cpix-url";
import { jsonError } from "../http/errors";
import { describeCertificateProblem, describeSeedExportCertificateProblem } from "../x509/certificate-failure";
import type { CertificateProblem } from "../x509/certificate-problem";

/** Why a Management API route refused a request before or after calling the tenant object, as data. */
export type ManagementRequestFailure =
  /** An object Id in the path that is not a UUID. */
  | { readonly reason: "path-id"; readonly what: "credential" | "key seed" | "content key" }
  /**
   * A body field or query parameter that breaks its rule; `message` is the rule's own sentence, declared with the rule
   * (the valibot schemas built from src/http/json-fields.ts, src/http/paging.ts, src/domain/rsa-key-policy.ts).
   */
  | { readonly reason: "invalid-input"; readonly message: string }
  /** An OData option other than those GET /api/ContentKeys takes (refused rather than ignored). */
  | { readonly reason: "unsupported-option"; readonly option: string }
  /** An export whose selection is empty. */
  | { readonly reason: "nothing-to-export"; readonly what: "content keys" | "key seeds" }
  /** A seed listed by the tenant object is not yet in this isolate's snapshot; retried in a few seconds. */
  | { readonly reason: "seeds-updating" }
  /** A content-key export without Certificate, from a tenant that did not allow plain export. */
  | { readonly reason: "plain-export-forbidden" }
  /** The body's `Certificate` breaks the policy of its purpose (src/x509/certificate-policy.ts). */
  | { readonly reason: "certificate"; readonly problem: CertificateProblem }
  /** The `Certificate` of a key-seed export, which has a wording of its own (certificate-failure.ts). */
  | { readonly reason: "seed-export-certificate"; readonly problem: CertificateProblem }
  /** `PrivateKey` of a signing key: encrypted or PKCS #1 PEM, unreadable, or not the certificate's key. */
  | { readonly reason: "private-key"; readonly problem: "not-pkcs8" | "unreadable" | "not-the-certificates" }
  | { readonly reason: "unreadable-rsa-public-key" }
  /** `ExpiresAt` of a signed URL: in the past, or further ahead than MAX_CPIX_URL_LIFETIME_SECONDS. */
  | { readonly reason: "expires-at"; readonly rule: "in-the-future" | "within-lifetime" }
  /** The URL secret changed between recording a signed URL and signing it. */
  | { readonly reason: "url-secret-rotated" }
  /** A content-key import that is neither JSON nor CPIX. */
  | { readonly reason: "import-media-type" }
  | { readonly reason: "cpix-import"; readonly failure: CpixKeyImportFailure };

/**
 * The one place these failures meet the wire, in the JSON error shape (src/http/errors.ts): 400 naming the field and
 * rule, 403 for a refusal the tenant's settings decide, 404 for nothing to export, 409 for a race to retry, 415 for
 * another media type (RFC 9110 §15.5.16), 503 with `Retry-After` for a snapshot not yet here. Never a value.
 */
export function managementRequestFailureResponse(failure: ManagementRequestFailure): Response {
  switch (failure.reason) {
    case "path-id":
      return jsonError(400, `The ${failure.what} Id in the path must be a UUID`);
    case "invalid-input":
      return jsonError(400, failure.message);
    case "unsupported-option":
      return jsonError(400, `${failure.option} is not supported; use $top, $skip, $filter and $orderby`);
    case "nothing-to-export":
      return jsonError(404, `There are no ${failure.what} to export`);
    case "seeds-updating":
      return jsonError(503, "The key seeds are being updated; retry the export in a few seconds", { "Retry-After": "5" });
    case "plain-export-forbidden":
      return jsonError(
        403,
        "Plain export of content keys is not allowed for this tenant: send Certificate to receive them encrypted, or allow plain export in /api/Settings",
      );
    case "certificate":
      return jsonError(400, describeCertificateProblem(failure.problem, "Certificate"));
    case "seed-export-certificate":
      return jsonError(400, describeSeedExportCertificateProblem(failure.problem));
    case "private-key":
      return jsonError(400, privateKeyProblem(failure.problem));
    case "unreadable-rsa-public-key":
      return jsonError(400, "RsaPublicKey must be an RSA public key: PEM 'BEGIN PUBLIC KEY' or base64 of DER SubjectPublicKeyInfo");
    case "expires-at":
      return jsonError(
        400,
        failure.rule === "in-the-future"
          ? "ExpiresAt must be in the future"
          : `ExpiresAt may be at most ${MAX_CPIX_URL_LIFETIME_SECONDS / 86400} days ahead`,
      );
    case "url-secret-rotated":
      return jsonError(409, "The URL secret was rotated while this URL was signed; ask again");
    case "import-media-type":
      return jsonError(415, "Content-Type must be application/json (a JSON array) or application/xml (a CPIX document)");
    case "cpix-import":
      return jsonError(400, describeCpixKeyImportFailure(failure.failure));
  }
}

function privateKeyProblem(problem: Extract<ManagementRequestFailure, { reason: "private-key" }>["problem"]): string {
  switch (problem) {
    case "not-pkcs8":
      return "PrivateKey must be an unencrypted PKCS #8 key (BEGIN PRIVATE KEY); convert with openssl pkcs8 -topk8 -nocrypt";
    case "unreadable":
      return "PrivateKey must be an RSA private key: PEM 'BEGIN PRIVATE KEY' or base64 of DER PKCS #8";
    case "not-the-certificates":
      return "PrivateKey does not belong to Certificate (its signature does not verify with the certificate's key)";
  }
}
