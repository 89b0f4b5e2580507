import { generateSecret, hashSecret } from "./credentials";
import type { TenantDataKey } from "./envelope";
import type { NewCredential } from "./stores/credential-store";
import type { NewStoredSeed } from "./stores/key-seed-store";
import type { TenantRecord } from "./stores/tenant-record-store";
import { FIRST_DATA_KEY_VERSION, sealGeneratedSeed, type TenantKeyring } from "./tenant-keyring";

/** A new tenant's first records, sealed and hashed before its transaction; `managementKey` is shown once, then gone. */
export interface TenantProvision {
  readonly tenant: TenantRecord;
  readonly credential: NewCredential;
  readonly seed: NewStoredSeed;
  readonly dataKey: TenantDataKey;
  readonly managementKey: string;
}

/** A fresh data key, one management key holding both scopes, and one generated seed named "Default". */
export async function provisionTenant(
  keys: TenantKeyring,
  input: { tenantId: string; name: string; now: string },
): Promise<TenantProvision> {
  const { tenantId, name, now } = input;
  const { wrapped, dataKey } = await keys.newDataKey(tenantId);
  const managementKey = generateSecret();
  const seedId = crypto.randomUUID();
  return {
    tenant: { id: tenantId, name, created: now, wrappedDataKey: wrapped, dataKeyVersion: FIRST_DATA_KEY_VERSION },
    // Both scopes: Axinom's clients use the one management key for acquisition and management alike.
    credential: {
      id: crypto.randomUUID(),
      kind: "management",
      scopes: ["acquire", "manage"],
      secretHash: await hashSecret(managementKey, dataKey.credentialHash),
      created: now,
    },
    seed: { id: seedId, name: "Default", sealedValue: await sealGeneratedSeed(dataKey, tenantId, seedId), generated: true, now },
    dataKey,
    managementKey,
  };
}
