/** Types that cross the tenant Durable Object's RPC boundary (plain data: RPC drops classes and stacks). */

import type { ContentKeyImportProblem } from "./content-key-types";
import type { AcquisitionProtocol, CredentialScope } from "./credentials";

export type ManagementResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly failure: ManagementFailure };

/** One page of a list, and how many items the whole list holds. */
export interface Page<T> {
  readonly items: T[];
  readonly total: number;
}

/**
 * Why a management write or read was refused, as data: each reason carries what its message names, never a sentence
 * (src/http/management-errors.ts chooses the status and the words).
 */
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
  /** An imported key seed that is not KEY_SEED_LENGTH bytes long. */
  | { readonly reason: "seed-length"; readonly length: number }
  /** An imported key seed of zero bytes only (item `index`, from 0): not a secret. */
  | { readonly reason: "zero-seed"; readonly index: number }
  /** A key seed a Widevine credential (`providerName`) issues from: that credential goes first. */
  | { readonly reason: "seed-used-by-signer"; readonly id: string; readonly providerName: string }
  /** `KeySeedId` of a new content key names no key seed of the tenant. */
  | { readonly reason: "unknown-key-seed"; readonly keySeedId: string }
  /** A content-key import refused whole before anything is stored. */
  | { readonly reason: "content-key-import"; readonly problem: ContentKeyImportProblem }
  /** Entry `index` (from 0) of an import repeats the KID `id` of an earlier entry. */
  | { readonly reason: "repeated-content-key"; readonly index: number; readonly id: string }
  /** Deleted recently: some location may still answer its old value until `until` (ISO 8601). */
  | { readonly reason: "content-key-retained"; readonly id: string; readonly until: string }
  /** An export selects `count` content keys, more than MAX_CONTENT_KEYS_PER_EXPORT. */
  | { readonly reason: "export-too-large"; readonly count: number }
  /** `SigningKeyId` of the settings names no signing key of the tenant. */
  | { readonly reason: "unknown-signing-key"; readonly signingKeyId: string }
  /** The signing key the settings name (`SigningKeyId`): the settings change first. */
  | { readonly reason: "signing-key-in-use"; readonly id: string }
  /** Settings without `SigningKeyId` while Harmonic's RequireSignatures needs it (/api/HarmonicConfiguration). */
  | { readonly reason: "harmonic-signs-with-it" }
  /** Harmonic's EncryptContentKeys without its RequireSignatures. */
  | { readonly reason: "harmonic-encryption-unsigned" }
  /** Harmonic's RequireSignatures while `SigningKeyId` names no signing key. */
  | { readonly reason: "harmonic-signing-key-missing" }
  /** The tenant's last unexpired credential with the `manage` scope: deleting it would lock the tenant out. */
  | { readonly reason: "last-manage-credential"; readonly id: string }
  /** The tenant holds MAX_CREDENTIALS_PER_TENANT credentials already. */
  | { readonly reason: "credential-limit" }
  /** A new credential would expire after `creatorExpiresAt`, when the credential creating it does (issue 24). */
  | { readonly reason: "expiry-after-creator"; readonly creatorExpiresAt: string };

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
  /** As `GET /admin/tenants` lists it (issue 28): a suspended tenant is refused on every tenant route. */
  readonly suspended: boolean;
  /** When the tenant will be erased; present only while a deletion is pending. */
  readonly deleteAt?: string;
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

/** A certificate as the Management API lists it (a signing key's or a trusted requester's): never a private key. */
export interface CertificateView {
  readonly id: string;
  /** The certificate's subject, RFC 4514. */
  readonly subject: string;
  /** SHA-256 of the DER certificate, lowercase hex. */
  readonly fingerprint: string;
  /** ISO 8601 end of the certificate's validity. */
  readonly notAfter: string;
  readonly created: string;
}

/** A certificate the route parsed and checked against the certificate policy. */
export interface NewCertificate {
  readonly id: string;
  readonly certificateDer: Uint8Array;
  readonly subject: string;
  readonly fingerprint: string;
  readonly notAfter: string;
}

/** A CPIX signing key: its certificate and the PKCS #8 private key the route checked belongs to it. */
export interface NewSigningKey extends NewCertificate {
  readonly privateKeyPkcs8: Uint8Array;
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

/** Who made a management change and through which request: what its audit record names (never a value). */
export interface RequestActor {
  /** The credential that authenticated the request, or OPERATOR_ACTOR for the Operator API. */
  readonly credentialId: string;
  /** The request's path, without its query. */
  readonly requestPath: string;
  /**
   * The instant of the change, taken once by the caller for the whole request: the rules that depend on time
   * (retention, reuse delays, expiry) judge at it, and its records carry it. A `Date` (RPC carries it as one).
   */
  readonly time: Date;
}

/** The actor named in audit records of changes made through the Operator API. */
export const OPERATOR_ACTOR = "operator";

export {
  AUDIT_ACTION_CATEGORY,
  LOG_CATEGORY,
  type AuditAction,
  type IssuanceRecord,
  type LogCategory,
  type LogEntry,
  type LogFilter,
} from "./log-types";
export type { UsageBucket, UsageCounts, UsageInterval, UsageRange } from "./usage-types";

/** A tenant credential as listed: never its secret or hash. */
export interface CredentialView {
  readonly id: string;
  readonly name: string;
  readonly scopes: readonly CredentialScope[];
  readonly created: string;
  /** ISO 8601 instant from which it is refused, or null when it does not expire. */
  readonly expiresAt: string | null;
  /** The acquisition protocols it may speak, or null when it is not limited. */
  readonly protocols: readonly AcquisitionProtocol[] | null;
}

/** A credential just created: the view and its secret, shown this once. */
export interface CredentialIssued extends CredentialView {
  readonly secret: string;
}

export interface NewTenantCredential {
  readonly name: string;
  readonly scopes: readonly CredentialScope[];
  /** Absent: every acquisition protocol. */
  readonly protocols?: readonly AcquisitionProtocol[];
  readonly expiresAt?: string;
}
