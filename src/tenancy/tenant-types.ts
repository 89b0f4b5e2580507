/** Types that cross the tenant Durable Object's RPC boundary (plain data: RPC drops classes and stacks). */

export type ManagementResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly failure: ManagementFailure };

/** One page of a list, and how many items the whole list holds. */
export interface Page<T> {
  readonly items: T[];
  readonly total: number;
}

/** Why a management write or read was refused; mapped to HTTP in src/http/management-errors.ts. */
export type ManagementFailure =
  | { readonly reason: "no-tenant" }
  | { readonly reason: "tenant-exists" }
  | { readonly reason: "not-found"; readonly what: string; readonly id: string }
  | { readonly reason: "duplicate-id"; readonly what: string; readonly id: string }
  | { readonly reason: "default-seed"; readonly id: string }
  /** A default until recently: some location may still issue keys from it until `until` (ISO 8601). */
  | { readonly reason: "seed-retained"; readonly id: string; readonly until: string }
  /** A Widevine provider name another tenant holds (names are unique across the service). */
  | { readonly reason: "provider-name-taken"; readonly providerName: string }
  /** Another request is changing the same thing in this tenant right now. */
  | { readonly reason: "in-progress"; readonly what: string }
  | { readonly reason: "invalid"; readonly message: string };

export interface TenantCreated {
  readonly tenantId: string;
  /** Shown once; only its keyed hash is stored. */
  readonly managementKey: string;
  readonly credentialId: string;
  readonly keySeedId: string;
}

export interface TenantMetadata {
  readonly tenantId: string;
  readonly name: string;
  readonly created: string;
  readonly keySeedCount: number;
  readonly defaultKeySeedId: string | undefined;
  readonly snapshotVersion: number;
}

/** A key seed as the Management API shows it: never the value. */
export interface KeySeedView {
  readonly id: string;
  readonly name: string;
  readonly created: string;
  readonly updated: string;
  readonly generated: boolean;
  readonly madeDefault: string | null;
  readonly isDefault: boolean;
  /** When a default switch to this seed is still pending, the instant it takes effect everywhere. */
  readonly defaultEffectiveAt: string | null;
}

export interface NewKeySeed {
  readonly id?: string;
  readonly name: string;
  readonly isDefault?: boolean;
}

export interface KeySeedImport {
  readonly id?: string;
  readonly data: Uint8Array;
}

/** One answered acquisition, without key values (DESIGN.md §Issuance log). */
export interface IssuanceRecord {
  readonly time: string;
  readonly protocol: string;
  readonly contentId: string | null;
  readonly kids: readonly string[];
  readonly keySeedId: string;
  readonly credential: string;
}

/** A Widevine CENC API signing credential as listed: never the signing key or IV. */
export interface WidevineCredentialView {
  readonly id: string;
  readonly providerName: string;
  readonly kind: "aes" | "rsa";
  readonly keySeedId: string | null;
  readonly created: string;
}

export interface NewWidevineCredential {
  readonly id: string;
  readonly providerName: string;
  /** AES signing key (32 bytes) and IV (16 bytes), or an RSA public key: exactly one of them. */
  readonly aes?: { readonly signingKey: Uint8Array; readonly signingIv: Uint8Array };
  readonly rsaPublicKeySpki?: Uint8Array;
  readonly keySeedId?: string;
}

/**
 * What re-wrapping one tenant's data key under the current key-encryption key did (docs/storage.md §Rotating the
 * key-encryption key). Never carries key material.
 */
export type DataKeyRewrap =
  | { readonly outcome: "rewrapped"; readonly fromKeyVersion: number }
  | { readonly outcome: "already-current" }
  | { readonly outcome: "no-tenant" }
  /** The object's configuration names another current version than the caller's: a deploy is still rolling out. */
  | { readonly outcome: "other-configuration"; readonly objectKeyVersion: number }
  /** The data key is wrapped under a version that is not configured, or that version's key does not open it. */
  | { readonly outcome: "cannot-open"; readonly wrappedKeyVersion: number | null; readonly problem: string };
