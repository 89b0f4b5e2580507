import type { MigrationStep } from "../schema";
import { AuditStore } from "./audit-store";
import { ContentKeyRemovalStore } from "./content-key-removal-store";
import { ContentKeyStore } from "./content-key-store";
import { CpixUrlSecretStore } from "./cpix-url-secret-store";
import { CredentialStore } from "./credential-store";
import { IssuanceStore } from "./issuance-store";
import { KeySeedStore, type KeySeedStoreOptions } from "./key-seed-store";
import { SettingsStore } from "./settings-store";
import { SigningKeyStore } from "./signing-key-store";
import { TrustedRequesterStore } from "./trusted-requester-store";
import { TenantRecordStore } from "./tenant-record-store";
import { UsageStore } from "./usage-store";
import { WidevineSignerStore } from "./widevine-signer-store";

/** The tenant object's stores, one per record kind, all over the object's one SQLite database. */
export interface TenantStores {
  readonly tenant: TenantRecordStore;
  readonly credentials: CredentialStore;
  readonly seeds: KeySeedStore;
  readonly settings: SettingsStore;
  readonly widevineSigners: WidevineSignerStore;
  readonly signingKeys: SigningKeyStore;
  readonly trustedRequesters: TrustedRequesterStore;
  readonly cpixUrlSecrets: CpixUrlSecretStore;
  readonly contentKeys: ContentKeyStore;
  readonly contentKeyRemovals: ContentKeyRemovalStore;
  readonly issuance: IssuanceStore;
  readonly audit: AuditStore;
  readonly usage: UsageStore;
}

/** Every store's migration steps, for `migrate` to run version by version (docs/storage.md §Durable Object tables). */
export const TENANT_MIGRATIONS: readonly MigrationStep[] = [
  TenantRecordStore,
  CredentialStore,
  KeySeedStore,
  SettingsStore,
  IssuanceStore,
  WidevineSignerStore,
  AuditStore,
  SigningKeyStore,
  TrustedRequesterStore,
  CpixUrlSecretStore,
  ContentKeyStore,
  ContentKeyRemovalStore,
  UsageStore,
].flatMap((store) => store.migrations);

/** Opens every store over the object's SQL storage; run `migrate(sql, TENANT_MIGRATIONS)` before using them. */
export function openTenantStores(sql: SqlStorage, options: KeySeedStoreOptions): TenantStores {
  return {
    tenant: new TenantRecordStore(sql),
    credentials: new CredentialStore(sql),
    seeds: new KeySeedStore(sql, options),
    settings: new SettingsStore(sql),
    widevineSigners: new WidevineSignerStore(sql),
    signingKeys: new SigningKeyStore(sql),
    trustedRequesters: new TrustedRequesterStore(sql),
    cpixUrlSecrets: new CpixUrlSecretStore(sql),
    contentKeys: new ContentKeyStore(sql),
    contentKeyRemovals: new ContentKeyRemovalStore(sql),
    issuance: new IssuanceStore(sql),
    audit: new AuditStore(sql),
    usage: new UsageStore(sql),
  };
}
