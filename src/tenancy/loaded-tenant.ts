import { importCpixUrlKey, type CpixUrlKey } from "../domain/signed-cpix-url";
import { fromBase64, fromBase64Url, timingSafeEqual } from "../domain/bytes";
import { keySeedFromBytes, type KeySeedValue } from "../domain/content-key";
import { AES_SIGNING_KEY_LENGTH, type SignerCredential } from "../domain/signer-credential";
import { isExpired, secretDigest, type AcquisitionProtocol, type CredentialScope } from "./credentials";
import { open, type TenantDataKey } from "./envelope";
import type { KvMacKeys } from "./kv-authentication";
import { defaultSeedIdAt, type SnapshotCredential, type TenantSnapshot } from "./snapshot";
import { resolveTenantPolicy, type TenantPolicy } from "./tenant-policy";

/** A Widevine CENC API signer as the acquisition path needs it. */
export interface WidevineSigner {
  readonly credential: SignerCredential;
  readonly keySeedId: string | undefined;
}

/** A CPIX signing key as the acquisition path needs it: the opened private key and its certificate (DER). */
export interface OpenedSigningKey {
  /** RSASSA-PKCS1-v1_5 with SHA-256, non-extractable. */
  readonly privateKey: CryptoKey;
  readonly certificateDer: Uint8Array;
}

/** A credential that authenticated a request, and what it may do. */
export interface AuthenticatedCredential {
  readonly id: string;
  readonly scopes: readonly CredentialScope[];
  /** The acquisition protocols it may speak; undefined when it is not limited. */
  readonly protocols?: readonly AcquisitionProtocol[];
}

/** A tenant as the read path sees it: the snapshot plus its opened keys, cached per isolate. */
export class LoadedTenant {
  readonly #openedSeeds = new Map<string, Promise<KeySeedValue>>();
  readonly #openedSigners = new Map<string, Promise<WidevineSigner | undefined>>();
  readonly #openedSigningKeys = new Map<string, Promise<OpenedSigningKey | undefined>>();
  #openedCpixUrlKey: Promise<CpixUrlKey | undefined> | undefined;
  #credentialHashes: readonly (Uint8Array | undefined)[] | undefined;
  /** The snapshot's settings resolved, defaults applied, once per loaded snapshot. */
  readonly policy: TenantPolicy;

  /** `kvMacKeys` verify the tenant's other KV values (its stored content keys' records). */
  constructor(
    readonly snapshot: TenantSnapshot,
    readonly dataKey: TenantDataKey,
    readonly kvMacKeys: KvMacKeys,
  ) {
    this.policy = resolveTenantPolicy(snapshot.settings);
  }

  get tenantId(): string {
    return this.snapshot.tenantId;
  }

  /** Whether the operator suspended the tenant as of this snapshot: every tenant route refuses it (issue 28). */
  get suspended(): boolean {
    return this.snapshot.suspended === true;
  }

  /**
   * The credential a secret belongs to and its scopes, or undefined when none matches or the one that matches has
   * expired at `now` (refused like an unknown secret). The secret is hashed once and compared with every stored
   * hash in constant time, so the time taken does not tell which credential matched.
   */
  async authenticate(secret: string, now: Date): Promise<AuthenticatedCredential | undefined> {
    const presented = await secretDigest(secret, this.dataKey.credentialHash);
    // The stored hashes decoded once per loaded snapshot, not on every request (the snapshot never changes).
    const stored = (this.#credentialHashes ??= this.snapshot.credentials.map((credential) => fromBase64Url(credential.hash)));
    let matched: SnapshotCredential | undefined;
    this.snapshot.credentials.forEach((credential, index) => {
      const hash = stored[index];
      if (hash !== undefined && timingSafeEqual(hash, presented)) matched ??= credential;
    });
    if (!matched || isExpired(matched.expiresAt, now)) return undefined;
    return { id: matched.id, scopes: matched.scopes, ...(matched.protocols && { protocols: matched.protocols }) };
  }

  /** The scopes of credential `id` as of this snapshot, or undefined when it is revoked or has expired at `now`. */
  currentScopes(id: string, now: Date): readonly CredentialScope[] | undefined {
    const credential = this.snapshot.credentials.find((candidate) => candidate.id === id);
    return credential && !isExpired(credential.expiresAt, now) ? credential.scopes : undefined;
  }

  /** The seed id acquisitions use at `now` (honours a published switch's `effectiveAt`). */
  defaultSeedId(now: Date): string {
    return defaultSeedIdAt(this.snapshot.defaultSeed, now);
  }

  /** The tenant's Widevine signer of that provider name, its secret opened (once per isolate and snapshot). */
  widevineSigner(providerName: string): Promise<WidevineSigner | undefined> {
    let opened = this.#openedSigners.get(providerName);
    if (!opened) {
      opened = this.#openSigner(providerName);
      this.#openedSigners.set(providerName, opened);
    }
    return opened;
  }

  async #openSigner(providerName: string): Promise<WidevineSigner | undefined> {
    const stored = this.snapshot.widevineCredentials?.find((candidate) => candidate.providerName === providerName);
    if (!stored) return undefined;
    const keySeedId = stored.keySeedId;
    if (stored.sealedAesMaterial !== undefined) {
      const material = await open(stored.sealedAesMaterial, this.dataKey.sealing, {
        purpose: "widevine-signing",
        tenantId: this.tenantId,
        credentialId: stored.id,
      });
      return {
        credential: {
          kind: "aes",
          // The signing key then the IV, sealed together.
          signingKey: material.slice(0, AES_SIGNING_KEY_LENGTH),
          signingIv: material.slice(AES_SIGNING_KEY_LENGTH),
        },
        keySeedId,
      };
    }
    const spki = stored.rsaPublicKeySpki === undefined ? undefined : fromBase64(stored.rsaPublicKeySpki);
    return spki ? { credential: { kind: "rsa", publicKeySpki: spki }, keySeedId } : undefined;
  }

