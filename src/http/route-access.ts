import type { CredentialScope } from "../tenancy/credentials";

/** Who may call the routes of a group: declared where the group is defined, applied where it is mounted. */
export type RouteAccess =
  /** `Authorization: Basic` tenant credentials holding the scope (Axinom Key Service API, "Authentication"). */
  | { readonly kind: "tenant"; readonly scope: CredentialScope }
  /** `Authorization: Bearer <ADMIN_TOKEN>`: the platform operator. */
  | { readonly kind: "operator" }
  /** No Authorization header: every request carries its own signature (Widevine Common Encryption API). */
  | { readonly kind: "signed-request" }
  /**
   * Tenant Basic credentials holding the scope, or, without an Authorization header, a signed URL
   * (`POST /api/CpixUrls`) naming its tenant: for readers that can only GET a URL.
   */
  | { readonly kind: "tenant-or-signed-url"; readonly scope: CredentialScope };
