import type { AcquisitionProtocol, CredentialScope } from "./credentials";
import type { SerializedKeyFilter } from "./content-key-filter";
import type { TenantSettings } from "./settings";

/**
 * Format of the snapshot JSON; a reader refuses formats it does not know (docs/storage.md). 2: written as an
 * authenticated KV value (src/tenancy/kv-authentication.ts), `contentKeys` always present.
 */
export const SNAPSHOT_FORMAT = 2;

/** The published default-seed switch (docs/storage.md, consistency: every location flips at `effectiveAt`). */
export interface DefaultSeedSwitch {
  /** The seed in force until `effectiveAt` (or for good when there is no `next`). */
  readonly current: string;
  readonly next: string | null;
  /** ISO 8601 instant at which every location starts using `next`. */
  readonly effectiveAt: string | null;
}

/** Everything an acquisition request needs about a tenant; written only by the tenant's Durable Object. */
export interface TenantSnapshot {
  readonly format: typeof SNAPSHOT_FORMAT;
  readonly tenantId: string;
  readonly version: number;
  readonly name: string;
  readonly dataKeyVersion: number;
  readonly wrappedDataKey: string;
  readonly credentials: readonly SnapshotCredential[];
  /** Sealed seed values by seed id. */
  readonly seeds: Readonly<Record<string, string>>;
  readonly defaultSeed: DefaultSeedSwitch;
  readonly settings: TenantSettings;
  /** Widevine CENC API signers of this tenant (absent in snapshots written before they existed). */
  readonly widevineCredentials?: readonly SnapshotWidevineCredential[];
  /** CPIX signing keys (absent in snapshots written before they existed). */
  readonly signingKeys?: readonly SnapshotSigningKey[];
  /** SHA-256 fingerprints (lowercase hex) of the certificates whose signed requests the tenant trusts. */
  readonly trustedRequesters?: readonly string[];
  /** The secret signed CPIX URLs are checked with (absent until the tenant issues its first signed URL). */
  readonly cpixUrlSecret?: SnapshotCpixUrlSecret;
  /**
   * Which KIDs the tenant stores a key for: a filter, never the keys themselves. Always present (count 0 when it stores
   * none), so a snapshot that lacks it is refused as a storage fault rather than read as "derive every KID".
   */
  readonly contentKeys: SnapshotContentKeys;
  /** Present (true) while the operator has the tenant suspended: every tenant route refuses it (issue 28). */
  readonly suspended?: true;
}

/**
 * The tenant's stored content keys as the snapshot carries them (docs/storage.md §Stored content keys): a membership
 * filter over the KIDs whose KV record is out, and the delete counter that tells isolates to drop the keys they cached.
 */
export interface SnapshotContentKeys {
  /** How many KIDs the filter holds. */
  readonly count: number;
  /** Moves with every delete: a key an isolate cached under another value is read again. */
  readonly removals: number;
  /** Present whenever `count` is above 0. */
  readonly filter?: SerializedKeyFilter;
}

/** One stored content key in KV, written by the tenant object: its value sealed under the data key, and its IV. */
export interface ContentKeyRecord {
  /** Sealed with purpose `content-key` for this tenant and KID (src/tenancy/envelope.ts). */
  readonly sealedValue: string;
  /** The stored IV (16 bytes, base64), absent when the key has none. */
  readonly iv?: string;
}

/** What a reader asks the tenant object to write again: the snapshot, one stored content key's record, or its CORS entries. */
export type RepublishTarget =
  { readonly kind: "snapshot" } | { readonly kind: "content-key"; readonly kid: string } | { readonly kind: "allowed-origins" };

/** A republish target as one word, for logs and rate limits. */
export function republishName(target: RepublishTarget): string {
  return target.kind === "content-key" ? `content-key/${target.kid}` : target.kind;
}

/** The KV key of one stored content key; `kid` is the canonical lower-case UUID. */
export function contentKeyRecordKey(tenantId: string, kid: string): string {
  return `tenant/${tenantId}/content-key/${kid}`;
}

/**
 * The HMAC-SHA256 secret of signed CPIX URLs, sealed under the data key, and the ids of the secrets it replaced (so a
 * URL signed before a rotation is refused as such, not as another tenant's).
 */
export interface SnapshotCpixUrlSecret {
  readonly id: string;
  readonly sealedSecret: string;
  readonly retiredIds: readonly string[];
}

/** A CPIX signing key: the certificate (DER, base64) and its PKCS #8 private key sealed under the data key. */
export interface SnapshotSigningKey {
  readonly id: string;
  readonly certificate: string;
  readonly sealedPrivateKey: string;
}

/** A Widevine CENC API signer: AES key ‖ IV sealed under the data key, or an RSA public key (DER SPKI, base64). */
export interface SnapshotWidevineCredential {
  readonly id: string;
  readonly providerName: string;
  readonly sealedAesMaterial?: string;
  readonly rsaPublicKeySpki?: string;
  /** The seed this signer's keys come from; the tenant default when absent. */
  readonly keySeedId?: string;
}

/** The KV key of the global signer → tenant index (written by the SignerRegistry object). */
export function signerKey(providerName: string): string {
  return `signer/${encodeURIComponent(providerName)}`;
}

/** A credential not revoked: revoking one removes it from the next snapshot. */
export interface SnapshotCredential {
  readonly id: string;
  readonly scopes: readonly CredentialScope[];
  readonly hash: string;
  /** ISO 8601 instant from which readers refuse it; absent when it does not expire. */
  readonly expiresAt?: string;
  /** The acquisition protocols it may speak; absent when it is not limited (and in snapshots written before limits). */
  readonly protocols?: readonly AcquisitionProtocol[];
}

/** The KV key of a tenant's snapshot. */
export function snapshotKey(tenantId: string): string {
  return `tenant/${tenantId}/snapshot`;
}

/** The seed id acquisitions use at `now`: `next` from `effectiveAt` on, else `current`. */
export function defaultSeedIdAt(defaultSeed: DefaultSeedSwitch, now: Date): string {
  if (defaultSeed.next !== null && defaultSeed.effectiveAt !== null && now.getTime() >= Date.parse(defaultSeed.effectiveAt)) {
    return defaultSeed.next;
  }
  return defaultSeed.current;
}
