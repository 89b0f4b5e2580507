import { SealedValueError, sealedKeyVersion } from "../envelope";
import type { DataKeyRewrap } from "../tenant-types";
import type { TenantContext } from "./tenant-context-type";

/** Rotation of the key-encryption key as it reaches this tenant: re-wrapping its data key. */
export class KeyRotationOperations {
  readonly #context: TenantContext;

  constructor(context: TenantContext) {
    this.#context = context;
  }

  /** The keyring reads the object's bindings at each use, so the versions compared are those configured now. */
  async rewrapDataKey(currentKeyVersion: number): Promise<DataKeyRewrap> {
    const { keys, stores, commit } = this.#context;
    const objectKeyVersion = (await keys.keyEncryptionKeys()).current.version;
    if (objectKeyVersion !== currentKeyVersion) return { outcome: "other-configuration", objectKeyVersion };
    const tenant = stores.tenant.read();
    if (!tenant) return { outcome: "no-tenant" };
    let rewrapped: string | undefined;
    try {
      rewrapped = await keys.rewrappedDataKey(tenant);
    } catch (error) {
      if (!(error instanceof SealedValueError)) throw error;
      return { outcome: "cannot-open", wrappedKeyVersion: sealedKeyVersion(tenant.wrappedDataKey) ?? null, problem: error.message };
    }
    // Another call may have re-wrapped it while this one awaited WebCrypto; nothing runs between this check and the write.
    if (rewrapped === undefined || stores.tenant.read()?.wrappedDataKey !== tenant.wrappedDataKey) {
      return { outcome: "already-current" };
    }
    const wrapped = rewrapped;
    await commit(() => stores.tenant.replaceWrappedDataKey(wrapped));
    return { outcome: "rewrapped", fromKeyVersion: sealedKeyVersion(tenant.wrappedDataKey)! };
  }
}
