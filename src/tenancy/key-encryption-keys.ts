import { fromBase64 } from "../domain/bytes";
import { SealedValueError, importAesGcmKey, sealedKeyVersion, type VersionedKey } from "./envelope";

/** AES-256 (FIPS 197): a key-encryption key is exactly 32 bytes. */
const KEY_ENCRYPTION_KEY_LENGTH = 32;
/** The version a single key carries when `KEY_ENCRYPTION_KEY_VERSION` is unset. */
const DEFAULT_KEY_VERSION = 1;

/** The bindings that configure the key-encryption keys. */
export type KeyEncryptionKeyBindings = Partial<Pick<Env, "KEY_ENCRYPTION_KEY" | "KEY_ENCRYPTION_KEY_VERSION">>;

/** One configured key-encryption key, not yet imported. */
interface KeyEncryptionKeyEntry {
  readonly version: number;
  readonly bytes: Uint8Array;
}

/** The configured key-encryption keys, the current one (which wraps new data keys) first; or what is wrong. */
export type KeyEncryptionKeyConfiguration =
  | { readonly ok: true; readonly entries: readonly [KeyEncryptionKeyEntry, ...KeyEncryptionKeyEntry[]] }
  | { readonly ok: false; readonly problem: string };

/**
 * Reads `KEY_ENCRYPTION_KEY` in either form (docs/storage.md §Keys and sealing): one key, base64 of 32 bytes, whose
 * version is `KEY_ENCRYPTION_KEY_VERSION` (default 1); or a list `version:base64,version:base64,…` with the current
 * key first and each earlier key still able to open what it wrapped. The list lives in one secret so that a key and
 * its version always change together: each `wrangler secret put` deploys at once, while a var changes only with
 * `wrangler deploy`. Problems name the variable and the fix, never the key.
 * @example readKeyEncryptionKeys({ KEY_ENCRYPTION_KEY: "2:<base64>,1:<base64>" }) // current version 2, 1 still opens
 */
export function readKeyEncryptionKeys(bindings: KeyEncryptionKeyBindings): KeyEncryptionKeyConfiguration {
  const text = bindings.KEY_ENCRYPTION_KEY?.trim();
  if (!text) return { ok: false, problem: "KEY_ENCRYPTION_KEY is not set" };
  if (!text.includes(":")) {
    const bytes = fromBase64(text);
    if (bytes?.length !== KEY_ENCRYPTION_KEY_LENGTH) {
      return { ok: false, problem: "KEY_ENCRYPTION_KEY must be base64 of exactly 32 bytes (e.g. `openssl rand -base64 32`)" };
    }
    const version = parseVersion(bindings.KEY_ENCRYPTION_KEY_VERSION ?? String(DEFAULT_KEY_VERSION));
    if (version === undefined)
      return { ok: false, problem: "KEY_ENCRYPTION_KEY_VERSION must be a positive integer (wrangler.toml [vars])" };
    return { ok: true, entries: [{ version, bytes }] };
  }
  const entries: KeyEncryptionKeyEntry[] = [];
  const items = text.split(",");
  for (const [index, item] of items.entries()) {
    const separator = item.indexOf(":");
    const version = separator < 0 ? undefined : parseVersion(item.slice(0, separator));
    if (version === undefined) {
      return {
        ok: false,
        problem:
          `KEY_ENCRYPTION_KEY entry ${index + 1} of ${items.length} must be <version>:<base64 of 32 bytes> with a positive integer ` +
          "version, e.g. `2:$(openssl rand -base64 32),1:<the previous key>` (current key first)",
      };
    }
    const bytes = fromBase64(item.slice(separator + 1));
    if (bytes?.length !== KEY_ENCRYPTION_KEY_LENGTH) {
      return {
        ok: false,
        problem: `KEY_ENCRYPTION_KEY entry ${index + 1} (version ${version}) must be base64 of exactly 32 bytes (e.g. \`openssl rand -base64 32\`)`,
      };
    }
    if (entries.some((entry) => entry.version === version)) {
      return { ok: false, problem: `KEY_ENCRYPTION_KEY lists version ${version} twice: give each key its own version` };
    }
    entries.push({ version, bytes });
  }
  return { ok: true, entries: entries as [KeyEncryptionKeyEntry, ...KeyEncryptionKeyEntry[]] };
}

function parseVersion(text: string): number | undefined {
  const trimmed = text.trim();
  const version = Number(trimmed);
  return /^\d+$/.test(trimmed) && Number.isSafeInteger(version) && version >= 1 ? version : undefined;
}

/** The imported key-encryption keys: the current one wraps, every configured one opens what names its version. */
export class KeyEncryptionKeys {
  readonly #byVersion: ReadonlyMap<number, VersionedKey>;

  constructor(
    readonly current: VersionedKey,
    previous: readonly VersionedKey[],
  ) {
    this.#byVersion = new Map([current, ...previous].map((key) => [key.version, key]));
  }

  /** The configured versions, current first. */
  get versions(): number[] {
    return [...this.#byVersion.keys()];
  }

  /** The key that opens a wrapped value: the one of the version the value names. */
  forWrapped(wrapped: string): VersionedKey {
    const version = sealedKeyVersion(wrapped);
    const key = version === undefined ? undefined : this.#byVersion.get(version);
    if (!key) {
      throw new SealedValueError(
        version === undefined
          ? "not a sealed value"
          : `wrapped under key-encryption key version ${version}, which KEY_ENCRYPTION_KEY does not list (it lists ${this.versions.join(", ")})`,
      );
    }
    return key;
  }
}

/** Imports the configured key-encryption keys as non-extractable AES-GCM keys; throws naming the problem. */
export async function importKeyEncryptionKeys(bindings: KeyEncryptionKeyBindings): Promise<KeyEncryptionKeys> {
  const configuration = readKeyEncryptionKeys(bindings);
  if (!configuration.ok) throw new Error(configuration.problem);
  const [current, ...previous] = await Promise.all(
    configuration.entries.map(async ({ version, bytes }) => ({ version, key: await importAesGcmKey(bytes) })),
  );
  return new KeyEncryptionKeys(current!, previous);
}

/** A cache key for one configuration: the secret text and the version var (never logged). */
export function keyEncryptionKeyConfigurationText(bindings: KeyEncryptionKeyBindings): string {
  return `${bindings.KEY_ENCRYPTION_KEY ?? ""}\n${bindings.KEY_ENCRYPTION_KEY_VERSION ?? ""}`;
}