  /** A CPIX signing key with its private key opened (once per isolate and snapshot); undefined when there is none. */
  signingKey(signingKeyId: string): Promise<OpenedSigningKey | undefined> {
    let opened = this.#openedSigningKeys.get(signingKeyId);
    if (!opened) {
      opened = this.#openSigningKey(signingKeyId);
      this.#openedSigningKeys.set(signingKeyId, opened);
      // A failure is not kept, so the next request tries again.
      opened.catch(() => this.#openedSigningKeys.delete(signingKeyId));
    }
    return opened;
  }

  async #openSigningKey(signingKeyId: string): Promise<OpenedSigningKey | undefined> {
    const stored = this.snapshot.signingKeys?.find((candidate) => candidate.id === signingKeyId);
    const certificateDer = stored && fromBase64(stored.certificate);
    if (!stored || !certificateDer) return undefined;
    const pkcs8 = await open(stored.sealedPrivateKey, this.dataKey.sealing, {
      purpose: "cpix-signing",
      tenantId: this.tenantId,
      signingKeyId,
    });
    try {
      const privateKey = await crypto.subtle.importKey("pkcs8", pkcs8, { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, false, ["sign"]);
      return { privateKey, certificateDer };
    } finally {
      pkcs8.fill(0);
    }
  }

  /** The secret signed CPIX URLs are checked with, opened once per isolate and snapshot; undefined before the first URL. */
  cpixUrlKey(): Promise<CpixUrlKey | undefined> {
    if (!this.#openedCpixUrlKey) {
      const opened = this.#openCpixUrlKey();
      this.#openedCpixUrlKey = opened;
      // A failure is not kept, so the next request tries again.
      opened.catch(() => {
        if (this.#openedCpixUrlKey === opened) this.#openedCpixUrlKey = undefined;
      });
    }
    return this.#openedCpixUrlKey;
  }

  async #openCpixUrlKey(): Promise<CpixUrlKey | undefined> {
    const stored = this.snapshot.cpixUrlSecret;
    if (!stored) return undefined;
    const secret = await open(stored.sealedSecret, this.dataKey.sealing, {
      purpose: "cpix-url-secret",
      tenantId: this.tenantId,
      secretId: stored.id,
    });
    try {
      return { id: stored.id, key: await importCpixUrlKey(secret), retiredIds: stored.retiredIds };
    } finally {
      secret.fill(0);
    }
  }

  /** Opens a seed (once per isolate and snapshot); undefined when the tenant has no such seed. */
  seed(seedId: string): Promise<KeySeedValue> | undefined {
    const sealed = this.snapshot.seeds[seedId];
    if (sealed === undefined) return undefined;
    let opened = this.#openedSeeds.get(seedId);
    if (!opened) {
      opened = open(sealed, this.dataKey.sealing, { purpose: "key-seed", tenantId: this.tenantId, seedId }).then(keySeedFromBytes);
      this.#openedSeeds.set(seedId, opened);
    }
    return opened;
  }
}
