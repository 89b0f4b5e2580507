import { fromBase64Url, toBase64Url, utf8 } from "../domain/bytes";
import { keyEncryptionKeyConfigurationText, readKeyEncryptionKeys, type KeyEncryptionKeyBindings } from "./key-encryption-keys";

/**
 * Authenticated KV values (docs/storage.md §Authenticated KV values; DESIGN.md "KV is authenticated"). Every value
 * the read path trusts is written as one header line and the exact JSON text it covers:
 *
 *   EKS/2 <kekVersion> <base64url HMAC-SHA256(macKey[kekVersion], kvKey ‖ "\n" ‖ json)>\n<json>
 *
 * The MAC key is HKDF (RFC 5869) of the key-encryption key with its own purpose label, so it is never the KEK itself
 * and no other value is keyed by it; the header names the KEK version, so during a rotation readers verify values
 * written under either configured version. The KV key is inside the MAC: a value copied to another key (another
 * tenant, another KID) fails. The header is not JSON, so a reader that predates it fails to parse the value and
 * answers a storage fault, never misreads it (docs/storage.md, rollout).
 */

/** The value format: 1 was bare JSON; 2 adds the header. */
const VALUE_HEADER = "EKS/2";
/** HKDF info of the MAC key; a new label, never a new meaning for this one. */
const KV_MAC_INFO = "edge-key-service/kv-mac/v1";
/** HMAC-SHA256 output (RFC 2104, FIPS 180-4): 32 bytes. */
const MAC_LENGTH = 32;

/** The MAC keys of every configured KEK version; `current` signs, every one verifies what names its version. */
export interface KvMacKeys {
  readonly current: { readonly version: number; readonly key: CryptoKey };
  forVersion(version: number): CryptoKey | undefined;
}

/** A value read from KV, checked: its JSON text, or why it is not to be trusted (never the value itself). */
export type KvValueCheck = { readonly ok: true; readonly json: string } | { readonly ok: false; readonly problem: string };

/** HKDF-SHA256 of one KEK's bytes into the HMAC-SHA256 key that authenticates KV values. */
export async function deriveKvMacKey(keyEncryptionKey: Uint8Array): Promise<CryptoKey> {
  const base = await crypto.subtle.importKey("raw", keyEncryptionKey, "HKDF", false, ["deriveKey"]);
  return crypto.subtle.deriveKey(
    { name: "HKDF", hash: "SHA-256", salt: new Uint8Array(0), info: utf8(KV_MAC_INFO) },
    base,
    { name: "HMAC", hash: "SHA-256", length: 256 },
    false,
    ["sign", "verify"],
  );
}

let cached: { readonly configuration: string; readonly keys: Promise<KvMacKeys> } | undefined;

/** The MAC keys of the configured KEKs, derived once per configuration and isolate; throws naming a bad configuration. */
export function kvMacKeys(bindings: KeyEncryptionKeyBindings): Promise<KvMacKeys> {
  const configuration = keyEncryptionKeyConfigurationText(bindings);
  if (cached?.configuration !== configuration) {
    const keys = importKvMacKeys(bindings);
    cached = { configuration, keys };
    keys.catch(() => {
      if (cached?.keys === keys) cached = undefined;
    });
  }
  return cached.keys;
}

async function importKvMacKeys(bindings: KeyEncryptionKeyBindings): Promise<KvMacKeys> {
  const configuration = readKeyEncryptionKeys(bindings);
  if (!configuration.ok) throw new Error(configuration.problem);
  const derived = await Promise.all(
    configuration.entries.map(async ({ version, bytes }) => ({ version, key: await deriveKvMacKey(bytes) })),
  );
  const byVersion = new Map(derived.map(({ version, key }) => [version, key]));
  return { current: derived[0]!, forVersion: (version) => byVersion.get(version) };
}

function macInput(kvKey: string, json: string): Uint8Array {
  return utf8(`${kvKey}\n${json}`);
}

/** The KV value for `json` at `kvKey`: the header with the current key's MAC, then the JSON text unchanged. */
export async function authenticateKvValue(kvKey: string, json: string, keys: KvMacKeys): Promise<string> {
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", keys.current.key, macInput(kvKey, json)));
  return `${VALUE_HEADER} ${keys.current.version} ${toBase64Url(mac)}\n${json}`;
}

/** Checks a value read at `kvKey`: its header, the KEK version it names, and the MAC (compared in constant time by WebCrypto). */
export async function verifyKvValue(kvKey: string, value: string, keys: KvMacKeys): Promise<KvValueCheck> {
  const newline = value.indexOf("\n");
  const header = newline < 0 ? [] : value.slice(0, newline).split(" ");
  if (header.length !== 3 || header[0] !== VALUE_HEADER) return { ok: false, problem: `no ${VALUE_HEADER} header` };
  const version = /^\d{1,9}$/.test(header[1]!) ? Number(header[1]) : undefined;
  const key = version === undefined ? undefined : keys.forVersion(version);
  if (!key) return { ok: false, problem: `MAC names key-encryption key version ${header[1]}, which is not configured` };
  const mac = fromBase64Url(header[2]!);
  if (mac?.length !== MAC_LENGTH) return { ok: false, problem: "MAC is not 32 bytes of base64url" };
  const json = value.slice(newline + 1);
  const valid = await crypto.subtle.verify("HMAC", key, mac, macInput(kvKey, json));
  return valid ? { ok: true, json } : { ok: false, problem: "MAC does not match" };
}

/** A KV sink whose every `put` writes the value authenticated for its key under the current MAC key. */
export function authenticatedPuts<S extends { put(key: string, value: string): Promise<void> }>(
  sink: S,
  keys: () => Promise<KvMacKeys>,
): S {
  return { ...sink, put: async (key: string, value: string) => sink.put(key, await authenticateKvValue(key, value, await keys())) };
}
